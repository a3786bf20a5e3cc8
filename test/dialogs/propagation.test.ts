import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { testLogging } from '../helpers/logging';
import { TeamsChannel, actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, type Harness, localTestConfig } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * After the directory change is accepted, the new directory can take a long time to show the
 * subscription (Microsoft: up to hours). The sandbox models it (`propagationDelayMs`: ARM answers
 * 404 SubscriptionNotFound to the new directory meanwhile); tenantlink waits for it in the
 * background, grants only once the subscription is visible, survives a restart while waiting
 * without requesting or accepting again, and never reports a move that succeeded as failed.
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);

let sandbox: SandboxCloud;
let channel: TeamsChannel;
let dir: string;
let storage: EmbeddedStorage;
let app: App;

async function boot(env: Record<string, string> = {}): Promise<void> {
  storage = await EmbeddedStorage.open(dir);
  app = await startApp(
    localTestConfig({
      CLOUD_TIMEOUT_MS: '3000',
      CLOUD_MAX_RETRIES: '1',
      PROPAGATION_POLL_MS: '50',
      PROPAGATION_MAX_POLL_MS: '200',
      ...env,
    }),
    { sandbox, storage },
  );
  channel.retarget(`${app.server.url}/api/messages`);
}

async function crash(): Promise<void> {
  await storage.close();
  await app.stop();
}

const h = (): Harness => ({ sandbox, app, channel, stop: async () => undefined });
const sub = () => sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
const writes = (pattern: RegExp) => sandbox.writeLog().filter((w) => pattern.test(w.path));

beforeEach(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-propagation-'));
  channel = new TeamsChannel('http://127.0.0.1:9/api/messages');
  await channel.start();
});

afterEach(async () => {
  await channel.stop();
  await crash();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

it('waits for the new directory to show the subscription, then grants', async () => {
  await boot();
  await linkUpToConfirm(h());
  sandbox.setFaults({ propagationDelayMs: 1500 });
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  const visibleFrom = sub().visibleFrom!;
  expect(channel.texts(chat)).toContain('Verified: Pay-As-You-Go now trusts Contoso.');
  await click(h(), USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  });
  const grant = sub().roleAssignments.find((a) => a.principalId === IDS.users.janeContoso)!;
  expect(Date.parse(grant.createdOn)).toBeGreaterThanOrEqual(visibleFrom);
  expect(writes(/changeTenantRequest\/default$/)).toHaveLength(1);
  expect(writes(/acceptChangeTenant$/)).toHaveLength(1);
});

it('survives a restart while waiting: no second request or acceptance, the link goes on', async () => {
  await boot();
  await linkUpToConfirm(h());
  sandbox.setFaults({ propagationDelayMs: 3000 });
  const confirm = channel.lastCard(chat);
  const data = { ...actionData(confirm.card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
  const dying = channel.invoke(USERS.kelley, 'move.confirm', data, confirm.id, chat);
  // Accepted: the bot now waits for Contoso to show the subscription; it dies meanwhile.
  await until(() => sub().tenantId === T.contoso);
  await dying;
  await crash();

  await boot();
  await until(() => channel.texts(chat).includes('Verified: Pay-As-You-Go now trusts Contoso.'));
  await app.background.idle();
  expect(writes(/changeTenantRequest\/default$/)).toHaveLength(1);
  expect(writes(/acceptChangeTenant$/)).toHaveLength(1);
  expect(channel.texts(chat).join('\n')).not.toMatch(/TL-|could not verify/);
  await click(h(), USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  });
  expect(sub().roleAssignments.some((a) => a.principalId === IDS.users.janeContoso)).toBe(true);
});

it('tells the admin the move stands when the new directory is slower than the wait, never that it failed', async () => {
  await boot({ PROPAGATION_TIMEOUT_MS: '300' });
  await linkUpToConfirm(h());
  sandbox.setFaults({ propagationDelayMs: 600_000 });
  const flowId = String(actionData(channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(sub().tenantId).toBe(T.contoso);
  expect(channel.texts(chat).at(-1)).toMatch(/does not show it yet/);
  expect(channel.texts(chat).join('\n')).not.toMatch(/TL-|could not verify|went wrong/);
  expect((await app.changes.get(flowId))?.status).toBe('moveAccepted');
  expect(writes(/roleAssignments\//)).toHaveLength(0);
});
