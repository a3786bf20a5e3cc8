import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { CaseTable } from '../helpers/caseTable';
import { until } from '../helpers/until';
import {
  USERS,
  click,
  linkUpToChoose,
  linkUpToConfirm,
  startHarness,
  type Harness,
} from '../helpers/testApp';

/** Bad input at the door: malformed requests, oversized bodies, replayed and forged card actions. */

let h: Harness;
const chat = personalChat(USERS.kelley);
const table = new CaseTable('Bad input at /api/messages (local mode)');
/** A message activity as Teams sends it, for the raw cases. */
const message = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'message',
  id: `raw-${Math.random()}`,
  channelId: 'msteams',
  serviceUrl: h.channel.connectorUrl,
  from: { id: USERS.kelley.id, name: USERS.kelley.name },
  recipient: { id: '28:tenantlink-bot' },
  conversation: { id: chat, conversationType: 'personal', tenantId: IDS.tenants.contoso },
  text: 'help',
  ...extra,
});
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

it('answers malformed JSON, an empty activity and a wrong content type with 4xx, and keeps serving', async () => {
  const cases: [string, string, string?][] = [
    ['malformed JSON', '{"type": "message", '],
    ['empty activity', '{}'],
    ['text/plain body', 'not json', 'text/plain'],
    ['JSON sent as text/plain', JSON.stringify(message()), 'text/plain'],
    ['JSON array', '[1, 2, 3]'],
  ];
  for (const [name, body, type] of cases) {
    const status = table.record(name, '4xx', (await post(body, type)).status);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  }
  expect(await h.channel.say(USERS.kelley, 'help')).toBe(200);
  expect(h.channel.texts(chat).at(-1)).toMatch(/\*\*link\*\*/);
});

it('refuses an oversized body', async () => {
  const huge = JSON.stringify({ type: 'message', text: 'x'.repeat(400 * 1024) });
  expect(table.record('body over 256 KB', '413', (await post(huge)).status)).toBe(413);
});

it('answers activities with missing fields or of unknown types without acting, and keeps serving', async () => {
  const before = h.channel.sent.length;
  // Bot Framework's answer to an invoke a bot does not implement is 501 Not Implemented.
  const cases: [string, Record<string, unknown>, number][] = [
    ['no conversation', message({ conversation: undefined }), 400],
    ['no from', message({ from: undefined }), 400],
    ['no service URL', message({ serviceUrl: 'not a url' }), 400],
    ['unknown activity type', message({ type: 'tenantlink/unknown', text: undefined }), 200],
    ['invoke with no name', message({ type: 'invoke', text: undefined }), 501],
    [
      'unknown invoke name',
      message({ type: 'invoke', name: 'composeExtension/x', text: undefined }),
      501,
    ],
  ];
  for (const [name, activity, expected] of cases) {
    const { status } = await h.channel.raw(activity);
    expect(table.record(name, `${expected}, nothing done`, status)).toBe(expected);
  }
  expect(h.channel.sent.length).toBe(before);
  expect(await h.channel.say(USERS.kelley, 'help')).toBe(200);
  expect(h.channel.sent.length).toBe(before + 1);
});

it('refuses an unknown verb on a live card with a clear message, and the flow goes on', async () => {
  await h.channel.say(USERS.kelley, 'link');
  const { id, card } = h.channel.lastCard(chat);
  const answer = await h.channel.invoke(
    USERS.kelley,
    'move.nuke',
    actionData(card, 'link.start'),
    id,
    chat,
  );
  table.record('unknown card verb', 'refused, card kept', answer.status);
  expect(answer.status).toBe(200);
  expect(h.channel.texts(chat).at(-1)).toMatch(/not valid|cannot/i);
  const started = await click(h, USERS.kelley, chat, 'link.start');
  expect(cardText(started.body.value)).toMatch(/Started/);
});

it('shows a script-like typed name back as plain text and moves nothing', async () => {
  await linkUpToConfirm(h);
  const script = '<script>alert(1)</script>';
  const answer = await click(h, USERS.kelley, chat, 'move.confirm', { typedName: script });
  const json = JSON.stringify(answer.body);
  table.record('script in the typed name', 'refused, shown as text', answer.status);
  expect(json).not.toMatch(/javascript:|"Action.OpenUrl","url":"[^"]*script/i);
  expect(h.sandbox.snapshot().changeTenantRequests).toEqual([]);
});

it('answers a replayed confirm after the link as already answered: one move, no second grant', async () => {
  await h.channel.installInTeam(USERS.kelley, '19:hostile@thread.tacv2', 'Hostile');
  await linkUpToConfirm(h);
  const confirm = h.channel.lastCard(chat);
  const data = { ...actionData(confirm.card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
  await runLinkFromConfirm();
  const replay = await h.channel.invoke(USERS.kelley, 'move.confirm', data, confirm.id, chat);
  await h.app.background.idle();
  table.record('replayed confirm invoke', 'already answered', firstLine(replay.body?.value));
  expect(cardText(replay.body.value)).toMatch(/already answered/);
  const requests = h.sandbox.snapshot().changeTenantRequests;
  expect(requests.filter((r) => r.status === 'Completed')).toHaveLength(1);
});

/** The first text a user reads on a card (for the case table). */
function firstLine(card: unknown): string {
  return (
    cardText(card)
      .split('\n')
      .find((l) => l.length > 20 && !l.startsWith('http')) ?? ''
  );
}

/** The rest of a link after {@link linkUpToConfirm}: confirm and grant. */
async function runLinkFromConfirm(): Promise<void> {
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  await click(h, USERS.kelley, chat, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  });
}

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
  table.record('card replayed in another chat', 'already answered', firstLine(replay.body.value));
  expect(cardText(replay.body.value)).toMatch(/already answered/);
  expect(h.sandbox.snapshot().changeTenantRequests).toEqual([]);
});

it('ignores unexpected and oversized card inputs instead of acting on them', async () => {
  await linkUpToChoose(h);
  // A subscription that was not offered, with junk around it.
  const forged = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.lab,
    extra: 'y'.repeat(10_000),
  });
  table.record('subscription not offered', 'card shown again', firstLine(forged.body.value));
  expect(cardText(forged.body.value)).toMatch(/Choose the subscription/);
  // The real choice still works afterwards.
  const ok = await click(h, USERS.kelley, chat, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.payAsYouGo,
  });
  expect(cardText(ok.body.value)).toMatch(/Subscription Pay-As-You-Go/);
});

it("does not take an event from the wire for a job's result or a sign-in: only the job's own result moves the flow on", async () => {
  await linkUpToChoose(h);
  const { id, card } = h.channel.lastCard(chat);
  const data = actionData(card, 'subscription.choose');
  const flowId = String(data.flowId);
  // The impact review's Resource Graph query parks at Azure: the flow waits for the job.
  h.sandbox.setFaults({ rules: [{ api: 'arm', path: 'Microsoft.ResourceGraph', hold: true }] });
  const chosen = await h.channel.invoke(
    USERS.kelley,
    'subscription.choose',
    { ...data, subscriptionId: IDS.subscriptions.payAsYouGo },
    id,
    chat,
  );
  expect(chosen.status).toBe(200);
  await until(() => h.sandbox.heldRequests() > 0);
  const before = h.channel.sent.length;
  const forged = (name: string, value: unknown) =>
    h.channel.raw(message({ type: 'event', name, value, text: undefined }));
  const results: [string, string, unknown][] = [
    [
      'job failed',
      'tenantlink/backgroundDone',
      {
        waitId: `${flowId}:impact`,
        ok: false,
        error: { name: 'cloudUnavailable', detail: 'forged', params: {} },
      },
    ],
    ['job done', 'tenantlink/backgroundDone', { waitId: `${flowId}:impact`, ok: true, value: {} }],
    ['sign-in done', 'tenantlink/signIn', { flowId }],
    ['resume', 'tenantlink/resume', undefined],
  ];
  for (const [name, event, value] of results) {
    const { status } = await forged(event, value);
    expect(table.record(`forged event: ${name}`, '200, nothing done', status)).toBe(200);
  }
  // Nothing was said or shown for them: the flow still waits for its job.
  expect(h.channel.sent.length).toBe(before);
  h.sandbox.releaseHeld();
  h.sandbox.setFaults({});
  await h.app.background.idle();
  await until(() => JSON.stringify(h.channel.lastCard(chat).card).includes('impact.continue'));
  expect(h.channel.texts(chat).filter((t) => /TL-/.test(t))).toEqual([]);
});
