import { IDS } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { viewAs } from '../helpers/cardViews';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';
import { changeBoardPolicy } from '../helpers/approvalPolicy';

/**
 * The approval's one reminder through real HTTP (issue 29: the wait "reminds once"): the link
 * confirmed under a policy, the approvals' clock (the harness's, moved by the test) taken past
 * the reminder point (half the expiry, src/domain/approval.ts `reminderAt`): exactly one reminder
 * reaches the policy's channel, and one reaches the initiator in the link's chat; the wait goes on looking at its request, the clock moves on
 * towards the expiry, and no second reminder comes.
 */

const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';
const POLICY = changeBoardPolicy(TEAM);

let h: Harness;
let clock: number;
/** How often the bot has read the approvals' clock: each look of the wait reads it. */
let reads: number;

beforeEach(async () => {
  clock = Date.parse('2026-12-01T09:00:00Z');
  reads = 0;
  h = await startHarness(
    {},
    undefined,
    {},
    {
      now: () => {
        reads += 1;
        return clock;
      },
      approvalPollMs: 20,
    },
  );
  await h.channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});
afterEach(async () => h?.stop());

/** The messages sent to a conversation whose text matches `pattern`. */
const sent = (conversationId: string, pattern: RegExp): number =>
  h.channel
    .activities(conversationId)
    .filter(
      (a) =>
        a.kind === 'send' &&
        pattern.test(cardText(a.activity.attachments?.[0]?.content ?? a.activity.text ?? '')),
    ).length;

/** The reminders posted in the team channel. */
const reminders = (): number => sent(TEAM, /^Reminder: Kelley Wall still waits/m);

/** The reminders sent to the initiator, in the link's chat. */
const initiatorReminders = (): number =>
  sent(chat, /^Reminder: your directory change still waits for approval\. .*Contoso IT/m);

/** Waits until the bot has read the approvals' clock `n` more times (the wait looked again). */
async function looks(n: number): Promise<void> {
  const target = reads + n;
  await until(() => reads >= target);
}

const status = async (flowId: string): Promise<string | undefined> =>
  (await h.app.changes.get(flowId))?.status;

it('reminds once, in the policy channel, when half the expiry has passed', async () => {
  await new ApprovalPolicyStore(h.app.storage).set(IDS.tenants.contoso, POLICY, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  await linkUpToConfirm(h);
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(await status(flowId)).toBe('awaitingApproval');
  const approvalCard = h.channel.lastCard(TEAM);

  // Before the reminder point: the wait looks, and reminds no one.
  clock += POLICY.expiryMs / 2 - 60_000;
  await looks(20);
  expect(reminders()).toBe(0);
  expect(initiatorReminders()).toBe(0);

  // Past it: one reminder in the channel, and one to the initiator in the link's chat.
  clock += 2 * 60_000;
  await until(() => reminders() > 0);
  // The wait looks at its clock again only once the reminder's sends are done.
  await looks(3);
  expect(reminders()).toBe(1);
  expect(initiatorReminders()).toBe(1);

  // The wait goes on looking, towards the expiry: no second reminder.
  await looks(20);
  clock += POLICY.expiryMs / 2 - 2 * 60_000;
  await looks(20);
  expect(await status(flowId)).toBe('awaitingApproval');
  expect(reminders()).toBe(1);
  expect(initiatorReminders()).toBe(1);

  // Approved before the expiry: the link goes on, still one reminder.
  const { id, card } = await viewAs(h.channel, USERS.megan, approvalCard, TEAM);
  const r = await h.channel.invoke(
    USERS.megan,
    'approval.approve',
    actionData(card, 'approval.approve'),
    id,
    TEAM,
  );
  expect(r.body?.value).toBe('Your answer was recorded.');
  await until(async () => (await status(flowId)) === 'verified');
  await h.app.background.idle();
  expect(reminders()).toBe(1);
  expect(initiatorReminders()).toBe(1);
});
