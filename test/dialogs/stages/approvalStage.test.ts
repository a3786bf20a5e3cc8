import {
  DEFAULT_APPROVAL_EXPIRY_MS,
  newApprovalRequest,
  type ApprovalOutcome,
  type ApprovalPolicy,
} from '../../../src/domain/approval';
import type { PlannedWrite } from '../../../src/domain/model';
import { ApprovalDialog, type ApprovalAsked } from '../../../src/dialogs/link/approvalDialog';
import type { ApprovalDeps, ApprovalStage } from '../../../src/link/approvalJob';
import type { ConfirmedFlow } from '../../../src/link/stages';
import type { ChangeRecord } from '../../../src/state/changeRecords';
import { CHOSEN } from './fixtures';
import { FakeBackground, StageHarness, basePorts } from './stageHarness';

/**
 * The approval stage (issue 29) on fake ports: without a policy it passes the flow on; with one,
 * what its approval port answers decides what it does: a request made → the card posted in the
 * policy's channel, "waiting" shown, and the approval job's outcome; writes recorded instead →
 * on to the move with them on the flow's plan, nothing posted or awaited.
 */

const POLICY: ApprovalPolicy = {
  required: 1,
  approvers: { kind: 'globalAdministrators' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
};

const APPROVAL_WRITE: PlannedWrite = {
  method: 'POST',
  path: `/teams/${POLICY.channel.teamId}/approval`,
  summary: 'ask the Global Administrators',
};

interface Case {
  readonly name: string;
  readonly policy?: ApprovalPolicy;
  /** What the approval port answers: a request made, or the writes recorded. */
  readonly asked: 'requested' | 'recorded';
  /** How the request ended (the approval job's outcome), or the job failed. */
  readonly job?: ApprovalOutcome | 'fails';
  readonly ended: { next: ConfirmedFlow } | { outcome: string };
  /** Whether the approval card was posted in the policy's channel. */
  readonly posted: boolean;
}

const CASES: Case[] = [
  {
    name: 'no policy: on, unchanged',
    asked: 'requested',
    ended: { next: CHOSEN },
    posted: false,
  },
  {
    name: 'approved',
    policy: POLICY,
    asked: 'requested',
    job: 'approved',
    ended: { next: CHOSEN },
    posted: true,
  },
  {
    name: 'rejected',
    policy: POLICY,
    asked: 'requested',
    job: 'rejected',
    ended: { outcome: 'rejected' },
    posted: true,
  },
  {
    name: 'expired',
    policy: POLICY,
    asked: 'requested',
    job: 'expired',
    ended: { outcome: 'expired' },
    posted: true,
  },
  {
    name: 'cancelled',
    policy: POLICY,
    asked: 'requested',
    job: 'cancelled',
    ended: { outcome: 'cancelled' },
    posted: true,
  },
  {
    name: 'the wait failed',
    policy: POLICY,
    asked: 'requested',
    job: 'fails',
    ended: { outcome: 'failed' },
    posted: true,
  },
  {
    name: 'the request recorded: on with it on the plan, nothing posted',
    policy: POLICY,
    asked: 'recorded',
    ended: { next: { ...CHOSEN, plan: [APPROVAL_WRITE] } },
    posted: false,
  },
];

it.each(CASES)('ends $name', async (c) => {
  const background = new FakeBackground();
  const posted: string[] = [];
  const rosterAsked: string[][] = [];
  const asked: ApprovalStage[] = [];
  const cardsKept: unknown[] = [];
  // The approval job's store: the request as it ended (none: the job fails).
  const approval = {
    approvals: {
      settle: async (flowId: string) =>
        c.job === 'fails' ? undefined : { flowId, outcome: c.job, decisions: [] },
      setCard: async (_flowId: string, card: unknown) => void cardsKept.push(card),
    },
    changes: { update: async () => ({}) },
  } as unknown as ApprovalDeps;
  const stage = new ApprovalDialog({
    ...basePorts(),
    policies: { get: async () => c.policy ?? null },
    approval,
    requestApproval: async (s): Promise<ApprovalAsked> => {
      asked.push(s);
      return c.asked === 'recorded'
        ? { kind: 'recorded', writes: [APPROVAL_WRITE] }
        : { kind: 'requested', request: newApprovalRequest(s, Date.now()) };
    },
    changes: { get: async () => ({ backup: [] }) as unknown as ChangeRecord },
    background,
    // The team's roster: the approver's member id (`29:…`) for her Entra object id.
    channel: {
      postForMembers: async (teamId, objectIds, card) => {
        posted.push(teamId);
        rosterAsked.push([...objectIds]);
        const roster = new Map([['oid-m', '29:m']]);
        card(objectIds.flatMap((id) => roster.get(id.toLowerCase()) ?? []));
        return 'activity-1';
      },
    },
    approverDirectory: () => ({
      isApprover: async () => true,
      approverIds: async () => ['OID-M'],
      groupName: async () => undefined,
    }),
  });
  const h = new StageHarness<ConfirmedFlow>(stage, background);
  await h.begin(CHOSEN);
  if (c.job !== undefined) {
    // Waiting for the approvers: the initiator is told so.
    expect(h.ended).toBeUndefined();
    expect(JSON.stringify(h.lastCard())).toMatch(/[Ww]aiting/);
    await h.finishJob();
  }
  expect(h.ended).toEqual(
    'next' in c.ended ? c.ended : { ended: { outcome: c.ended.outcome, flowId: CHOSEN.flowId } },
  );
  expect(posted).toEqual(c.posted ? [POLICY.channel.teamId] : []);
  // The posted card is kept with the request: its message, and the approvers its refresh names.
  expect(cardsKept).toEqual(
    c.posted ? [expect.objectContaining({ activityId: 'activity-1', userIds: ['29:m'] })] : [],
  );
  // The roster is asked for the approvers Graph listed.
  expect(rosterAsked).toEqual(c.posted ? [['OID-M']] : []);
  // The port is asked only under a policy, with the flow and the policy.
  expect(asked).toEqual(
    c.policy
      ? [expect.objectContaining({ flowId: CHOSEN.flowId, policy: c.policy, tenantId: 'contoso' })]
      : [],
  );
});
