import { randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { updateItem } from '../state/createOnly';
import { hashedKey, type Sealed, type Sealer } from './sealedStore';
import type { SignInContext } from './directorySignIn';

/**
 * The sign-ins started and not yet completed: each under the SHA-256 of its random `state` (32
 * bytes, base64url; the state itself is never stored), with the flow's context and the PKCE
 * verifier sealed, for `ttlMs`. A state is claimed once: an eTag-guarded mark, then a delete, so
 * that a replayed or concurrent redirect finds nothing.
 */
export class PendingSignIns {
  constructor(
    private readonly storage: Storage,
    private readonly sealer: Sealer,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Stores a new pending sign-in. @returns its state (for the authorize request) */
  async create(context: SignInContext, verifier: string): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const key = hashedKey(PENDING, state);
    const pending: PendingSignIn = {
      context,
      verifier: this.sealer.seal(verifier, key),
      expiresAt: this.now() + this.ttlMs,
    };
    await this.storage.write({ [key]: pending });
    return state;
  }

  /**
   * Takes the pending sign-in of `state`, once.
   * @returns its context and verifier; `expired` with the context when its time ran out;
   *   undefined for an unknown, replayed or malformed state
   */
  async claim(
    state: string,
  ): Promise<
    | { readonly context: SignInContext; readonly verifier: string | undefined }
    | { readonly context: SignInContext; readonly expired: true }
    | undefined
  > {
    if (!state || state.length > 512) return undefined;
    const key = hashedKey(PENDING, state);
    const claimed = await updateItem<PendingSignIn>(
      this.storage,
      key,
      (current) => (current && !current.used ? { ...current, used: true } : undefined),
      'pending sign-in',
    );
    if (!claimed.written || !claimed.item) return undefined;
    await this.storage.delete([key]);
    const pending = claimed.item;
    if (pending.expiresAt < this.now()) return { context: pending.context, expired: true };
    return { context: pending.context, verifier: this.sealer.open(pending.verifier, key) };
  }
}

const PENDING = 'signin/pending';

interface PendingSignIn {
  readonly context: SignInContext;
  readonly verifier: Sealed;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly used?: boolean;
}
