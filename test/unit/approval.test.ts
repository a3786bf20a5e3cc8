import {
  DEFAULT_APPROVAL_EXPIRY_MS,
  MAX_APPROVAL_EXPIRY_MS,
  MAX_REASON_LENGTH,
  MAX_REQUIRED_APPROVALS,
  MIN_APPROVAL_EXPIRY_MS,
  applyClick,
  cancelRequest,
  newApprovalRequest,
  outcomeAt,
  policyProblems,
  reminderAt,
  recordedDecisions,
  reminderDue,
  type ApprovalClick,
  type ApprovalPolicy,
} from '../../src/domain/approval';

/** The pure rules of issue 29's approval: who may approve, how many, expiry, reminder, clicks. */

const T0 = Date.parse('2026-12-04T10:00:00Z');
const policy = (required = 2): ApprovalPolicy => ({
  required,
  approvers: { kind: 'group', groupId: '4d3c2b1a-0000-4000-8000-000000000001', groupName: 'CAB' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
});
const request = (required = 2) =>
  newApprovalRequest(
    {
      flowId: 'f1',
      initiatorId: '29:kelley',
      initiatorObjectId: 'oid-kelley',
      initiatorName: 'Kelley',
      tenantId: 'tenant',
      policy: policy(required),
    },
    T0,
  );
const click = (who: string, decision: 'approve' | 'reject' = 'approve', reason?: string) =>
  ({
    userId: `29:${who}`,
    objectId: `oid-${who}`,
    name: who,
    decision,
    reason,
    cardVersion: 1,
  }) satisfies ApprovalClick;

it('validates a policy: 1 to 10 approvals, expiry 15 min to 7 days, a group id, a channel', () => {
  expect(policyProblems(policy())).toEqual([]);
  expect(policyProblems({ ...policy(), required: 0 })).toEqual(['required']);
  expect(policyProblems({ ...policy(), required: 11 })).toEqual(['required']);
  expect(policyProblems({ ...policy(), required: 1.5 })).toEqual(['required']);
  expect(policyProblems({ ...policy(), expiryMs: 60_000 })).toEqual(['expiry']);
  expect(policyProblems({ ...policy(), expiryMs: 8 * 24 * 3600_000 })).toEqual(['expiry']);
  expect(
    policyProblems({ ...policy(), approvers: { kind: 'group', groupId: 'x', groupName: 'x' } }),
  ).toEqual(['group']);
  expect(policyProblems({ ...policy(), approvers: { kind: 'globalAdministrators' } })).toEqual([]);
  expect(policyProblems({ ...policy(), channel: { teamId: '', channelId: '', name: '' } })).toEqual(
    ['channel'],
  );
});

it('expires after 24 h by default and reminds once, half-way', () => {
  const r = request();
  expect(r.expiresAt - r.askedAt).toBe(24 * 3600_000);
  expect(reminderAt(r)).toBe(T0 + 12 * 3600_000);
  expect(reminderDue(r, T0 + 12 * 3600_000 - 1)).toBe(false);
  expect(reminderDue(r, T0 + 12 * 3600_000)).toBe(true);
  expect(reminderDue({ ...r, remindedAt: T0 + 12 * 3600_000 }, T0 + 13 * 3600_000)).toBe(false);
  expect(outcomeAt(r, r.expiresAt - 1)).toBeUndefined();
  expect(outcomeAt(r, r.expiresAt)).toBe('expired');
  expect(reminderDue(r, r.expiresAt)).toBe(false);
});

it('is approved by N distinct approvers, not by one approver clicking twice', () => {
  const first = applyClick(request(), click('megan'), true, T0 + 1);
  if (first.kind !== 'recorded') throw new Error(first.why);
  expect(first.request.outcome).toBeUndefined();
  expect(applyClick(first.request, click('megan'), true, T0 + 2)).toEqual({
    kind: 'refused',
    why: 'alreadyDecided',
  });
  const second = applyClick(first.request, click('adele'), true, T0 + 3);
  if (second.kind !== 'recorded') throw new Error(second.why);
  expect(second.request.outcome).toBe('approved');
  expect(second.request.endedAt).toBe(T0 + 3);
  expect(second.request.decisions.map((d) => d.name)).toEqual(['megan', 'adele']);
  expect(applyClick(second.request, click('alex'), true, T0 + 4)).toEqual({
    kind: 'refused',
    why: 'ended',
  });
});

it('refuses the initiator, a non-approver, an old card, a click after expiry', () => {
  const r = request(1);
  expect(applyClick(r, { ...click('kelley') }, true, T0)).toEqual({
    kind: 'refused',
    why: 'initiator',
  });
  expect(applyClick(r, click('alex'), false, T0)).toEqual({ kind: 'refused', why: 'notApprover' });
  expect(applyClick(r, { ...click('megan'), cardVersion: 0 }, true, T0)).toEqual({
    kind: 'refused',
    why: 'staleCard',
  });
  expect(applyClick(r, click('megan'), true, r.expiresAt)).toEqual({
    kind: 'refused',
    why: 'ended',
  });
});

it('ends on one rejection, which needs a reason', () => {
  const r = request(2);
  expect(applyClick(r, click('megan', 'reject', '  '), true, T0)).toEqual({
    kind: 'refused',
    why: 'reasonRequired',
  });
  const rejected = applyClick(r, click('megan', 'reject', ' not during the freeze '), true, T0);
  if (rejected.kind !== 'recorded') throw new Error(rejected.why);
  expect(rejected.request.outcome).toBe('rejected');
  expect(rejected.request.decisions[0]?.reason).toBe('not during the freeze');
});

it('ends a waiting request as cancelled, once; an ended one (approved, expired) stays as it is', () => {
  const waiting = request(1);
  expect(cancelRequest(waiting, T0 + 1000)).toEqual({
    ...waiting,
    outcome: 'cancelled',
    endedAt: T0 + 1000,
  });
  const cancelled = cancelRequest(waiting, T0 + 1000)!;
  expect(cancelRequest(cancelled, T0 + 2000)).toBeUndefined();
  expect(outcomeAt(cancelled, T0 + DEFAULT_APPROVAL_EXPIRY_MS)).toBe('cancelled');
  expect(cancelRequest(waiting, T0 + DEFAULT_APPROVAL_EXPIRY_MS)).toBeUndefined();
  const approved = applyClick(
    waiting,
    { userId: '29:m', objectId: 'm', name: 'Megan', decision: 'approve', cardVersion: 1 },
    true,
    T0 + 1,
  );
  if (approved.kind !== 'recorded') throw new Error(approved.why);
  expect(cancelRequest(approved.request, T0 + 2)).toBeUndefined();
});

it('reads the approvals and rejections from an audit trail, refused clicks left out', () => {
  const at = '2026-12-04T10:01:00.000Z';
  expect(
    recordedDecisions([
      { action: 'approvalRequested', outcome: 'ok', target: 'group:x', at },
      { action: 'approval:approve', outcome: 'refused', target: 'Kelley', at },
      { action: 'approval:approve', outcome: 'ok', target: 'Megan', at },
      { action: 'approval:reject', outcome: 'ok', target: 'Nestor', at },
      { action: 'approval:approved', outcome: 'ok', target: 'sub', at },
    ]),
  ).toEqual([
    { decision: 'approve', name: 'Megan', at },
    { decision: 'reject', name: 'Nestor', at },
  ]);
});

describe('the edges of the rules', () => {
  it('accepts a policy at its bounds, and a group id only as a whole GUID', () => {
    expect(policyProblems({ ...policy(1), expiryMs: MIN_APPROVAL_EXPIRY_MS })).toEqual([]);
    expect(
      policyProblems({ ...policy(MAX_REQUIRED_APPROVALS), expiryMs: MAX_APPROVAL_EXPIRY_MS }),
    ).toEqual([]);
    const group = (groupId: string): ApprovalPolicy => ({
      ...policy(),
      approvers: { kind: 'group', groupId, groupName: 'CAB' },
    });
    expect(policyProblems(group('x4d3c2b1a-0000-4000-8000-000000000001'))).toEqual(['group']);
    expect(policyProblems(group('4d3c2b1a-0000-4000-8000-000000000001x'))).toEqual(['group']);
    const channel = (teamId: string, channelId: string): ApprovalPolicy => ({
      ...policy(),
      channel: { teamId, channelId, name: 'Changes' },
    });
    expect(policyProblems(channel('', '19:chan@thread.tacv2'))).toEqual(['channel']);
    expect(policyProblems(channel('19:team@thread.tacv2', ''))).toEqual(['channel']);
  });

  it('keeps an outcome already set', () => {
    const r = { ...request(1), outcome: 'cancelled' as const };
    expect(outcomeAt({ ...r, decisions: [] }, r.expiresAt)).toBe('cancelled');
  });

  it('refuses the initiator by Teams id or by object id, and a second click by either id', () => {
    const r = request(2);
    expect(applyClick(r, { ...click('megan'), userId: '29:kelley' }, true, T0)).toEqual({
      kind: 'refused',
      why: 'initiator',
    });
    expect(applyClick(r, { ...click('megan'), objectId: 'oid-kelley' }, true, T0)).toEqual({
      kind: 'refused',
      why: 'initiator',
    });
    const first = applyClick(r, click('megan'), true, T0);
    if (first.kind !== 'recorded') throw new Error(first.why);
    for (const again of [
      { ...click('adele'), userId: '29:megan' },
      { ...click('adele'), objectId: 'oid-megan' },
    ])
      expect(applyClick(first.request, again, true, T0)).toEqual({
        kind: 'refused',
        why: 'alreadyDecided',
      });
  });

  it('cuts a long reason to its first 500 characters', () => {
    const rejected = applyClick(request(1), click('megan', 'reject', 'x'.repeat(600)), true, T0);
    if (rejected.kind !== 'recorded') throw new Error(rejected.why);
    expect(rejected.request.decisions[0]?.reason).toBe('x'.repeat(MAX_REASON_LENGTH));
    expect(MAX_REASON_LENGTH).toBe(500);
  });
});
