import { MemoryStorage } from 'botbuilder';
import { startApp, type App } from '../../src/app';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { testLogging } from '../helpers/logging';
import type { Json } from '../helpers/sandboxHttp';
import { TeamsChannel, actionData, groupChat, type TeamsUser } from '../helpers/teamsChannel';
import { USERS, localTestConfig } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * Issue 25, defect 2: a background job runs as the person who started it, whoever's turn starts it
 * again. Kelley's impact review is running on instance A when A stops (its lease handed over);
 * Jane, another member of the group chat, writes "hello" to instance B. B wakes the job, which
 * runs with Kelley's sign-ins (Jane has none) and reports to Kelley: the review card is Kelley's,
 * and nothing ran or failed as Jane.
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = groupChat('contoso-job-owner');

let sandbox: SandboxCloud;
let channel: TeamsChannel;
let a: App;
let b: App;

/** An instance of tenantlink on the shared store: no sweeps, jobs handed over at once on stop. */
function instance(id: string, storage: MemoryStorage): Promise<App> {
  return startApp(
    localTestConfig({
      INSTANCE_ID: id,
      JOB_SWEEP_MS: '0',
      SHUTDOWN_GRACE_MS: '0',
      CLOUD_TIMEOUT_MS: '5000',
      CLOUD_MAX_RETRIES: '1',
    }),
    { sandbox, storage },
  );
}

beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  const storage = new MemoryStorage();
  [a, b] = [await instance('a', storage), await instance('b', storage)];
  channel = new TeamsChannel(`${a.server.url}/api/messages`);
  await channel.start();
});
afterAll(async () => {
  await channel?.stop();
  sandbox?.releaseHeld();
  await b?.stop();
  await sandbox?.stop();
});

/** The card as `user`'s Teams client shows it: the initiator's view through the card's refresh. */
async function viewOf(user: TeamsUser): Promise<{ id: string; card: Json }> {
  const { id, card } = channel.lastCard(chat);
  const refresh = (card as { refresh?: { action: { verb: string; data: Json } } }).refresh;
  if (!refresh) return { id, card };
  const answer = await channel.invoke(user, refresh.action.verb, refresh.action.data, id, chat);
  return { id, card: (answer.body as { value: Json }).value };
}

/** Kelley clicks `verb` on her view of the last card. */
async function kelleyClicks(verb: string, inputs: Record<string, string> = {}): Promise<void> {
  const { id, card } = await viewOf(USERS.kelley);
  const answer = await channel.invoke(
    USERS.kelley,
    verb,
    { ...actionData(card, verb), ...inputs },
    id,
    chat,
  );
  expect(answer.status).toBe(200);
}

it("wakes Kelley's interrupted job as Kelley when Jane writes in the group chat on another instance", async () => {
  expect(await channel.say(USERS.kelley, 'link', chat)).toBe(200);
  await kelleyClicks('link.start');
  await kelleyClicks('signin.select', { choice: `kelley-work|${T.contoso}` });
  await kelleyClicks('signin.select', { choice: `kelley-msa|${T.defaultDirectory}` });
  await a.background.idle();

  // The impact review starts on A and stops at its first read of the role assignments.
  sandbox.setFaults({
    rules: [{ api: 'arm', method: 'GET', path: 'roleAssignments', hold: true, count: 1 }],
  });
  await kelleyClicks('subscription.choose', { subscriptionId: S.payAsYouGo });
  await until(() => sandbox.heldRequests() > 0);
  // A stops with the job unfinished: its lease is released for another instance.
  await a.stop();
  sandbox.setFaults({});
  sandbox.releaseHeld();

  // Jane (signed in nowhere) writes to B: the job runs again, as Kelley.
  channel.retarget(`${b.server.url}/api/messages`);
  expect(await channel.say(USERS.jane, 'hello', chat)).toBe(200);
  await b.background.idle();

  const texts = channel.texts(chat).join('\n');
  expect(texts).not.toMatch(/sign-in has expired|sign in again|TL-AUTH/i);
  const review = await viewOf(USERS.kelley);
  expect(actionData(review.card, 'impact.continue').flowId).toEqual(expect.any(String));
  expect(
    (channel.lastCard(chat).card as { refresh?: { userIds: string[] } }).refresh?.userIds,
  ).toEqual([USERS.kelley.id]);
});
