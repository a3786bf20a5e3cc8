import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_APPROVAL_EXPIRY_MS,
  newApprovalRequest,
  type ApprovalPolicy,
} from '../../src/domain/approval';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { ApprovalStore } from '../../src/state/approvals';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';

/** The approval policy store (audited, eTag-checked) and the approval requests' store. */

let dir: string;
let storage: EmbeddedStorage;
let now = Date.parse('2026-12-04T10:00:00Z');
const TENANT = 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542';
const policy: ApprovalPolicy = {
  required: 1,
  approvers: { kind: 'globalAdministrators' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
};
const kelley = { id: '29:kelley', name: 'Kelley' };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-approval-'));
  storage = await EmbeddedStorage.open(dir);
});
afterEach(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

it('has no policy by default, and audits every change: who, when, old → new', async () => {
  const policies = new ApprovalPolicyStore(storage, () => now);
  expect(await policies.get(TENANT)).toBeNull();
  expect(await policies.set(TENANT, policy, kelley)).toBe(true);
  expect(await policies.set(TENANT, policy, kelley)).toBe(false);
  now += 60_000;
  const two = { ...policy, required: 2 };
  expect(await policies.set(TENANT.toUpperCase(), two, { id: '29:megan', name: 'Megan' })).toBe(
    true,
  );
  expect(await policies.set(TENANT, null, kelley)).toBe(true);
  const stored = await policies.read(TENANT);
  expect(stored.policy).toBeNull();
  expect(
    stored.changes.map((c) => [c.byName, c.old?.required ?? null, c.new?.required ?? null]),
  ).toEqual([
    ['Kelley', null, 1],
    ['Megan', 1, 2],
    ['Kelley', 2, null],
  ]);
  expect(stored.changes[1]?.at).toBe('2026-12-04T10:01:00.000Z');
});

it('keeps both of two policy changes made at once (eTag-checked), each audited', async () => {
  const policies = new ApprovalPolicyStore(storage, () => now);
  await Promise.all([
    policies.set(TENANT, { ...policy, required: 2 }, kelley),
    policies.set(TENANT, { ...policy, required: 3 }, { id: '29:megan', name: 'Megan' }),
  ]);
  const stored = await policies.read(TENANT);
  expect(stored.changes).toHaveLength(2);
  expect(stored.changes[1]?.old?.required).toBe(stored.changes[0]?.new?.required);
  expect(stored.policy?.required).toBe(stored.changes[1]?.new?.required);
});

it('applies concurrent clicks of two approvers one after the other; reminds and expires once', async () => {
  const approvals = new ApprovalStore(storage, () => now);
  const request = newApprovalRequest(
    {
      flowId: 'f1',
      initiatorId: '29:kelley',
      initiatorObjectId: 'oid-kelley',
      initiatorName: 'Kelley',
      tenantId: TENANT,
      policy: { ...policy, required: 2 },
    },
    now,
  );
  await approvals.create(request);
  expect((await approvals.create({ ...request, askedAt: 0 })).askedAt).toBe(request.askedAt);
  const click = (who: string) => ({
    userId: `29:${who}`,
    objectId: `oid-${who}`,
    name: who,
    decision: 'approve' as const,
    cardVersion: 1,
  });
  const [a, b] = await Promise.all([
    approvals.click('f1', click('megan'), true),
    approvals.click('f1', click('adele'), true),
  ]);
  expect([a.kind, b.kind]).toEqual(['recorded', 'recorded']);
  expect((await approvals.get('f1'))?.outcome).toBe('approved');

  await approvals.create({ ...request, flowId: 'f2' });
  expect(await approvals.claimReminder('f2')).toBe(false);
  now += DEFAULT_APPROVAL_EXPIRY_MS / 2;
  const claims = await Promise.all([approvals.claimReminder('f2'), approvals.claimReminder('f2')]);
  expect(claims.filter(Boolean)).toHaveLength(1);
  expect((await approvals.settle('f2'))?.outcome).toBeUndefined();
  now += DEFAULT_APPROVAL_EXPIRY_MS / 2;
  const settled = await approvals.settle('f2');
  expect(settled?.outcome).toBe('expired');
  expect(settled?.endedAt).toBe(now);
  expect(await approvals.click('f2', click('megan'), true)).toEqual({
    kind: 'refused',
    why: 'ended',
  });
  expect(await approvals.click('nope', click('megan'), true)).toEqual({
    kind: 'refused',
    why: 'ended',
  });
});
