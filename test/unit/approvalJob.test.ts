import { MemoryStorage } from 'botbuilder';
import {
  DEFAULT_APPROVAL_EXPIRY_MS,
  type ApprovalPolicy,
  type ApprovalRequest,
} from '../../src/domain/approval';
import type { ApproverDirectoryPort } from '../../src/graph/approvers';
import {
  ApprovalWakeups,
  applyApprovalClick,
  awaitApprovalJob,
  cancelApproval,
  requestApproval,
  type ApprovalDeps,
  type ApprovalStage,
} from '../../src/link/approvalJob';
import { ApprovalStore } from '../../src/state/approvals';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import { storeConfirmedRecord } from '../helpers/approvalPolicy';

/**
 * The approval job (issue 29), botbuilder-free: time is the store's clock, moved by the job's
 * own pause (no sleeps); a "restart" is a second run of the job over the same storage.
 */

const HOUR = 3600_000;
let storage: MemoryStorage;
let now: number;
let reminders: number;
let shown: ApprovalRequest[];
let graphAsked: string[];
const policy: ApprovalPolicy = {
  required: 1,
  approvers: { kind: 'group', groupId: '8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48', groupName: 'CAB' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
};
const stage: ApprovalStage = {
  flowId: 'f1',
  initiatorId: '29:kelley',
  initiatorName: 'Kelley',
  subscriptionId: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
  tenantId: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
  initiatorObjectId: 'oid-kelley',
  policy,
};
const approvers: ApproverDirectoryPort = {
  isApprover: async (objectId) => {
    graphAsked.push(objectId);
    return objectId === 'oid-megan' || objectId === 'oid-adele';
  },
  approverIds: async () => ['oid-megan', 'oid-adele'],
  groupName: async () => 'Change Board',
};
const click = (who: string, decision: 'approve' | 'reject' = 'approve', reason?: string) => ({
  userId: `29:${who}`,
  objectId: `oid-${who}`,
  name: who,
  decision,
  reason,
  cardVersion: 1,
});

/**
 * Deps over the shared storage; `onPause` runs at each pause, after the clock moved. A wait of
 * 24 h polled hourly pauses about 25 times: a job that pauses far more never ends (the fake
 * pause never yields to timers, so the test fails here rather than hang).
 */
function deps(onPause: (d: ApprovalDeps) => Promise<void> = async () => undefined): ApprovalDeps {
  let pauses = 0;
  const d: ApprovalDeps = {
    approvals: new ApprovalStore(storage, () => now),
    changes: new ChangeRecordStore(storage),
    notices: { remind: async () => void reminders++, show: async (r) => void shown.push(r) },
    pollMs: HOUR,
    wakeups: new ApprovalWakeups(),
    pause: async (ms) => {
      if (++pauses > 100) throw new Error('still waiting after 100 pauses');
      now += ms;
      await onPause(d);
    },
  };
  return d;
}

beforeEach(async () => {
  storage = new MemoryStorage();
  now = Date.parse('2026-12-04T10:00:00Z');
  reminders = 0;
  shown = [];
  graphAsked = [];
  await storeConfirmedRecord(new ChangeRecordStore(storage), stage, now);
});

const record = () => new ChangeRecordStore(storage).get('f1');

it('ends approved when an approver approves while it waits, audited', async () => {
  let clicked = false;
  const d = deps(async (self) => {
    if (clicked) return;
    clicked = true;
    expect((await applyApprovalClick(self, approvers, 'f1', click('megan'))).kind).toBe('recorded');
  });
  await requestApproval(d, stage);
  expect((await record())?.status).toBe('awaitingApproval');
  const result = await awaitApprovalJob(d, stage);
  expect(result.outcome).toBe('approved');
  expect(result.decisions.map((x) => x.name)).toEqual(['megan']);
  const r = await record();
  expect(r?.status).toBe('approved');
  expect(r?.audit.map((a) => [a.action, a.outcome])).toEqual([
    ['approvalRequested', 'ok'],
    ['approval:approve', 'ok'],
    ['approval:approved', 'ok'],
  ]);
  expect(reminders).toBe(0);
});

it('expires after 24 h with one reminder, and a run after a restart neither reminds again nor changes the end', async () => {
  const d = deps();
  await requestApproval(d, stage);
  await requestApproval(d, stage); // the stage again after a restart: one request, one audit line
  const result = await awaitApprovalJob(d, stage);
  expect(result).toEqual({ outcome: 'expired', decisions: [] });
  expect(now).toBe(Date.parse('2026-12-05T10:00:00Z'));
  expect(reminders).toBe(1);
  const ended = await record();
  expect(await awaitApprovalJob(deps(), stage)).toEqual(result);
  expect(reminders).toBe(1);
  // The end is recorded once: the second run leaves the record as it was (its version and its
  // updatedAt, which the history card shows, included).
  expect(await record()).toEqual(ended);
  const r = await record();
  expect(r?.status).toBe('expired');
  expect(r?.audit.map((a) => a.action)).toEqual(['approvalRequested', 'approval:expired']);
});

it('continues after the instance is lost mid-wait: the reminder already sent is not sent again', async () => {
  const lost = deps(async () => {
    if (reminders === 1) throw new Error('instance lost');
  });
  await requestApproval(lost, stage);
  await expect(awaitApprovalJob(lost, stage)).rejects.toThrow('instance lost');
  expect(reminders).toBe(1);
  let clicked = false;
  const other = deps(async (self) => {
    if (!clicked) {
      clicked = true;
      await applyApprovalClick(self, approvers, 'f1', click('adele'));
    }
  });
  expect((await awaitApprovalJob(other, stage)).outcome).toBe('approved');
  expect(reminders).toBe(1);
});

it('ends rejected on a rejection with its reason; the initiator and a non-approver are refused and audited', async () => {
  const d = deps();
  await requestApproval(d, stage);
  expect(await applyApprovalClick(d, approvers, 'f1', click('kelley'))).toEqual({
    kind: 'refused',
    why: 'initiator',
  });
  expect(graphAsked).toEqual([]); // the initiator is refused without asking Graph
  expect(await applyApprovalClick(d, approvers, 'f1', click('jane'))).toEqual({
    kind: 'refused',
    why: 'notApprover',
  });
  const rejected = await applyApprovalClick(d, approvers, 'f1', click('megan', 'reject', 'freeze'));
  expect(rejected.kind).toBe('recorded');
  // A double click and a late approval change nothing.
  expect(await applyApprovalClick(d, approvers, 'f1', click('megan', 'reject', 'again'))).toEqual({
    kind: 'refused',
    why: 'ended',
  });
  expect((await applyApprovalClick(d, approvers, 'f1', click('adele'))).kind).toBe('refused');
  const result = await awaitApprovalJob(d, stage);
  expect(result.outcome).toBe('rejected');
  expect(result.decisions).toEqual([
    expect.objectContaining({ name: 'megan', decision: 'reject', reason: 'freeze' }),
  ]);
  const r = await record();
  expect(r?.status).toBe('rejected');
  expect(r?.audit.map((a) => [a.action, a.outcome, a.code])).toEqual([
    ['approvalRequested', 'ok', undefined],
    ['approval:approve', 'refused', 'initiator'],
    ['approval:approve', 'refused', 'notApprover'],
    ['approval:reject', 'ok', undefined],
    ['approval:rejected', 'refused', undefined],
  ]);
});

it('wakes a wait on this instance at once when a click decides', async () => {
  const wakeups = new ApprovalWakeups();
  let woke = false;
  let paused!: () => void;
  const inPause = new Promise<void>((resolve) => (paused = resolve));
  const d: ApprovalDeps = {
    ...deps(),
    wakeups,
    // Waits for the wake only (the clock never moves): the job ends only if the click wakes it.
    pause: (_ms, signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          woke = true;
          resolve();
        });
        paused();
      }),
  };
  await requestApproval(d, stage);
  const waiting = awaitApprovalJob(d, stage);
  await inPause;
  await applyApprovalClick(d, approvers, 'f1', click('megan'));
  expect((await waiting).outcome).toBe('approved');
  expect(woke).toBe(true);
});

it("updates the channel's card once the request ends, also on a run after a restart", async () => {
  const d = deps();
  await requestApproval(d, stage);
  expect((await applyApprovalClick(d, approvers, 'f1', click('megan'))).kind).toBe('recorded');
  expect(shown.map((r) => r.outcome)).toEqual(['approved']);
  await awaitApprovalJob(d, stage);
  expect(shown.map((r) => r.outcome)).toEqual(['approved', 'approved']);
  await awaitApprovalJob(deps(), stage);
  expect(shown.map((r) => r.outcome)).toEqual(['approved', 'approved', 'approved']);
});

it("the initiator's cancel ends a waiting request as cancelled, audited, the card updated and the wait ended", async () => {
  let cancelled = false;
  const d = deps(async (self) => {
    if (cancelled) return;
    cancelled = true;
    expect(await cancelApproval(self, 'f1')).toBe(true);
  });
  await requestApproval(d, stage);
  const result = await awaitApprovalJob(d, stage);
  expect(result.outcome).toBe('cancelled');
  const r = await record();
  expect(r?.status).toBe('cancelled');
  expect(r?.audit.map((a) => [a.action, a.by, a.outcome])).toEqual([
    ['approvalRequested', '29:kelley', 'ok'],
    ['approval:cancelled', '29:kelley', 'ok'],
  ]);
  expect(shown.map((x) => x.outcome)).toContain('cancelled');
  // A click after the cancel, and a second cancel, change nothing.
  expect(await applyApprovalClick(d, approvers, 'f1', click('megan'))).toEqual({
    kind: 'refused',
    why: 'ended',
  });
  expect(await cancelApproval(d, 'f1')).toBe(false);
});

it('a cancel after the request was approved changes nothing', async () => {
  const d = deps();
  await requestApproval(d, stage);
  await applyApprovalClick(d, approvers, 'f1', click('megan'));
  expect(await cancelApproval(d, 'f1')).toBe(false);
  expect((await awaitApprovalJob(d, stage)).outcome).toBe('approved');
});

it('a cancel with no wait running (its instance lost) records the end and updates the card itself', async () => {
  const d = deps();
  await requestApproval(d, stage);
  expect(await cancelApproval(d, 'f1')).toBe(true);
  const r = await record();
  expect(r?.status).toBe('cancelled');
  expect(r?.audit.map((a) => a.action)).toEqual(['approvalRequested', 'approval:cancelled']);
  expect(shown.map((x) => x.outcome)).toEqual(['cancelled']);
});

it("shows each answer on the channel's card while the request still waits (a policy of two)", async () => {
  const d = deps();
  await requestApproval(d, { ...stage, policy: { ...policy, required: 2 } });
  expect((await applyApprovalClick(d, approvers, 'f1', click('megan'))).kind).toBe('recorded');
  expect(shown).toEqual([
    expect.objectContaining({ decisions: [expect.objectContaining({ name: 'megan' })] }),
  ]);
  expect(shown[0]?.outcome).toBeUndefined();
  // A refused click shows nothing new.
  await applyApprovalClick(d, approvers, 'f1', click('jane'));
  expect(shown).toHaveLength(1);
});

describe('what the approval job records and when it looks again', () => {
  it('audits who was asked: the group by id, or the Global Administrator role, with the channel and the count', async () => {
    await requestApproval(deps(), stage);
    expect((await record())?.audit[0]).toMatchObject({
      by: '29:kelley',
      action: 'approvalRequested',
      target: 'group:8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48 in Changes (1)',
      outcome: 'ok',
    });
  });

  it('audits the role when the policy asks the Global Administrators', async () => {
    const rolePolicy: ApprovalPolicy = { ...policy, approvers: { kind: 'globalAdministrators' } };
    await requestApproval(deps(), { ...stage, policy: rolePolicy });
    expect((await record())?.audit[0]?.target).toBe('role:GlobalAdministrator in Changes (1)');
  });

  it('adds its audit line after those already there, once', async () => {
    await new ChangeRecordStore(storage).update('f1', (r) => {
      r.audit = [{ at: 'x', by: '29:kelley', action: 'preflight', target: 't', outcome: 'ok' }];
    });
    await requestApproval(deps(), stage);
    const requested = await record();
    await requestApproval(deps(), stage);
    expect((await record())?.audit.map((a) => a.action)).toEqual([
      'preflight',
      'approvalRequested',
    ]);
    // Once: the second request leaves the record as it was (version and updatedAt included).
    expect(await record()).toEqual(requested);
  });

  it('looks again at each poll, at the reminder and at the expiry, never later', async () => {
    const pauses: number[] = [];
    const d = { ...deps(), pollMs: 24 * HOUR };
    const counted = d.pause!;
    await requestApproval(d, stage);
    await awaitApprovalJob(
      {
        ...d,
        pause: async (ms, signal) => {
          pauses.push(ms);
          await counted(ms, signal);
        },
      },
      stage,
    );
    // Half-way to the 24 h expiry the reminder is due, then the expiry.
    expect(pauses).toEqual([12 * HOUR, 12 * HOUR]);
    expect(reminders).toBe(1);
  });

  it('fails when the request is missing', async () => {
    await expect(awaitApprovalJob(deps(), stage)).rejects.toThrow('no approval request for f1');
  });

  it('records the end at the time the request ended, by whom it ended', async () => {
    const d = deps(async (self) => {
      if ((await self.approvals.get('f1'))?.decisions.length === 0)
        await applyApprovalClick(self, approvers, 'f1', click('megan'));
    });
    await requestApproval(d, stage);
    await awaitApprovalJob(d, stage);
    expect((await record())?.audit.at(-1)).toMatchObject({
      at: '2026-12-04T11:00:00.000Z',
      by: '29:megan',
      action: 'approval:approved',
      outcome: 'ok',
    });
  });

  it('records an expiry by tenantlink, at the expiry', async () => {
    const d = deps();
    await requestApproval(d, stage);
    await awaitApprovalJob(d, stage);
    expect((await record())?.audit.at(-1)).toMatchObject({
      at: '2026-12-05T10:00:00.000Z',
      by: 'tenantlink',
      action: 'approval:expired',
      outcome: 'refused',
    });
  });
});

describe('a click', () => {
  it('on a request that does not exist is refused as ended', async () => {
    expect(await applyApprovalClick(deps(), approvers, 'f1', click('megan'))).toEqual({
      kind: 'refused',
      why: 'ended',
    });
  });

  it('by the initiator is refused whether its Teams id or its object id says so', async () => {
    const d = deps();
    await requestApproval(d, stage);
    expect(
      await applyApprovalClick(d, approvers, 'f1', { ...click('megan'), userId: '29:kelley' }),
    ).toEqual({ kind: 'refused', why: 'initiator' });
    expect(
      await applyApprovalClick(d, approvers, 'f1', { ...click('megan'), objectId: 'oid-kelley' }),
    ).toEqual({ kind: 'refused', why: 'initiator' });
    expect(graphAsked).toEqual([]);
  });

  it('that is refused does not wake the wait; one that is recorded does, also with no wait listening', async () => {
    const wakeups = new ApprovalWakeups();
    let signal!: AbortSignal;
    let paused!: () => void;
    const inPause = new Promise<void>((resolve) => (paused = resolve));
    const d: ApprovalDeps = {
      ...deps(),
      wakeups,
      pause: (_ms, s) =>
        new Promise<void>((resolve) => {
          signal = s;
          s.addEventListener('abort', () => resolve());
          paused();
        }),
    };
    await requestApproval(d, stage);
    const waiting = awaitApprovalJob(d, stage);
    await inPause;
    await applyApprovalClick(d, approvers, 'f1', click('jane'));
    expect(signal.aborted).toBe(false);
    await applyApprovalClick({ ...d, wakeups: undefined }, approvers, 'f1', click('megan'));
    expect(signal.aborted).toBe(false);
    wakeups.wake('f1');
    expect((await waiting).outcome).toBe('approved');
  });
});

describe('ApprovalWakeups', () => {
  it('wakes the waits still listening, not those that ended', () => {
    const w = new ApprovalWakeups();
    const ended = w.listen('f1');
    const first = w.listen('f1');
    const second = w.listen('f1');
    ended.done();
    first.done();
    w.wake('f1');
    expect([ended.signal.aborted, first.signal.aborted, second.signal.aborted]).toEqual([
      false,
      false,
      true,
    ]);
  });
});
