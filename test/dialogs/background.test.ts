import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, linkUpToConfirm, startHarness, type Harness } from '../helpers/testApp';

/**
 * The directory change runs after the confirm card is answered: Teams gets its answer before the
 * slow Azure calls finish (it resends invokes that take more than 15 s), the admin sees progress,
 * and the flow continues by itself when the change is done.
 */

let h: Harness;
const chat = personalChat(USERS.kelley);
const S = IDS.subscriptions;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const tenantOf = (id: string) =>
  h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === id)!.tenantId;

it('answers the confirm card before the slow move is done, then continues by itself', async () => {
  await linkUpToConfirm(h);
  h.sandbox.setFaults({ rules: [{ api: 'arm', path: 'acceptChangeTenant$', delayMs: 1000 }] });

  const { id, card } = h.channel.lastCard(chat);
  const answer = await h.channel.invoke(
    USERS.kelley,
    'move.confirm',
    { ...actionData(card, 'move.confirm'), typedName: 'Pay-As-You-Go' },
    id,
    chat,
  );
  // Answered while Azure is still working on the acceptance.
  expect(cardText(answer.body.value)).toMatch(/Confirmed: moving Pay-As-You-Go to Contoso/);
  expect(tenantOf(S.payAsYouGo)).toBe(IDS.tenants.defaultDirectory);

  // A message meanwhile gets a progress answer, not an error.
  await h.channel.say(USERS.kelley, 'hello?');
  expect(h.channel.texts(chat).at(-1)).toMatch(/Still working on the directory change/);

  await h.app.background.idle();
  h.sandbox.setFaults({});
  expect(tenantOf(S.payAsYouGo)).toBe(IDS.tenants.contoso);
  expect(h.channel.texts(chat)).toContain('Verified: Pay-As-You-Go now trusts Contoso.');
  expect(actionData(h.channel.lastCard(chat).card, 'access.grant').flowId).toEqual(
    expect.any(String),
  );
});

it('ends with a clear message, a failed record and a free subscription when Azure keeps failing', async () => {
  h.sandbox.reset();
  await h.channel.say(USERS.kelley, 'cancel');
  await linkUpToConfirm(h);
  h.sandbox.setFaults({
    rules: [{ api: 'arm', path: 'acceptChangeTenant$', status: 500, retryAfterSeconds: 0 }],
  });
  const { id, card } = h.channel.lastCard(chat);
  const flowId = String(actionData(card, 'move.confirm').flowId);
  await h.channel.invoke(
    USERS.kelley,
    'move.confirm',
    { ...actionData(card, 'move.confirm'), typedName: 'Pay-As-You-Go' },
    id,
    chat,
  );
  await h.app.background.idle();
  h.sandbox.setFaults({});
  expect(h.channel.texts(chat).at(-1)).toMatch(/\(TL-CLOUD-UNAVAILABLE\)$/);
  const record = await h.app.changes.get(flowId);
  expect(record?.status).toBe('failed');
  expect(tenantOf(S.payAsYouGo)).toBe(IDS.tenants.defaultDirectory);
  // The request made but never accepted was withdrawn, and the audit trail says so.
  expect(h.sandbox.snapshot().changeTenantRequests.map((r) => r.status)).toEqual(['Deleted']);
  expect(record?.audit).toContainEqual(
    expect.objectContaining({ action: 'withdrawChangeTenantRequest', outcome: 'ok' }),
  );
  // The subscription is free for a new attempt.
  await linkUpToConfirm(h);
  expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Confirm the directory change/);
});

it('withdraws its request when the destination refuses the acceptance, then offers the guided path', async () => {
  h.sandbox.reset();
  await h.channel.say(USERS.kelley, 'cancel');
  await linkUpToConfirm(h);
  h.sandbox.setFaults({
    rules: [
      {
        api: 'arm',
        path: 'acceptChangeTenant$',
        status: 403,
        code: 'RequestDisallowedByPolicy',
        count: 1,
      },
    ],
  });
  const flowId = String(actionData(h.channel.lastCard(chat).card, 'move.confirm').flowId);
  await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  h.sandbox.setFaults({});
  expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Azure portal/);
  expect(h.sandbox.snapshot().changeTenantRequests.map((r) => r.status)).toEqual(['Deleted']);
  const audit = (await h.app.changes.get(flowId))?.audit.map((a) => `${a.action}:${a.outcome}`);
  expect(audit).toEqual(
    expect.arrayContaining([
      'changeTenantRequest:ok',
      'acceptChangeTenant:refused',
      'withdrawChangeTenantRequest:ok',
    ]),
  );
  await h.channel.say(USERS.kelley, 'cancel');
});
