import { updateItem } from './createOnly';
import type { Storage } from 'botbuilder';

/**
 * One link per subscription at a time: the flow that chose a subscription holds its lock until
 * it ends (linked, cancelled, failed). Locks are items of the bot's storage written with eTags, so
 * two admins choosing the same subscription at once cannot both get it; a lock older than
 * {@link LOCK_TTL_MS} is considered abandoned and can be taken over.
 */

/** Who holds a subscription's lock. */
export interface SubscriptionLock {
  readonly subscriptionId: string;
  readonly flowId: string;
  /** Teams user id and name of the admin who holds it. */
  readonly holderId: string;
  readonly holderName: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /**
   * ISO time its flow released it: a released lock is free. Releasing writes this mark with the
   * eTag read (instead of deleting, which botbuilder's `Storage.delete` does unconditionally), so
   * a release cannot remove a lock another flow took over in the meantime.
   */
  readonly releasedAt?: string;
}

/** How long a lock lives without its flow ending, in ms (24 h). */
export const LOCK_TTL_MS = 24 * 3600_000;

const key = (subscriptionId: string): string =>
  `locks/subscriptions/${subscriptionId.toLowerCase()}`;

/** Takes and releases subscription locks. */
export class SubscriptionLockStore {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the lock for `lock.flowId`, or tells who holds it.
   * @returns `{ acquired: true }`, or `{ acquired: false, holder }` when another live flow holds it
   * @throws Error from storage other than an eTag conflict
   */
  async acquire(
    lock: Omit<SubscriptionLock, 'since'>,
  ): Promise<{ acquired: true } | { acquired: false; holder: SubscriptionLock }> {
    let holder: SubscriptionLock | undefined;
    const k = key(lock.subscriptionId);
    const settled = await updateItem<SubscriptionLock>(
      this.storage,
      k,
      (current) => {
        holder = undefined;
        const live =
          current && !current.releasedAt && this.now() - Date.parse(current.since) < LOCK_TTL_MS;
        if (current && live && current.flowId !== lock.flowId) {
          holder = current;
          return undefined;
        }
        if (live && current.flowId === lock.flowId) return undefined;
        return { ...lock, since: new Date(this.now()).toISOString() };
      },
      `the lock of ${lock.subscriptionId}`,
      3,
    ).then(
      () => true,
      (err: unknown) => {
        // Three writers raced for it: whoever holds it now has it.
        if (/kept changing/.test(String((err as Error).message))) return false;
        throw err;
      },
    );
    if (!settled) {
      const now = (await this.storage.read([k]))[k] as SubscriptionLock | undefined;
      holder = now && !now.releasedAt && now.flowId !== lock.flowId ? now : undefined;
    }
    return holder ? { acquired: false, holder } : { acquired: true };
  }

  /**
   * Releases the lock if `flowId` holds it (a no-op otherwise): marks it released with an
   * eTag-checked write, so that when another flow took it over between the read and the write
   * (an abandoned lock past its TTL), the write fails, the lock is read again and left alone.
   * @throws Error from storage, or "kept changing" after three conflicting writers in a row
   */
  async release(subscriptionId: string, flowId: string): Promise<void> {
    await updateItem<SubscriptionLock>(
      this.storage,
      key(subscriptionId),
      (current) =>
        current?.flowId === flowId && !current.releasedAt
          ? { ...withoutETag(current), releasedAt: new Date(this.now()).toISOString() }
          : undefined,
      `the lock of ${subscriptionId}`,
      3,
    );
  }
}

/** The stored item without the store's eTag (updateItem adds the one it read). */
function withoutETag(item: SubscriptionLock & { eTag?: string }): SubscriptionLock {
  const rest = { ...item };
  delete rest.eTag;
  return rest;
}
