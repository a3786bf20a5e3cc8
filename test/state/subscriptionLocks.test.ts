import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { LOCK_TTL_MS, SubscriptionLockStore } from '../../src/state/subscriptionLocks';

let dir: string;
let storage: EmbeddedStorage;
let now = Date.parse('2026-11-24T10:00:00Z');
let locks: SubscriptionLockStore;
const lock = (flowId: string, holderName = flowId) => ({
  subscriptionId: 'A27E2463-29b2-43f1-9a86-7fecb0e7d9aa',
  flowId,
  holderId: `id-${holderName}`,
  holderName,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-locks-'));
  storage = await EmbeddedStorage.open(dir);
  locks = new SubscriptionLockStore(storage, () => now);
});
afterEach(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

it('gives the lock to exactly one of two flows asking at once', async () => {
  const results = await Promise.all([locks.acquire(lock('f1')), locks.acquire(lock('f2'))]);
  expect(results.filter((r) => r.acquired)).toHaveLength(1);
  const refused = results.find((r) => !r.acquired);
  if (!refused || refused.acquired) throw new Error('expected one refusal');
  expect(['f1', 'f2']).toContain(refused.holder.flowId);
});

it('is re-entrant for its holder, released only by its holder, and tells who holds it', async () => {
  expect(await locks.acquire(lock('f1', 'Kelley'))).toEqual({ acquired: true });
  expect(await locks.acquire(lock('f1', 'Kelley'))).toEqual({ acquired: true });
  await locks.release('a27e2463-29b2-43f1-9a86-7fecb0e7d9aa', 'f2');
  const busy = await locks.acquire(lock('f2', 'Megan'));
  expect(busy).toEqual({
    acquired: false,
    holder: expect.objectContaining({ holderName: 'Kelley', since: '2026-11-24T10:00:00.000Z' }),
  });
  await locks.release('a27e2463-29b2-43f1-9a86-7fecb0e7d9aa', 'f1');
  expect(await locks.acquire(lock('f2', 'Megan'))).toEqual({ acquired: true });
});

it('lets another flow take over an abandoned lock after the TTL', async () => {
  await locks.acquire(lock('f1'));
  now += LOCK_TTL_MS - 1;
  expect((await locks.acquire(lock('f2'))).acquired).toBe(false);
  now += 2;
  expect((await locks.acquire(lock('f2'))).acquired).toBe(true);
});

it('a release never removes a lock that another flow took over in the meantime', async () => {
  await locks.acquire(lock('f1', 'Kelley'));
  now += LOCK_TTL_MS + 1; // Kelley's flow is abandoned: Megan may take the lock over.
  // Megan takes it over just after Kelley's late release has read the lock, before it writes.
  let takeover: Promise<unknown> | undefined;
  const racing = {
    read: async (keys: string[]) => {
      const items = await storage.read(keys);
      takeover ??= locks.acquire(lock('f2', 'Megan'));
      await takeover;
      return items;
    },
    write: (changes: Record<string, unknown>) => storage.write(changes as never),
    delete: (keys: string[]) => storage.delete(keys),
  };
  await new SubscriptionLockStore(racing, () => now).release(
    'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
    'f1',
  );
  expect(await takeover).toEqual({ acquired: true });
  expect(await locks.acquire(lock('f3', 'Adele'))).toEqual({
    acquired: false,
    holder: expect.objectContaining({ flowId: 'f2', holderName: 'Megan' }),
  });
});

it('a released lock is free for the next flow, and releasing twice changes nothing', async () => {
  await locks.acquire(lock('f1'));
  await locks.release('a27e2463-29b2-43f1-9a86-7fecb0e7d9aa', 'f1');
  await locks.release('a27e2463-29b2-43f1-9a86-7fecb0e7d9aa', 'f1');
  expect(await locks.acquire(lock('f2'))).toEqual({ acquired: true });
  expect(await locks.acquire(lock('f1'))).toEqual({
    acquired: false,
    holder: expect.objectContaining({ flowId: 'f2' }),
  });
});
