import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app';
import type { ApprovalPolicy } from '../../src/domain/approval';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { ApprovalPolicyStore } from '../../src/state/approvalPolicies';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { testLogging } from '../helpers/logging';
import { TeamsChannel, actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, localTestConfig, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * The approval wait survives a restart (issue 29): the bot's state in the embedded store on disk;
 * the link confirmed under a policy, the bot stopped while it waits, started again; the
 * approver's click on the restarted bot lets the link go on to the move, requested once.
 */

const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';
const POLICY: ApprovalPolicy = {
  required: 1,
  approvers: { kind: 'group', groupId: IDS.groups.contosoChangeBoard, groupName: 'Change Board' },
  channel: { teamId: TEAM, channelId: TEAM, name: 'Contoso IT' },
  expiryMs: 24 * 3600_000,
};

let sandbox: SandboxCloud;
let channel: TeamsChannel;
let dir: string;
let storage: EmbeddedStorage;
let app: App;

async function boot(): Promise<void> {
  storage = await EmbeddedStorage.open(dir);
  app = await startApp(localTestConfig({ CLOUD_TIMEOUT_MS: '2000', CLOUD_MAX_RETRIES: '1' }), {
    sandbox,
    storage,
    approvalPollMs: 20,
  });
  channel.retarget(`${app.server.url}/api/messages`);
}

async function stop(): Promise<void> {
  await app.stop();
  await storage.close();
}

const h = (): Harness => ({ sandbox, app, channel, stop: async () => undefined });

beforeEach(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-approval-'));
  channel = new TeamsChannel('http://127.0.0.1:9/api/messages');
  await channel.start();
  await boot();
  await channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});

afterEach(async () => {
  await channel.stop();
  await stop();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

it('an approval after a restart lets the link go on to the move, requested once', async () => {
  await new ApprovalPolicyStore(storage).set(IDS.tenants.contoso, POLICY, {
    id: USERS.kelley.id,
    name: USERS.kelley.name,
  });
  await linkUpToConfirm(h());
  const flowId = String(actionData(channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect((await app.changes.get(flowId))?.status).toBe('awaitingApproval');

  await stop();
  await boot();

  // Megan's client refreshes the channel's card on the restarted bot: her view has the buttons.
  const { id, card } = channel.lastCard(TEAM);
  const refresh = (card.refresh as { action: { verb: string; data: Record<string, unknown> } })
    .action;
  const view = await channel.invoke(USERS.megan, refresh.verb, refresh.data, id, TEAM);
  const data = actionData(view.body?.value as Record<string, unknown>, 'approval.approve');
  const r = await channel.invoke(USERS.megan, 'approval.approve', data, id, TEAM);
  expect(r.status).toBe(200);
  await until(async () => (await app.changes.get(flowId))?.status === 'verified');
  await app.background.idle();
  const requests = sandbox
    .snapshot()
    .changeTenantRequests.filter((q) => q.subscriptionId === IDS.subscriptions.payAsYouGo);
  expect(requests).toHaveLength(1);
});
