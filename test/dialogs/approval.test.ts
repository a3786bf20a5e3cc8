import type { ApprovalPolicy } from '../../src/domain/approval';
import type { RecordedCall } from '../../src/sandbox';
import { IDS } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { actionData, cardText, personalChat, type TeamsUser } from '../helpers/teamsChannel';
import {
  USERS,
  click,
  dryRunPlan,
  linkUpToConfirm,
  runLink,
  startHarness,
  type Harness,
} from '../helpers/testApp';
import { until } from '../helpers/until';
import { changeBoardPolicy } from '../helpers/approvalPolicy';

/**
 * The approval stage through real HTTP (issue 29): the link as the test channel drives it, the
 * sandbox cloud behind it. Without a policy the link goes on to the move as before; with one the
 * directory change is requested only after the approval, once.
 */

const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';
/** Nestor: in the change board through the nested on-call group (not a user of the harness). */
const NESTOR: TeamsUser = {
  id: 'user-id-4',
  name: 'Nestor Wilke',
  aadObjectId: IDS.users.nestorContoso,
};
const POLICY = changeBoardPolicy(TEAM);

let h: Harness;
let calls: RecordedCall[];
let clock: number;

beforeEach(async () => {
  calls = [];
  clock = Date.parse('2026-12-01T09:00:00Z');
  h = await startHarness(
    {},
    undefined,
    { recorder: (c) => calls.push(c) },
    { now: () => clock, approvalPollMs: 20 },
  );
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});
afterEach(async () => h?.stop());

/** The ARM calls that ask Azure to change the subscription's directory. */
const changeRequests = (): RecordedCall[] =>
  calls.filter((c) => c.api === 'arm' && c.method !== 'GET' && /changeTenantRequest/i.test(c.path));

const status = async (flowId: string): Promise<string | undefined> =>
  (await h.app.changes.get(flowId))?.status;

/** Sets the policy, runs the link up to the confirmation and confirms; returns the flow id. */
async function confirmUnderPolicy(policy: ApprovalPolicy | null): Promise<string> {
  if (policy)
    await new ApprovalPolicyStore(h.app.storage).set(IDS.tenants.contoso, policy, {
      id: USERS.kelley.id,
      name: USERS.kelley.name,
    });
  await linkUpToConfirm(h);
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  return flowId;
}

/**
 * `user` clicks `verb` on the approval card in the team channel (with the card's ids, as an
 * approver's own view sends them; a non-approver's click is a forged or an old card's).
 */
async function answer(user: TeamsUser, verb: string, inputs: Record<string, string> = {}) {
  const posted = h.channel
    .activities(TEAM)
    .filter((a) => a.kind === 'send' && a.activity.attachments?.[0]?.content?.refresh)
    .at(-1)!;
  const card = posted.activity.attachments[0].content as Record<string, unknown>;
  const { flowId, cardId } = (card.refresh as { action: { data: Record<string, unknown> } }).action
    .data;
  const r = await h.channel.invoke(user, verb, { flowId, cardId, ...inputs }, posted.id, TEAM);
  expect(r.status).toBe(200);
  return String(r.body?.value ?? '');
}

it('without a policy goes on to the move as before (no approval card, no waiting card)', async () => {
  const flowId = await confirmUnderPolicy(null);
  expect(await status(flowId)).toBe('verified');
  expect(h.channel.texts(chat).join(' ')).not.toMatch(/approval/i);
  expect(changeRequests().length).toBeGreaterThan(0);
});

it('with a policy waits for one approver, then moves, the change requested once', async () => {
  const flowId = await confirmUnderPolicy(POLICY);
  expect(await status(flowId)).toBe('awaitingApproval');
  expect(cardText(h.channel.lastCard(chat).card)).toContain('Waiting for approval');
  expect(cardText(h.channel.lastCard(TEAM).card)).toContain('Pay-As-You-Go');
  expect(changeRequests()).toEqual([]);

  expect(await answer(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
  await until(async () => (await status(flowId)) === 'verified');
  await h.app.background.idle();
  const record = (await h.app.changes.get(flowId))!;
  expect(record.audit.map((a) => a.action)).toEqual(
    expect.arrayContaining(['approvalRequested', 'approval:approve', 'approval:approved']),
  );
  // The directory change was asked after the approval, and only once.
  const approvedAt = record.audit.findIndex((a) => a.action === 'approval:approved');
  const requestedAt = record.audit.findIndex((a) => a.action === 'changeTenantRequest');
  expect(requestedAt).toBeGreaterThan(approvedAt);
  expect(changeRequests().filter((c) => c.method === 'POST' || c.method === 'PUT')).toHaveLength(1);
});

it('a rejection ends the link with nothing changed and the lock released', async () => {
  const flowId = await confirmUnderPolicy(POLICY);
  expect(await answer(NESTOR, 'approval.reject', { reason: 'Not during the freeze' })).toBe(
    'Your answer was recorded.',
  );
  await until(async () => (await status(flowId)) === 'rejected');
  await until(() => h.channel.texts(chat).some((t) => /Rejected/.test(t)));
  expect(changeRequests()).toEqual([]);
  const sub = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  expect(sub.tenantId).toBe(IDS.tenants.defaultDirectory);
  // The lock is released: a new link reaches the confirm card again.
  await h.channel.say(USERS.kelley, 'link');
  expect(cardText(h.channel.lastCard(chat).card)).not.toMatch(/already being linked/);
});

it('expires when nobody answers in time: the link ends with nothing changed', async () => {
  const flowId = await confirmUnderPolicy(POLICY);
  clock += POLICY.expiryMs + 1;
  await until(async () => (await status(flowId)) === 'expired');
  await until(() => h.channel.texts(chat).some((t) => /Expired/.test(t)));
  expect(changeRequests()).toEqual([]);
  // An answer after the expiry changes nothing.
  expect(await answer(USERS.megan, 'approval.approve')).toMatch(/has ended/);
});

it('refuses the initiator and a non-approver; the request still waits', async () => {
  const flowId = await confirmUnderPolicy(POLICY);
  expect(await answer(USERS.kelley, 'approval.approve')).toMatch(/someone else must approve/);
  expect(await answer(USERS.jane, 'approval.approve')).toMatch(/not one of the approvers/);
  expect(await status(flowId)).toBe('awaitingApproval');
  const refused = (await h.app.changes.get(flowId))!.audit.filter((a) => a.outcome === 'refused');
  expect(refused.map((a) => a.code)).toEqual(['initiator', 'notApprover']);
  expect(changeRequests()).toEqual([]);
});

it("an approver's double click counts once; two approvers are needed under a policy of two", async () => {
  const flowId = await confirmUnderPolicy({ ...POLICY, required: 2 });
  expect(await answer(USERS.megan, 'approval.approve')).toBe('Your answer was recorded.');
  expect(await answer(USERS.megan, 'approval.approve')).toBe('You have already answered.');
  expect(await status(flowId)).toBe('awaitingApproval');
  expect(changeRequests()).toEqual([]);
  expect(await answer(NESTOR, 'approval.approve')).toBe('Your answer was recorded.');
  await until(async () => (await status(flowId)) === 'verified');
  const approvals = (await h.app.changes.get(flowId))!.audit.filter(
    (a) => a.action === 'approval:approve' && a.outcome === 'ok',
  );
  expect(approvals.map((a) => a.by)).toEqual([USERS.megan.id, NESTOR.id]);
});

it('a dry run lists the approval step and posts no approval card', async () => {
  await new ApprovalPolicyStore(h.app.storage).set(IDS.tenants.contoso, POLICY, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  const before = h.channel.activities(TEAM).length;
  await runLink(h, { command: 'link --dry-run' });
  expect(h.sandbox.writeLog()).toEqual([]);
  const plan = dryRunPlan(h, chat);
  expect(plan[0]).toBe(`POST /teams/${TEAM}/approval`);
  // No approval card: only the dry run's notice reached the channel.
  const posted = h.channel.activities(TEAM).slice(before);
  expect(posted.map((a) => cardText(a.activity.attachments[0].content)).join(' ')).not.toMatch(
    /Approval needed/,
  );
});

describe('the policy command', () => {
  const janeChat = personalChat(USERS.jane);

  it('is listed by help', async () => {
    await h.channel.say(USERS.kelley, 'help');
    expect(h.channel.texts(chat).at(-1)).toMatch(/\*\*policy\*\*/);
  });

  it('shows a Global Administrator the policy card; Save stores the policy, audited', async () => {
    await h.channel.say(USERS.kelley, 'policy');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    expect(cardText(h.channel.lastCard(chat).card)).toContain('Approval policy');
    const r = await click(h, USERS.kelley, chat, 'policy.save', {
      approvers: 'group',
      groupId: IDS.groups.contosoChangeBoard,
      required: '2',
      channel: TEAM,
      expiryHours: '12',
    });
    expect(r.body?.value).toBe('Approval policy saved.');
    const stored = await new ApprovalPolicyStore(h.app.storage).read(IDS.tenants.contoso);
    expect(stored.policy).toEqual(
      expect.objectContaining({
        required: 2,
        expiryMs: 12 * 3600_000,
        channel: expect.objectContaining({ teamId: TEAM, name: 'Contoso IT' }),
        approvers: expect.objectContaining({ groupId: IDS.groups.contosoChangeBoard }),
      }),
    );
    expect(stored.changes.map((c) => c.by)).toEqual([USERS.kelley.id]);
  });

  it('refuses anyone but a Global Administrator, on the command and on Save', async () => {
    await h.channel.say(USERS.jane, 'policy', janeChat);
    await click(h, USERS.jane, janeChat, 'signin.select', {
      choice: `jane-work|${IDS.tenants.contoso}`,
    });
    expect(h.channel.texts(janeChat).at(-1)).toMatch(/Only a Global Administrator/);
    // A Save from Kelley's card, clicked by Jane (signed in, no role), changes nothing.
    await h.channel.say(USERS.kelley, 'policy');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    const { id, card } = h.channel.lastCard(chat);
    const r = await h.channel.invoke(
      USERS.jane,
      'policy.save',
      { ...actionData(card, 'policy.save'), approvers: 'off' },
      id,
      janeChat,
    );
    expect(r.body?.value).toMatch(/Only a Global Administrator/);
    expect(
      (await new ApprovalPolicyStore(h.app.storage).read(IDS.tenants.contoso)).changes,
    ).toEqual([]);
  });
});
