import { CREATE_ONLY_ETAG } from './createOnly';
import type { Storage, StoreItem } from 'botbuilder';

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
    for (let attempt = 0; attempt < 3; attempt++) {
      const k = key(lock.subscriptionId);
      const current = (await this.storage.read([k]))[k] as
        (SubscriptionLock & StoreItem) | undefined;
      const live = current && this.now() - Date.parse(current.since) < LOCK_TTL_MS;
      if (current && live && current.flowId !== lock.flowId)
        return { acquired: false, holder: current };
      if (current?.flowId === lock.flowId) return { acquired: true };
      try {
        await this.storage.write({
          [k]: {
            ...lock,
            since: new Date(this.now()).toISOString(),
            eTag: current?.eTag ?? CREATE_ONLY_ETAG,
          },
        });
        return { acquired: true };
      } catch (err) {
        if (!/etag/i.test(String((err as Error).message))) throw err;
        // Someone else wrote the lock between our read and write: read again.
      }
    }
    const k = key(lock.subscriptionId);
    const holder = (await this.storage.read([k]))[k] as SubscriptionLock | undefined;
    if (holder && holder.flowId !== lock.flowId) return { acquired: false, holder };
    return { acquired: true };
  }

  /** Releases the lock if `flowId` holds it (a no-op otherwise). */
  async release(subscriptionId: string, flowId: string): Promise<void> {
    const k = key(subscriptionId);
    const current = (await this.storage.read([k]))[k] as SubscriptionLock | undefined;
    if (current?.flowId === flowId) await this.storage.delete([k]);
  }
}
