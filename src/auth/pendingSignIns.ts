import { randomBytes } from 'node:crypto';
import type { ChannelAccount, ConversationReference, Storage } from 'botbuilder';
import { updateItem } from '../state/createOnly';
import { hashedKey, type Sealed, type Sealer } from './sealedStore';
import type { UserKey } from './signIn';

/**
 * Who a sign-in is for and where its result goes (all of it JSON-safe; no secret): stored with
 * the pending sign-in, handed back when its redirect completes it (src/auth/directorySignIn.ts).
 */
export interface SignInContext {
  /** Teams user id of the initiator (the token cache's owner). */
  readonly userId: UserKey;
  readonly flowId: string;
  /** Directory (tenant id) to sign in to. */
  readonly tenantId: string;
  readonly conversation: Partial<ConversationReference>;
  readonly from: ChannelAccount;
  readonly locale?: string;
}

/**
 * The sign-ins started and not yet completed: each under the SHA-256 of its random `state` (32
 * bytes, base64url; the state itself is never stored), with the flow's context and the PKCE
 * verifier sealed, for `ttlMs`. A state is claimed once: an eTag-guarded mark, then a delete, so
 * that a replayed or concurrent redirect finds nothing. A sign-in never completed (the admin closed
 * the page) is deleted a day after it expired, when the next sign-in starts: every pending key is
 * listed, with its expiry and its user, in one index (botbuilder's Storage cannot list keys).
 * A user (`SignInContext.userId`) has at most {@link MAX_PENDING_PER_USER} sign-ins pending: a
 * newer one replaces their oldest, which is deleted (its state then completes nothing), so that
 * starting sign-ins over and over neither fills the store nor grows the index, which is read and
 * written whole at each start.
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
    await this.sweep({ key, expiresAt: pending.expiresAt, user: hashedKey(USER, context.userId) });
    return state;
  }

  /**
   * Adds a pending key to the index (last), deletes those that expired more than
   * {@link KEEP_EXPIRED_MS} ago (until then a late redirect is told that its sign-in expired) and
   * those of the same user before their newest {@link MAX_PENDING_PER_USER}.
   * @throws Error from storage
   */
  private async sweep(entry: IndexEntry): Promise<void> {
    const cutoff = this.now() - KEEP_EXPIRED_MS;
    let removed: string[] = [];
    await updateItem<PendingIndex>(
      this.storage,
      INDEX,
      (current) => {
        const entries = [...(current?.entries ?? []).filter((e) => e.key !== entry.key), entry];
        const mine = entries.filter((e) => e.user === entry.user);
        const replaced = new Set(mine.slice(0, -MAX_PENDING_PER_USER).map((e) => e.key));
        const drop = (e: IndexEntry): boolean => e.expiresAt < cutoff || replaced.has(e.key);
        removed = entries.filter(drop).map((e) => e.key);
        return { entries: entries.filter((e) => !drop(e)) };
      },
      'the pending sign-ins index',
    );
    if (removed.length > 0) await this.storage.delete(removed);
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
/** Prefix of the hash that stands for a user in the index (never the Teams user id itself). */
const USER = 'user';
/** Storage key of the index of pending sign-ins. */
const INDEX = 'signin/pendingIndex';
/** How long an expired pending sign-in is kept, in ms (one day). */
export const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;
/**
 * How many sign-ins one user can have pending at once: the one they are completing and a couple
 * started again meanwhile (a second browser, a card clicked twice).
 */
export const MAX_PENDING_PER_USER = 3;

/** A pending key in the index, in start order. */
interface IndexEntry {
  readonly key: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Hash of the user's id; absent from entries written before users were bounded. */
  readonly user?: string;
}

interface PendingIndex {
  readonly entries: readonly IndexEntry[];
}

interface PendingSignIn {
  readonly context: SignInContext;
  readonly verifier: Sealed;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly used?: boolean;
}
