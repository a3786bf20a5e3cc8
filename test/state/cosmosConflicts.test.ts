import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import { eTagConflict, isETagConflict } from '../../src/state/createOnly';
import { CreateOnlyStorage, type ItemCreator } from '../../src/state/createOnlyStorage';
import { LOCK_TTL_MS, SubscriptionLockStore } from '../../src/state/subscriptionLocks';

/**
 * A lost race on Cosmos DB is a lost race, as on Blob and in memory (issue 18): Cosmos answers a
 * stale `If-Match` with 412 Precondition Failed ("One of the specified pre-condition is not met"),
 * which botbuilder-azure rethrows as "[Error upserting document] …" with `code` 412. Change
 * records, locks and their index read again and retry instead of failing (the state-save and lock
 * paths only matched /etag/ before).
 */

/**
 * An in-memory store with Cosmos DB's write semantics, as botbuilder-azure surfaces them, and the
 * create-only path's (Create Document, a 409 reported as an eTag conflict).
 */
class CosmosLikeStorage implements Storage, ItemCreator {
  private readonly items = new Map<string, Record<string, unknown>>();
  /** Runs once before the next write: another writer slipping in between a read and a write. */
  beforeNextWrite?: () => Promise<void>;

  async read(keys: string[]): Promise<StoreItems> {
    const out: StoreItems = {};
    for (const k of keys) {
      const item = this.items.get(k);
      if (item) out[k] = structuredClone(item);
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    await hook?.();
    for (const [k, item] of Object.entries(changes)) {
      const eTag = (item as { eTag?: string }).eTag;
      const stored = this.items.get(k);
      if (eTag && eTag !== '*' && stored?.eTag !== eTag) {
        throw Object.assign(
          new Error(
            '[Error upserting document] Message: {"Errors":["One of the specified pre-condition is not met. Learn more: https://aka.ms/CosmosDB/sql/errors/precondition-failed"]}',
          ),
          { code: 412, substatus: 0 },
        );
      }
      this.items.set(k, { ...(item as Record<string, unknown>), eTag: randomUUID() });
    }
  }

  async createIfAbsent(key: string, item: Record<string, unknown>): Promise<void> {
    if (this.items.has(key)) throw eTagConflict(key);
    this.items.set(key, { ...item, eTag: randomUUID() });
  }

  async delete(keys: string[]): Promise<void> {
    for (const k of keys) this.items.delete(k);
  }
}

it.each([
  [
    'Cosmos DB 412',
    Object.assign(
      new Error('[Error upserting document] One of the specified pre-condition is not met'),
      { code: 412 },
    ),
  ],
  [
    'Cosmos DB 409',
    Object.assign(new Error('Entity with the specified id already exists'), { code: 409 }),
  ],
  [
    'Blob 412',
    Object.assign(
      new Error('The condition specified using HTTP conditional header(s) is not met.'),
      { statusCode: 412 },
    ),
  ],
  ['create-only adapter', new Error('Storage: error writing "x" due to eTag conflict.')],
])('recognises a lost race: %s', (_name, err) => {
  expect(isETagConflict(err)).toBe(true);
});

it('does not take other storage failures for a lost race', () => {
  expect(isETagConflict(Object.assign(new Error('Request rate is large'), { code: 429 }))).toBe(
    false,
  );
  expect(isETagConflict(new Error('ECONNRESET'))).toBe(false);
});

const record = () => ({
  flowId: 'flow-1',
  initiatorId: 'user-1',
  initiatorName: 'Kelley',
  subscriptionId: 'sub-1',
  subscriptionName: 'Pay-As-You-Go',
  sourceTenantId: 'source',
  destinationTenantId: 'contoso',
  status: 'requested' as const,
  backup: [],
  audit: [],
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

it('keeps both writers of a change record when one loses a race on Cosmos DB', async () => {
  const cosmos = new CosmosLikeStorage();
  const changes = new ChangeRecordStore(new CreateOnlyStorage(cosmos, cosmos));
  await changes.update('flow-1', () => undefined, record);
  // Another instance audits between this one's read and write: this write gets a 412.
  cosmos.beforeNextWrite = () =>
    changes.audit('flow-1', { by: 'other', action: 'other', target: 't', outcome: 'ok' });
  await changes.audit('flow-1', { by: 'me', action: 'mine', target: 't', outcome: 'ok' });
  const audit = (await changes.get('flow-1'))?.audit.map((a) => a.action);
  expect(audit).toEqual(['other', 'mine']);
});

it('gives an expired subscription lock to one flow when another takes it in between on Cosmos DB', async () => {
  const cosmos = new CosmosLikeStorage();
  let now = Date.parse('2026-11-30T10:00:00Z');
  const locks = new SubscriptionLockStore(new CreateOnlyStorage(cosmos, cosmos), () => now);
  const lock = (flowId: string) => ({
    subscriptionId: 'sub-1',
    flowId,
    holderId: flowId,
    holderName: flowId,
  });
  expect((await locks.acquire(lock('old'))).acquired).toBe(true);
  now += LOCK_TTL_MS + 1;
  // Both read the expired lock (same eTag); the other instance writes first: this write is a 412.
  cosmos.beforeNextWrite = async () => {
    expect((await locks.acquire(lock('other'))).acquired).toBe(true);
  };
  const mine = await locks.acquire(lock('mine'));
  expect(mine).toMatchObject({ acquired: false, holder: { flowId: 'other' } });
});
