import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App } from '../../src/app';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { testLogging } from '../helpers/logging';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { TeamsChannel, actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, type Harness, localTestConfig } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * Restarts: the bot's state lives in the embedded store on disk, sign-ins in the (sandbox) token
 * service. A restart between turns, or a crash in the middle of the directory change (the dying
 * turn can write nothing more), resumes from what was stored and ends with exactly one move and
 * one role assignment per chosen user.
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);
const TEAM = '19:contoso-it@thread.tacv2';

let sandbox: SandboxCloud;
let channel: TeamsChannel;
let dir: string;
let storage: EmbeddedStorage;
let app: App;

async function boot(env: Record<string, string> = {}): Promise<void> {
  storage = await EmbeddedStorage.open(dir);
  app = await startApp(
    localTestConfig({
      CLOUD_TIMEOUT_MS: '2000',
      CLOUD_MAX_RETRIES: '1',
      ...env,
    }),
    { sandbox, storage },
  );
  channel.retarget(`${app.server.url}/api/messages`);
}

/** Stops the bot; its store is closed first, so a turn still running can persist nothing. */
async function crash(): Promise<void> {
  await storage.close();
  await app.stop();
}

/** Whether the acceptance of the directory change has reached the sandbox. */
const acceptTried = (): boolean =>
  sandbox.writeLog().some((w) => /acceptChangeTenant$/i.test(w.path));
const tenantOf = (id: string): string | undefined =>
  sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === id)?.tenantId;

const h = (): Harness => ({ sandbox, app, channel, stop: async () => undefined });

beforeEach(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  dir = await mkdtemp(join(tmpdir(), 'tenantlink-restart-'));
  channel = new TeamsChannel('http://127.0.0.1:9/api/messages');
  await channel.start();
  await boot();
  await channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
});

afterEach(async () => {
  await channel.stop();
  await crash();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

async function upToConfirm(): Promise<void> {
  await channel.say(USERS.kelley, 'link');
  await click(h(), USERS.kelley, chat, 'link.start');
  await click(h(), USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
  await click(h(), USERS.kelley, chat, 'signin.select', {
    choice: `kelley-msa|${T.defaultDirectory}`,
  });
  await click(h(), USERS.kelley, chat, 'subscription.choose', { subscriptionId: S.payAsYouGo });
  await click(h(), USERS.kelley, chat, 'impact.continue');
}

/** Clicks Confirm again on the card as it was before the crash. */
async function resend(confirm: { id: string; card: Record<string, unknown> }): Promise<void> {
  const data = { ...actionData(confirm.card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
  const r = await channel.invoke(USERS.kelley, 'move.confirm', data, confirm.id, chat);
  expect(r.status).toBe(200);
  await app.background.idle();
}

async function grantAndCheck(): Promise<void> {
  await click(h(), USERS.kelley, chat, 'access.grant', {
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Contributor',
  });
  const state = sandbox.snapshot();
  const sub = state.subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  expect(sub.tenantId).toBe(T.contoso);
  expect(state.changeTenantRequests.filter((r) => r.subscriptionId === S.payAsYouGo)).toEqual([
    expect.objectContaining({ status: 'Completed' }),
  ]);
  for (const principalId of [IDS.users.janeContoso, IDS.users.triciaContoso]) {
    expect(
      sub.roleAssignments.filter(
        (a) => a.principalId === principalId && a.roleDefinitionId === BUILT_IN_ROLES.Contributor,
      ),
    ).toHaveLength(1);
  }
  // The team reference saved before the restart still reaches the channel.
  expect(channel.activities(TEAM).filter((a) => a.kind === 'send')).toHaveLength(1);
}

it('resumes after a restart between turns (at the confirm card)', async () => {
  await upToConfirm();
  await crash();
  await boot();
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await grantAndCheck();
});

it('keeps the subscription admin signed in across a restart in local mode without TOKEN_CACHE_KEY (issue 25, defect 4)', async () => {
  // Local mode out of the box: no key configured, the store in its data folder.
  const outOfTheBox = { TOKEN_CACHE_KEY: '', STORAGE_DIR: dir };
  await crash();
  await boot(outOfTheBox);
  await upToConfirm();
  await crash();
  await boot(outOfTheBox);
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(channel.texts(chat).join('\n')).not.toMatch(/sign-in has expired/i);
  await grantAndCheck();
});

it('resumes after a crash between the change request and its acceptance, without a second request', async () => {
  await upToConfirm();
  // Azure keeps refusing the acceptance while the bot dies.
  sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', status: 503, retryAfterSeconds: 1 }],
  });
  const confirmCard = channel.lastCard(chat);
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await until(() => acceptTried());
  expect(sandbox.snapshot().changeTenantRequests).toEqual([
    expect.objectContaining({ status: 'Initiated' }),
  ]);
  await crash();
  await dying.catch(() => undefined);
  sandbox.setFaults({});

  await boot();
  // The bot died before answering: the confirm card is still shown, and Teams resends the
  // invoke (or the admin clicks again).
  await resend(confirmCard);
  await grantAndCheck();
});

it('resumes after a crash right after the move was accepted, without moving twice', async () => {
  await upToConfirm();
  // The acceptance reaches Azure, but its answer comes after the bot died.
  sandbox.setFaults({ rules: [{ api: 'arm', path: 'acceptChangeTenant$', delayMs: 800 }] });
  const confirmCard = channel.lastCard(chat);
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  // The acceptance has reached Azure (it answers after its delay, when the bot is gone).
  await until(() => acceptTried());
  await crash();
  await dying.catch(() => undefined);
  await until(() => tenantOf(S.payAsYouGo) === T.contoso);
  sandbox.setFaults({});
  expect(
    sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId,
  ).toBe(T.contoso);

  await boot();
  await resend(confirmCard);
  await grantAndCheck();
});

it('resumes after a crash in the middle of the grants by itself, giving each account its role once', async () => {
  await upToConfirm();
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  // The first grant lands, the second is slow, and the bot dies meanwhile.
  sandbox.setFaults({
    rules: [{ api: 'arm', method: 'PUT', path: 'roleAssignments/', delayMs: 800, every: 2 }],
  });
  const grantCard = channel.lastCard(chat);
  const data = {
    ...actionData(grantCard.card, 'access.grant'),
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Contributor',
  };
  sandbox.resetCallCounts();
  const dying = channel.invoke(USERS.kelley, 'access.grant', data, grantCard.id, chat);
  // The second grant has reached Azure and waits there.
  await until(
    () => sandbox.writeLog().filter((w) => /roleAssignments\//i.test(w.path)).length >= 2,
  );
  await crash();
  await dying.catch(() => undefined);
  sandbox.setFaults({});

  await boot();
  // The click was answered before the crash and the grants run as a leased job: the restarted
  // bot takes the job up by itself. A second click on the answered card changes nothing.
  await app.background.idle();
  await until(() => /^Done:/.test(channel.texts(chat).at(-1) ?? ''));
  const again = await channel.invoke(USERS.kelley, 'access.grant', data, grantCard.id, chat);
  expect(again.status).toBe(200);
  await app.background.idle();
  const sub = sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  for (const principalId of [IDS.users.janeContoso, IDS.users.triciaContoso]) {
    expect(
      sub.roleAssignments.filter(
        (a) => a.principalId === principalId && a.roleDefinitionId === BUILT_IN_ROLES.Contributor,
      ),
    ).toHaveLength(1);
  }
  expect(channel.texts(chat).at(-1)).toMatch(/^Done:/);
});

it('resumes an interrupted directory change by itself when the bot starts again', async () => {
  await upToConfirm();
  sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', status: 503, retryAfterSeconds: 1 }],
  });
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await until(() => acceptTried());
  await crash();
  await dying.catch(() => undefined);
  sandbox.setFaults({});

  // No click, no message: the restarted bot picks the job up from storage.
  await boot();
  await app.background.idle();
  expect(
    sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId,
  ).toBe(T.contoso);
  expect(channel.texts(chat)).toContain('Verified: Pay-As-You-Go now trusts Contoso.');
  await grantAndCheck();
});
