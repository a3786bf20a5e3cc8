import { MemoryStorage } from 'botbuilder';
import {
  KEEP_EXPIRED_MS,
  MAX_PENDING_PER_USER,
  PendingSignIns,
} from '../../src/auth/pendingSignIns';
import { Sealer } from '../../src/auth/sealedStore';
import type { SignInContext } from '../../src/auth/directorySignIn';

/**
 * Pending sign-ins that are never completed do not stay in the store: each new sign-in deletes
 * those that expired more than a day ago; until then a late redirect is told its sign-in expired.
 * A user has at most {@link MAX_PENDING_PER_USER} pending at once (issue 25, defect 6c): a new one
 * replaces their oldest, whose state then completes nothing, and the index stays that small.
 */

const TTL = 15 * 60_000;
const context = (flowId: string, userId = 'kelley'): SignInContext => ({
  userId,
  flowId,
  tenantId: 'contoso',
  conversation: {
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
  },
  from: { id: 'kelley', name: 'Kelley Wall' },
});

/** Keys in the store under the pending prefix (not the index). */
async function pendingKeys(storage: MemoryStorage): Promise<number> {
  // MemoryStorage keeps a deleted key with an undefined value.
  const memory = (storage as unknown as { memory: Record<string, string | undefined> }).memory;
  return Object.entries(memory).filter(([k, v]) => k.startsWith('signin/pending/') && v).length;
}

it('deletes abandoned sign-ins a day after they expired, keeps the recent ones, and claims each once', async () => {
  const storage = new MemoryStorage();
  let now = Date.parse('2026-11-30T08:00:00Z');
  const pending = new PendingSignIns(storage, new Sealer(Sealer.newKey()), TTL, () => now);
  // Three sign-ins started and abandoned.
  const abandoned = [
    await pending.create(context('f1'), 'v1'),
    await pending.create(context('f2'), 'v2'),
    await pending.create(context('f3'), 'v3'),
  ];
  expect(await pendingKeys(storage)).toBe(3);

  // A little after they expired: still there, and a late redirect is told it expired.
  now += TTL + 60_000;
  const late = await pending.claim(abandoned[0]!);
  expect(late && 'expired' in late).toBe(true);
  const recent = await pending.create(context('f4'), 'v4');
  expect(await pendingKeys(storage)).toBe(3); // f2, f3 kept (expired < a day), f4 new

  // More than a day after: the next sign-in deletes them.
  now += KEEP_EXPIRED_MS + 60_000;
  const fresh = await pending.create(context('f5'), 'v5');
  // f2 and f3 are gone; f4 expired less than a day ago and stays, with f5.
  expect(await pendingKeys(storage)).toBe(2);
  expect(await pending.claim(abandoned[1]!)).toBeUndefined();
  const told = await pending.claim(recent);
  expect(told && 'expired' in told).toBe(true);
  const claimed = await pending.claim(fresh);
  expect(claimed && 'verifier' in claimed ? claimed.verifier : undefined).toBe('v5');
  expect(await pending.claim(fresh)).toBeUndefined();
});

/** The entries of the index of pending sign-ins. */
async function indexSize(storage: MemoryStorage): Promise<number> {
  const index = (await storage.read(['signin/pendingIndex']))['signin/pendingIndex'] as
    { entries: unknown[] } | undefined;
  return index?.entries.length ?? 0;
}

describe('at most a few pending sign-ins per user', () => {
  let storage: MemoryStorage;
  let pending: PendingSignIns;
  beforeEach(() => {
    storage = new MemoryStorage();
    const now = Date.parse('2026-11-30T08:00:00Z');
    pending = new PendingSignIns(storage, new Sealer(Sealer.newKey()), TTL, () => now);
  });

  it('keeps the newest three of one user: each start past them replaces the oldest, which no longer completes', async () => {
    expect(MAX_PENDING_PER_USER).toBe(3);
    const states: string[] = [];
    for (let i = 0; i < 40; i++) {
      states.push(await pending.create(context(`f${i}`), `v${i}`));
      expect(await pendingKeys(storage)).toBe(Math.min(i + 1, 3));
      expect(await indexSize(storage)).toBe(Math.min(i + 1, 3));
    }
    for (const replaced of states.slice(0, 37))
      expect(await pending.claim(replaced)).toBeUndefined();
    const kept = await Promise.all(states.slice(37).map((s) => pending.claim(s)));
    expect(kept.map((k) => (k && 'verifier' in k ? k.verifier : undefined))).toEqual([
      'v37',
      'v38',
      'v39',
    ]);
  });

  it("bounds each user on their own: one user's many starts replace none of another's", async () => {
    const users = ['kelley', 'jane', 'megan'];
    const states: Record<string, string[]> = { kelley: [], jane: [], megan: [] };
    for (let round = 0; round < 5; round++)
      for (const user of users)
        states[user]!.push(await pending.create(context(`${user}-${round}`, user), user));
    expect(await pendingKeys(storage)).toBe(9);
    for (let i = 0; i < 30; i++) await pending.create(context(`burst-${i}`), 'burst');
    expect(await pendingKeys(storage)).toBe(9);
    expect(await indexSize(storage)).toBe(9);
    for (const user of ['jane', 'megan']) {
      for (const replaced of states[user]!.slice(0, 2))
        expect(await pending.claim(replaced)).toBeUndefined();
      for (const kept of states[user]!.slice(2)) {
        const claimed = await pending.claim(kept);
        expect(claimed && 'verifier' in claimed ? claimed.context.userId : undefined).toBe(user);
      }
    }
    for (const replaced of states.kelley!) expect(await pending.claim(replaced)).toBeUndefined();
  });

  it('counts concurrent starts of one user together', async () => {
    const states = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pending.create(context(`f${i}`), `v${i}`)),
    );
    expect(await pendingKeys(storage)).toBe(3);
    expect(await indexSize(storage)).toBe(3);
    const claimed = await Promise.all(states.map((s) => pending.claim(s)));
    expect(claimed.filter(Boolean)).toHaveLength(3);
  });
});
