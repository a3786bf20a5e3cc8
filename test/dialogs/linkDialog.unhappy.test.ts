import { rawDatesIn } from '../../src/cards/render';
import { IDS } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';

let h: Harness;
const chat = personalChat(USERS.kelley);
const T = IDS.tenants;
const S = IDS.subscriptions;
const KELLEY_O365 = `kelley-work|${T.contoso}`;
const KELLEY_MSA = `kelley-msa|${T.defaultDirectory}`;

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  // End whatever flow a test left open, then restore the sandbox's seed.
  await h.channel.say(USERS.kelley, 'cancel');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

const tenantOf = (subscriptionId: string) =>
  h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === subscriptionId)!.tenantId;

/** Says `link`, starts, and signs in with the two sandbox choices. */
async function signIn(office365: string, azure: string): Promise<void> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', { choice: office365 });
  await click(h, USERS.kelley, chat, 'signin.select', { choice: azure });
}

/** Runs the flow up to the confirm card of `subscriptionId`. */
async function upToConfirm(subscriptionId: string): Promise<void> {
  await signIn(KELLEY_O365, KELLEY_MSA);
  await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId });
  await click(h, USERS.kelley, chat, 'impact.continue');
}

describe('before-you-begin rules stop the flow with their fix', () => {
  it.each([
    ['R1', KELLEY_O365, `reader-msa|${T.defaultDirectory}`, /not Owner of any subscription/],
    ['R2', `jane-work|${T.contoso}`, KELLEY_MSA, /not a Global Administrator/],
    ['R3', KELLEY_O365, `jane-work|${T.contosoLab}`, /is a user of the Office 365 tenant/],
    [
      'R4',
      KELLEY_O365,
      `megan-msa|${T.contosoLab}`,
      /email of Office 365 global administrator Megan Bowen/,
    ],
    [
      'R5',
      KELLEY_O365,
      `lee-msa|${T.contosoLab}`,
      /both a Microsoft account and a work or school account/,
    ],
  ])('%s fails', async (rule, office365, azure, failText) => {
    const before = h.sandbox.snapshot();
    await signIn(office365, azure);
    const preflight = cardText(h.channel.lastCard(chat).card);
    expect(preflight).toMatch(failText);
    // Only the failing rule fails.
    expect(preflight.match(/❌ R\d/g)).toEqual([`❌ ${rule}`]);
    expect(h.channel.texts(chat)).toContain('The link stops here: nothing was changed.');
    expect(h.sandbox.snapshot()).toEqual(before);
    // The flow has ended: the next message starts over instead of being taken as an answer.
    await h.channel.say(USERS.kelley, 'link');
    expect(actionData(h.channel.lastCard(chat).card, 'link.start').flowId).toEqual(
      expect.any(String),
    );
  });
});

describe('cards', () => {
  it('cancel in the middle changes nothing and ends the flow', async () => {
    await signIn(KELLEY_O365, KELLEY_MSA);
    await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId: S.payAsYouGo });
    const r = await click(h, USERS.kelley, chat, 'link.cancel');
    expect(r.status).toBe(200);
    expect(cardText(r.body.value)).toMatch(/Link cancelled/);
    expect(tenantOf(S.payAsYouGo)).toBe(T.defaultDirectory);
    await h.channel.say(USERS.kelley, 'hello');
    expect(h.channel.texts(chat).at(-1)).not.toMatch(/use the card/i);
  });

  it('refuses a non-initiator pressing the confirm card, and nothing moves', async () => {
    await upToConfirm(S.payAsYouGo);
    const r = await click(
      h,
      USERS.kelley,
      chat,
      'move.confirm',
      { typedName: 'Pay-As-You-Go' },
      USERS.jane,
    );
    expect(r.status).toBe(200);
    expect(h.channel.texts(chat).at(-1)).toMatch(
      /Only Kelley Wall, who started this link, can answer its cards/,
    );
    expect(tenantOf(S.payAsYouGo)).toBe(T.defaultDirectory);
    // The initiator can still confirm afterwards.
    await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
    expect(tenantOf(S.payAsYouGo)).toBe(T.contoso);
  });

  it('refuses a wrong typed name with the card again, and a double click does not repeat the move', async () => {
    await upToConfirm(S.payAsYouGo);
    const wrong = await click(h, USERS.kelley, chat, 'move.confirm', {
      typedName: 'Pay-As-You-Gone',
    });
    expect(wrong.status).toBe(200);
    expect(tenantOf(S.payAsYouGo)).toBe(T.defaultDirectory);
    const { id, card } = h.channel.lastCard(chat);
    const data = { ...actionData(card, 'move.confirm'), typedName: 'pay-as-you-go' };
    const first = await h.channel.invoke(USERS.kelley, 'move.confirm', data, id, chat);
    const second = await h.channel.invoke(USERS.kelley, 'move.confirm', data, id, chat);
    await h.app.background.idle();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(cardText(second.body.value)).toMatch(/already/i);
    const after = h.sandbox.snapshot();
    expect(
      after.changeTenantRequests.filter((r) => r.subscriptionId === S.payAsYouGo),
    ).toHaveLength(1);
    expect(tenantOf(S.payAsYouGo)).toBe(T.contoso);
  });

  it('does not repeat the move when Teams resends the confirm invoke while the first is running', async () => {
    await upToConfirm(S.payAsYouGo);
    // The acceptance is slow, so Teams' resend arrives while the first turn is still running.
    h.sandbox.setFaults({ rules: [{ api: 'arm', path: 'acceptChangeTenant$', delayMs: 600 }] });
    const { id, card } = h.channel.lastCard(chat);
    const data = { ...actionData(card, 'move.confirm'), typedName: 'Pay-As-You-Go' };
    h.sandbox.resetCallCounts();
    const first = h.channel.invoke(USERS.kelley, 'move.confirm', data, id, chat);
    // The first is running: its acceptance has reached Azure and waits there.
    await until(() => h.sandbox.writeLog().some((w) => /acceptChangeTenant$/i.test(w.path)));
    const resent = await h.channel.invoke(USERS.kelley, 'move.confirm', data, id, chat);
    await first;
    await h.app.background.idle();
    h.sandbox.setFaults({});
    expect(resent.status).toBe(200);
    expect(cardText(resent.body.value)).toMatch(/already answered/);
    expect(h.channel.texts(chat).join('\n')).not.toMatch(/Azure portal|TL-/);
    const state = h.sandbox.snapshot();
    expect(state.changeTenantRequests.filter((r) => r.subscriptionId === S.payAsYouGo)).toEqual([
      expect.objectContaining({ status: 'Completed' }),
    ]);
    expect(tenantOf(S.payAsYouGo)).toBe(T.contoso);
  });

  it('answers a malformed card action with 400 and a forged card id as stale', async () => {
    await h.channel.say(USERS.kelley, 'link');
    const { id, card } = h.channel.lastCard(chat);
    const bad = await h.channel.raw({
      type: 'invoke',
      name: 'adaptiveCard/action',
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/',
      from: USERS.kelley,
      recipient: { id: '28:tenantlink-bot' },
      conversation: { id: chat },
      value: { action: { type: 'Action.Submit' } },
    });
    expect(bad.status).toBe(400);
    const forged = await h.channel.invoke(
      USERS.kelley,
      'link.start',
      { ...actionData(card, 'link.start'), cardId: 'forged' },
      id,
      chat,
    );
    expect(cardText(forged.body.value)).toMatch(/already/i);
  });
});

describe('directory change refused by the API', () => {
  it('offers the guided portal path when the preview API is unavailable, and verifies the manual move', async () => {
    await upToConfirm(S.devTest);
    await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Dev/Test' });
    const guided = h.channel.lastCard(chat);
    expect(cardText(guided.card)).toMatch(/Change the directory of Dev\/Test in the Azure portal/);
    expect(JSON.stringify(guided.card)).toContain(S.devTest);
    expect(tenantOf(S.devTest)).toBe(T.defaultDirectory);

    // Verify before the admin did it: not yet, the card stays.
    const early = await click(h, USERS.kelley, chat, 'move.verify');
    expect(cardText(early.body.value)).toMatch(/Not yet/);
    // The time of the check in each reader's own format (Adaptive Cards' TIME()), not raw ISO.
    expect(cardText(early.body.value)).toMatch(
      /\(\{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\}\)/,
    );
    expect(rawDatesIn(early.body.value)).toEqual([]);

    // The admin changes the directory in the portal, then verifies.
    const http = new SandboxHttp(h.sandbox);
    const portal = await http.call(
      'POST',
      `/_sandbox/portal/subscriptions/${S.devTest}/changeDirectory`,
      {
        body: { destinationTenantId: T.contoso, ownerObjectId: IDS.users.kelleyContoso },
      },
    );
    await http.close();
    expect(portal.status).toBe(200);
    const { id, card } = h.channel.lastCard(chat);
    const ok = await h.channel.invoke(
      USERS.kelley,
      'move.verify',
      actionData(card, 'move.verify'),
      id,
      chat,
    );
    expect(cardText(ok.body.value)).toMatch(/now trusts Contoso/);
    // The flow went on to grant access.
    expect(actionData(h.channel.lastCard(chat).card, 'access.grant').flowId).toEqual(
      expect.any(String),
    );
  });

  it('offers the guided path when a tenant policy blocks the move', async () => {
    await upToConfirm(S.visualStudio);
    await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Visual Studio Enterprise' });
    expect(cardText(h.channel.lastCard(chat).card)).toMatch(/blocks subscriptions from leaving/);
    expect(tenantOf(S.visualStudio)).toBe(T.defaultDirectory);
  });
});
