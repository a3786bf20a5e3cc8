import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/** Bad input at the door: malformed requests, oversized bodies, replayed and forged card actions. */

let h: Harness;
const chat = personalChat(USERS.kelley);
let endpoint: string;

beforeAll(async () => {
  h = await startHarness();
  endpoint = `${h.app.server.url}/api/messages`;
});
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
  await h.channel.say(USERS.jane, 'cancel');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

const post = (body: string, type = 'application/json') =>
  fetch(endpoint, { method: 'POST', headers: { 'content-type': type }, body });

it('answers malformed JSON and an empty activity with 4xx, and keeps serving', async () => {
  expect((await post('{"type": "message", ')).status).toBeGreaterThanOrEqual(400);
  expect((await post('{}')).status).toBeGreaterThanOrEqual(400);
  expect((await post('not json', 'text/plain')).status).toBeGreaterThanOrEqual(400);
  expect(await h.channel.say(USERS.kelley, 'help')).toBe(200);
  expect(h.channel.texts(chat).at(-1)).toMatch(/\*\*link\*\*/);
});

it('refuses an oversized body', async () => {
  const huge = JSON.stringify({ type: 'message', text: 'x'.repeat(400 * 1024) });
  expect((await post(huge)).status).toBe(413);
});

it('answers a card action replayed in another conversation as stale, and changes nothing', async () => {
  await linkUpToConfirm(h);
  const { id, card } = h.channel.lastCard(chat);
  const data = { ...actionData(card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
  // Jane replays Kelley's confirm action in her own chat.
  const replay = await h.channel.invoke(
    USERS.jane,
    'move.confirm',
    data,
    id,
    personalChat(USERS.jane),
  );
  expect(cardText(replay.body.value)).toMatch(/already answered/);
  expect(h.sandbox.snapshot().changeTenantRequests).toEqual([]);
});

it('ignores unexpected and oversized card inputs instead of acting on them', async () => {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-work|${IDS.tenants.contoso}`,
  });
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
  });
  // A subscription that was not offered, with junk around it.
  const forged = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.lab,
    extra: 'y'.repeat(10_000),
  });
  expect(cardText(forged.body.value)).toMatch(/Choose the subscription/);
  // The real choice still works afterwards.
  const ok = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.payAsYouGo,
  });
  expect(cardText(ok.body.value)).toMatch(/Subscription Pay-As-You-Go/);
});
