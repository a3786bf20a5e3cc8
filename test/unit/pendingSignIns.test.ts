import { MemoryStorage } from 'botbuilder';
import { KEEP_EXPIRED_MS, PendingSignIns } from '../../src/auth/pendingSignIns';
import { Sealer } from '../../src/auth/sealedStore';
import type { SignInContext } from '../../src/auth/directorySignIn';

/**
 * Pending sign-ins that are never completed do not stay in the store: each new sign-in deletes
 * those that expired more than a day ago; until then a late redirect is told its sign-in expired.
 */

const TTL = 15 * 60_000;
const context = (flowId: string): SignInContext => ({
  userId: 'kelley',
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
