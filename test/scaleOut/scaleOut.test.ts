import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { BlobStateStorage } from '../../src/state/cloudStorage';
import { startAzurite, type Azurite } from '../helpers/azurite';
import {
  startInstance,
  startRoundRobinProxy,
  type BotInstance,
  type RoundRobinProxy,
} from '../helpers/botInstances';
import {
  TeamsChannel,
  acknowledged,
  actionData,
  cardText,
  personalChat,
} from '../helpers/teamsChannel';
import { TEST_TOKEN_CACHE_KEY, USERS } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * Scale-out (issues 10 and 18): four tenantlink processes behind a round-robin proxy share one
 * Azure Blob store (Azurite) and one sandbox cloud. The whole link runs while its turns alternate
 * between instances; the instance running the directory change is killed (SIGKILL) in the middle
 * of it, and in a second link the one running the grant and restore; another instance takes each
 * job over when its lease expires. Each link ends with exactly one move, one role assignment per
 * chosen user and one channel notification.
 */

jest.setTimeout(180_000);

const TEAM = '19:contoso-it@thread.tacv2';
const chat = personalChat(USERS.kelley);
const S = IDS.subscriptions;
let azurite: Azurite;
let sandbox: SandboxCloud;
let instances: BotInstance[] = [];
let proxy: RoundRobinProxy;
let channel: TeamsChannel;
let storage: BlobStateStorage;

beforeAll(async () => {
  [azurite, sandbox] = await Promise.all([startAzurite(), startSandboxCloud()]);
  const caFile = join(tmpdir(), `tenantlink-sandbox-ca-${process.pid}.pem`);
  writeFileSync(caFile, sandbox.caCertificatePem);
  const env = {
    TENANTLINK_MODE: 'local',
    STORAGE: 'blob',
    BLOB_CONNECTION_STRING: azurite.connectionString,
    BLOB_CONTAINER: 'scaleout',
    SANDBOX_URL: sandbox.url,
    SANDBOX_CA_FILE: caFile,
    SANDBOX_SECRET: sandbox.controlSecret,
    // Shared by the instances, as in production: a sign-in sealed by one opens on another.
    TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
    JOB_LEASE_MS: '3000',
    JOB_SWEEP_MS: '500',
    SHUTDOWN_GRACE_MS: '1000',
    CLOUD_TIMEOUT_MS: '15000',
    CLOUD_MAX_RETRIES: '2',
    LOG_LEVEL: 'info',
  };
  instances = await Promise.all(['i1', 'i2', 'i3', 'i4'].map((id) => startInstance(id, env)));
  proxy = await startRoundRobinProxy(instances);
  channel = new TeamsChannel(`${proxy.url}/api/messages`);
  await channel.start();
  storage = new BlobStateStorage(azurite.connectionString, 'scaleout');
});

afterAll(async () => {
  await Promise.allSettled(instances.map((i) => i.kill()));
  await proxy?.stop();
  await channel?.stop();
  await sandbox?.stop();
  await azurite?.stop();
});

/**
 * Waits until `check` passes (the bot answers asynchronously, from whichever instance): on state,
 * never on time; the test's own timeout is the only bound. `what` names it for whoever reads.
 */
/** What the test is waiting for, shown with the chat's last messages if the test times out. */
let waitingFor: string | undefined;

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  waitingFor = what;
  await until(check);
  waitingFor = undefined;
}

afterEach(() => {
  if (waitingFor === undefined) return;
  const texts = channel.texts(chat).slice(-8);
  process.stderr.write(`still waiting for ${waitingFor}; last messages:\n${texts.join('\n')}\n`);
  waitingFor = undefined;
});

/** Clicks `verb` on the last card and waits for the bot to show the next card (a new card id). */
async function click(verb: string, inputs: Record<string, string> = {}): Promise<void> {
  const { id, card } = channel.lastCard(chat);
  const result = await channel.invoke(
    USERS.kelley,
    verb,
    {
      ...actionData(card, verb),
      ...(verb === 'impact.continue' ? acknowledged(card) : {}),
      ...inputs,
    },
    id,
    chat,
  );
  expect(result.status).toBe(200);
}

/** The seeds' happy path from the welcome card to the confirm card, as clicks. */
const UP_TO_CONFIRM: readonly [string, Record<string, string>][] = [
  ['link.start', {}],
  ['signin.select', { choice: `kelley-work|${IDS.tenants.contoso}` }],
  ['signin.select', { choice: `kelley-msa|${IDS.tenants.defaultDirectory}` }],
  ['subscription.choose', { subscriptionId: S.payAsYouGo }],
  ['impact.continue', {}],
];

/** Clicks each step on the last card, waiting for the next card each time. */
async function clickThrough(steps: readonly [string, Record<string, string>][]): Promise<void> {
  for (const [verb, inputs] of steps) {
    const before = channel.lastCard(chat).id;
    await click(verb, inputs);
    await nextCard(before, `the card after ${verb}`);
  }
}

async function nextCard(after: string, what: string): Promise<void> {
  await eventually(what, () => {
    try {
      return channel.lastCard(chat).id !== after;
    } catch {
      return false;
    }
  });
}

it('completes a link across four instances with the mover killed mid-change and a double click on two instances: one move, one grant, one notice', async () => {
  await channel.installInTeam(USERS.kelley, TEAM, 'Contoso IT');
  expect(await channel.say(USERS.kelley, 'link')).toBe(200);
  await nextCard('', 'welcome card');

  await clickThrough(UP_TO_CONFIRM);
  expect(cardText(channel.lastCard(chat).card)).toMatch(/Pay-As-You-Go/);
  // Every instance has served turns of this one conversation.
  for (const i of instances) expect(proxy.forwarded[i.id]).toBeGreaterThan(0);

  // The acceptance hangs for 6 s: long enough to kill the instance that runs it.
  sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', delayMs: 6000, count: 1 }],
  });
  const confirm = channel.lastCard(chat).id;
  await click('move.confirm', { typedName: 'Pay-As-You-Go' });
  // The instance that leased the move job.
  let owner: string | undefined;
  await eventually("the move job's lease in the store", async () => {
    const item = (await storage.read(['jobs/pending']))['jobs/pending'] as
      { jobs: Record<string, { owner: string }> } | undefined;
    // The move's own entry: the impact review's may still be there, being cleaned up.
    const move = Object.keys(item?.jobs ?? {}).find((waitId) => waitId.endsWith(':move'));
    owner = move ? item?.jobs[move]?.owner : undefined;
    return owner !== undefined;
  });
  const mover = instances.find((i) => i.id === owner)!;
  // The acceptance has reached Azure and hangs there: the mover dies in the middle of it.
  await eventually('the acceptance reaching Azure', () =>
    sandbox.writeLog().some((w) => /acceptChangeTenant$/i.test(w.path)),
  );
  await mover.kill();
  proxy.remove(mover.id);

  // Another instance finds the expired lease, wakes the conversation and finishes the change.
  await eventually('the verification after the move', () =>
    channel.texts(chat).includes('Verified: Pay-As-You-Go now trusts Contoso.'),
  );
  await nextCard(confirm, 'the grant card');
  // A double click that the proxy sends to two instances at once.
  const grant = channel.lastCard(chat);
  const grantCard = grant.id;
  const data = {
    ...actionData(grant.card, 'access.grant'),
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  };
  const answers = await Promise.all([
    channel.invoke(USERS.kelley, 'access.grant', data, grantCard, chat),
    channel.invoke(USERS.kelley, 'access.grant', data, grantCard, chat),
  ]);
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  await eventually('the end of the link', () => channel.texts(chat).some((t) => /^Done:/.test(t)));
  expect(channel.lastCard(chat).id).not.toBe(grantCard);
  // Nothing is left running anywhere: no job is pending in the shared store.
  await eventually('no job pending in the store', async () => {
    const item = (await storage.read(['jobs/pending']))['jobs/pending'] as
      { jobs?: Record<string, unknown> } | undefined;
    return Object.keys(item?.jobs ?? {}).length === 0;
  });

  const snapshot = sandbox.snapshot();
  const sub = snapshot.subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  expect(sub.tenantId).toBe(IDS.tenants.contoso);
  expect(
    snapshot.changeTenantRequests.filter(
      (r) => r.subscriptionId === S.payAsYouGo && r.status === 'Completed',
    ),
  ).toHaveLength(1);
  expect(sub.roleAssignments.filter((a) => a.principalId === IDS.users.janeContoso)).toHaveLength(
    1,
  );
  // The takeover is in a survivor's log (the run's log folder, when jest's global setup made one).
  const logDir = process.env.TENANTLINK_TEST_LOG_DIR;
  if (logDir) {
    const survivorLogs = readdirSync(logDir)
      .filter((f) => f.startsWith('instance-') && !f.startsWith(`instance-${mover.id}-`))
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('');
    expect(survivorLogs).toContain('taking over an interrupted job');
  }
  const notices = channel.activities(TEAM).filter((a) => a.activity.attachments?.length);
  expect(notices).toHaveLength(1);
  expect(cardText(notices[0]!.activity.attachments[0].content)).toContain('Pay-As-You-Go');
});

it('finishes a grant and restore whose instance was killed mid-job on another instance, once', async () => {
  // A new link of the same subscription, the world back to the seed (the bot's records stay).
  sandbox.reset();
  expect(await channel.say(USERS.kelley, 'link')).toBe(200);
  await nextCard('', 'welcome card');
  await clickThrough([...UP_TO_CONFIRM, ['move.confirm', { typedName: 'Pay-As-You-Go' }]]);
  await eventually('the grant card', () =>
    JSON.stringify(channel.lastCard(chat).card).includes('access.grant'),
  );
  // The role-assignment writes park at Azure: the job is caught in the middle of its work.
  sandbox.setFaults({
    rules: [{ api: 'arm', method: 'PUT', path: 'roleAssignments/', hold: true }],
  });
  await click('access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
    restore: 'true',
  });
  let owner: string | undefined;
  await eventually("the access job's lease and its held role assignment", async () => {
    const item = (await storage.read(['jobs/pending']))['jobs/pending'] as
      { jobs: Record<string, { owner: string }> } | undefined;
    const access = Object.keys(item?.jobs ?? {}).find((waitId) => waitId.endsWith(':access'));
    owner = access ? item?.jobs[access]?.owner : undefined;
    return owner !== undefined && sandbox.heldRequests() > 0;
  });
  const worker = instances.find((i) => i.id === owner)!;
  await worker.kill();
  proxy.remove(worker.id);
  sandbox.releaseHeld();
  sandbox.setFaults({});

  // Another instance takes the job over from its lease and finishes it; the link ends once.
  const done = (): string[] => channel.texts(chat).filter((t) => /^Done:/.test(t));
  await eventually('the end of the second link', () => done().length >= 2);
  // Once: a job reported twice would show a third.
  expect(done()).toHaveLength(2);
  const sub = sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
  const readers = sub.roleAssignments.filter(
    (a) => a.principalId === IDS.users.janeContoso && a.roleDefinitionId === BUILT_IN_ROLES.Reader,
  );
  expect(readers).toHaveLength(1);
  const keys = sub.roleAssignments.map((a) => `${a.principalId}|${a.roleDefinitionId}|${a.scope}`);
  expect(new Set(keys).size).toBe(keys.length);
});

it('stops gracefully on SIGTERM: exits 0 within the bound and the others keep serving', async () => {
  // One of the two survivors of the first test.
  const survivor = instances.find((i) => proxy.serving(i.id))!;
  // Exit code 0: it stopped within its own bound (past it, the process exits 1 by itself).
  const code = await survivor.terminate();
  expect(code).toBe(0);
  proxy.remove(survivor.id);
  expect(await channel.say(USERS.kelley, 'help')).toBe(200);
});
