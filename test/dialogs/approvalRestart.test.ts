import { IDS } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { DISK_BOT_TEAM, startBotOnDisk, type BotOnDisk } from '../helpers/botOnDisk';
import { actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm } from '../helpers/testApp';
import { until } from '../helpers/until';
import { changeBoardPolicy } from '../helpers/approvalPolicy';

/**
 * The approval wait survives a restart (issue 29): the bot's state in the embedded store on disk;
 * the link confirmed under a policy, the bot stopped while it waits, started again; the
 * approver's click on the restarted bot lets the link go on to the move, requested once.
 */

const chat = personalChat(USERS.kelley);
const TEAM = DISK_BOT_TEAM;
const POLICY = changeBoardPolicy(TEAM);

let bot: BotOnDisk;

beforeEach(async () => {
  bot = await startBotOnDisk({
    prefix: 'tenantlink-approval-',
    appOptions: { approvalPollMs: 20 },
  });
});

afterEach(async () => bot?.dispose());

it('an approval after a restart lets the link go on to the move, requested once', async () => {
  await new ApprovalPolicyStore(bot.storage).set(IDS.tenants.contoso, POLICY, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  await linkUpToConfirm(bot.harness());
  const flowId = String(actionData(bot.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(bot.harness(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect((await bot.app.changes.get(flowId))?.status).toBe('awaitingApproval');

  await bot.stop();
  await bot.boot();

  // Megan's client refreshes the channel's card on the restarted bot: her view has the buttons.
  const { id, card } = bot.channel.lastCard(TEAM);
  const refresh = (card.refresh as { action: { verb: string; data: Record<string, unknown> } })
    .action;
  const view = await bot.channel.invoke(USERS.megan, refresh.verb, refresh.data, id, TEAM);
  const data = actionData(view.body?.value as Record<string, unknown>, 'approval.approve');
  const r = await bot.channel.invoke(USERS.megan, 'approval.approve', data, id, TEAM);
  expect(r.status).toBe(200);
  await until(async () => (await bot.app.changes.get(flowId))?.status === 'verified');
  await bot.app.background.idle();
  const requests = bot.sandbox
    .snapshot()
    .changeTenantRequests.filter((q) => q.subscriptionId === IDS.subscriptions.payAsYouGo);
  expect(requests).toHaveLength(1);
});
