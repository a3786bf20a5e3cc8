import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS } from '../../src/sandbox';
import { DISK_BOT_TEAM, startBotOnDisk, type BotOnDisk } from '../helpers/botOnDisk';
import { actionData, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, type Harness } from '../helpers/testApp';
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
const TEAM = DISK_BOT_TEAM;

let bot: BotOnDisk;

/** Whether the acceptance of the directory change has reached the sandbox. */
const acceptTried = (): boolean =>
  bot.sandbox.writeLog().some((w) => /acceptChangeTenant$/i.test(w.path));
const tenantOf = (id: string): string | undefined =>
  bot.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === id)?.tenantId;

const h = (): Harness => bot.harness();

beforeEach(async () => {
  bot = await startBotOnDisk({ prefix: 'tenantlink-restart-' });
});

afterEach(async () => bot?.dispose());

const upToConfirm = (): Promise<void> => linkUpToConfirm(h());

/** Clicks Confirm again on the card as it was before the crash. */
async function resend(confirm: { id: string; card: Record<string, unknown> }): Promise<void> {
  const data = { ...actionData(confirm.card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
  const r = await bot.channel.invoke(USERS.kelley, 'move.confirm', data, confirm.id, chat);
  expect(r.status).toBe(200);
  await bot.app.background.idle();
}

async function grantAndCheck(): Promise<void> {
  await click(h(), USERS.kelley, chat, 'access.grant', {
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Contributor',
  });
  const state = bot.sandbox.snapshot();
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
  // The team reference saved before the restart still reaches the bot.channel.
  expect(bot.channel.activities(TEAM).filter((a) => a.kind === 'send')).toHaveLength(1);
}

it('resumes after a restart between turns (at the confirm card)', async () => {
  await upToConfirm();
  await bot.crash();
  await bot.boot();
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await grantAndCheck();
});

it('keeps the subscription admin signed in across a restart in local mode without TOKEN_CACHE_KEY (issue 25, defect 4)', async () => {
  // Local mode out of the box: no key configured, the store in its data folder.
  const outOfTheBox = { TOKEN_CACHE_KEY: '', STORAGE_DIR: bot.dir };
  await bot.crash();
  await bot.boot(outOfTheBox);
  await upToConfirm();
  await bot.crash();
  await bot.boot(outOfTheBox);
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(bot.channel.texts(chat).join('\n')).not.toMatch(/sign-in has expired/i);
  await grantAndCheck();
});

it('resumes after a crash between the change request and its acceptance, without a second request', async () => {
  await upToConfirm();
  // Azure keeps refusing the acceptance while the bot dies.
  bot.sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', status: 503, retryAfterSeconds: 1 }],
  });
  const confirmCard = bot.channel.lastCard(chat);
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await until(() => acceptTried());
  expect(bot.sandbox.snapshot().changeTenantRequests).toEqual([
    expect.objectContaining({ status: 'Initiated' }),
  ]);
  await bot.crash();
  await dying.catch(() => undefined);
  bot.sandbox.setFaults({});

  await bot.boot();
  // The bot died before answering: the confirm card is still shown, and Teams resends the
  // invoke (or the admin clicks again).
  await resend(confirmCard);
  await grantAndCheck();
});

it('resumes after a crash right after the move was accepted, without moving twice', async () => {
  await upToConfirm();
  // The acceptance reaches Azure, but its answer comes after the bot died.
  bot.sandbox.setFaults({ rules: [{ api: 'arm', path: 'acceptChangeTenant$', delayMs: 800 }] });
  const confirmCard = bot.channel.lastCard(chat);
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  // The acceptance has reached Azure (it answers after its delay, when the bot is gone).
  await until(() => acceptTried());
  await bot.crash();
  await dying.catch(() => undefined);
  await until(() => tenantOf(S.payAsYouGo) === T.contoso);
  bot.sandbox.setFaults({});
  expect(
    bot.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId,
  ).toBe(T.contoso);

  await bot.boot();
  await resend(confirmCard);
  await grantAndCheck();
});

it('resumes after a crash in the middle of the grants by itself, giving each account its role once', async () => {
  await upToConfirm();
  await click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  // The first grant lands, the second is slow, and the bot dies meanwhile.
  bot.sandbox.setFaults({
    rules: [{ api: 'arm', method: 'PUT', path: 'roleAssignments/', delayMs: 800, every: 2 }],
  });
  const grantCard = bot.channel.lastCard(chat);
  const data = {
    ...actionData(grantCard.card, 'access.grant'),
    principalIds: `${IDS.users.janeContoso},${IDS.users.triciaContoso}`,
    role: 'Contributor',
  };
  bot.sandbox.resetCallCounts();
  const dying = bot.channel.invoke(USERS.kelley, 'access.grant', data, grantCard.id, chat);
  // The second grant has reached Azure and waits there.
  await until(
    () => bot.sandbox.writeLog().filter((w) => /roleAssignments\//i.test(w.path)).length >= 2,
  );
  await bot.crash();
  await dying.catch(() => undefined);
  bot.sandbox.setFaults({});

  await bot.boot();
  // The click was answered before the crash and the grants run as a leased job: the restarted
  // bot takes the job up by itself. A second click on the answered card changes nothing.
  await bot.app.background.idle();
  await until(() => /^Done:/.test(bot.channel.texts(chat).at(-1) ?? ''));
  const again = await bot.channel.invoke(USERS.kelley, 'access.grant', data, grantCard.id, chat);
  expect(again.status).toBe(200);
  await bot.app.background.idle();
  const sub = bot.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  for (const principalId of [IDS.users.janeContoso, IDS.users.triciaContoso]) {
    expect(
      sub.roleAssignments.filter(
        (a) => a.principalId === principalId && a.roleDefinitionId === BUILT_IN_ROLES.Contributor,
      ),
    ).toHaveLength(1);
  }
  expect(bot.channel.texts(chat).at(-1)).toMatch(/^Done:/);
});

it('resumes an interrupted directory change by itself when the bot starts again', async () => {
  await upToConfirm();
  bot.sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', status: 503, retryAfterSeconds: 1 }],
  });
  const dying = click(h(), USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await until(() => acceptTried());
  await bot.crash();
  await dying.catch(() => undefined);
  bot.sandbox.setFaults({});

  // No click, no message: the restarted bot picks the job up from storage.
  await bot.boot();
  await bot.app.background.idle();
  expect(
    bot.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId,
  ).toBe(T.contoso);
  expect(bot.channel.texts(chat)).toContain('Verified: Pay-As-You-Go now trusts Contoso.');
  await grantAndCheck();
});
