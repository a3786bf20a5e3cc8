import { IDS, type Seed } from '../../src/sandbox';
import { draftSubscription, editedSeed, type SeedDraft } from '../helpers/seeds';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import {
  USERS,
  click,
  linkUpToChoose,
  linkUpToConfirm,
  startHarness,
  type Harness,
} from '../helpers/testApp';

/**
 * Subscriptions Microsoft documents as unable to change directory (a CSP offer, a disabled
 * subscription) are never offered, each with the reason and what to do instead; one about to be
 * disabled (Warned) is offered with a warning; when nothing can move, the link ends before any
 * write. The sandbox returns `state` and `subscriptionPolicies.quotaId` as ARM does.
 */

const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);

function seed(
  overrides: Record<string, Pick<SeedDraft['subscriptions'][number], 'state' | 'quotaId'>>,
): Seed {
  return editedSeed((base) => {
    for (const [id, fields] of Object.entries(overrides))
      Object.assign(draftSubscription(base, id), fields);
  });
}

describe('some subscriptions cannot move', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {},
      seed({
        [S.visualStudio]: { quotaId: 'CSP_2015-05-01' },
        [S.devTest]: { state: 'Disabled' },
        [S.payAsYouGo]: { state: 'Warned' },
      }),
    );
  });
  afterAll(async () => h?.stop());

  it('offers only the movable ones, says why the others cannot move, and refuses a forged choice', async () => {
    await linkUpToChoose(h);
    const texts = h.channel.texts(chat).join('\n');
    expect(texts).toMatch(
      /Visual Studio Enterprise cannot change directory: it is a Cloud Solution Provider/,
    );
    expect(texts).toMatch(/Dev\/Test is disabled/);
    expect(texts).toMatch(/Pay-As-You-Go has a past-due balance or another billing warning/);

    const { card } = h.channel.lastCard(chat);
    const offered = JSON.stringify(card.body);
    expect(offered).toContain(S.payAsYouGo);
    expect(offered).not.toContain(S.visualStudio);
    expect(offered).not.toContain(S.devTest);

    // A payload naming a subscription the card did not offer is refused; the card stays.
    await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId: S.visualStudio });
    expect(cardText(h.channel.lastCard(chat).card)).not.toMatch(/Who loses access/);
    const chosen = await click(h, USERS.kelley, chat, 'subscription.choose', {
      subscriptionId: S.payAsYouGo,
    });
    expect(cardText(chosen.body.value)).toMatch(/Pay-As-You-Go/);
    expect(cardText(h.channel.lastCard(chat).card)).toMatch(/Who loses access to Pay-As-You-Go/);
  });
});

describe('no subscription can move', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      {},
      seed({
        [S.payAsYouGo]: { quotaId: 'DreamSpark_2015-02-01' },
        [S.visualStudio]: { quotaId: 'CSP_MG_2017-12-01' },
        [S.devTest]: { state: 'Deleted' },
      }),
    );
  });
  afterAll(async () => h?.stop());

  it('ends the link before the choose card, with nothing requested or written', async () => {
    const before = h.sandbox.snapshot();
    await linkUpToChoose(h);
    const texts = h.channel.texts(chat).join('\n');
    expect(texts).toMatch(
      /Pay-As-You-Go cannot change directory: Microsoft does not allow it for Azure for Students Starter/,
    );
    expect(texts).toMatch(/Dev\/Test is deleted/);
    expect(texts).toMatch(/None of the subscriptions you own outside .* can change directory/);
    expect(cardText(h.channel.lastCard(chat).card)).not.toMatch(/Choose the subscription/);
    const after = h.sandbox.snapshot();
    expect(after.changeTenantRequests).toEqual([]);
    expect(after.subscriptions).toEqual(before.subscriptions);
  });

  it('explain says which subscriptions cannot change directory, and why', async () => {
    // Still signed in to Azure from the link above: the card comes at once.
    await h.channel.say(USERS.kelley, 'explain');
    const text = cardText(h.channel.lastCard(chat).card);
    expect(text).toMatch(/Pay-As-You-Go[\s\S]*cannot change directory: Azure for Students Starter/);
    expect(text).toMatch(
      /Visual Studio Enterprise[\s\S]*cannot change directory: Cloud Solution Provider \(CSP\)/,
    );
    expect(text).toMatch(/Dev\/Test[\s\S]*deleted: cannot change directory/);
  });
});

describe('the subscription is canceled between choose and confirm', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it('reads it again before the request, requests nothing, and says why', async () => {
    await linkUpToConfirm(h);
    const http = new SandboxHttp(h.sandbox);
    await http.call('POST', `/_sandbox/portal/subscriptions/${S.payAsYouGo}/cancel`);
    await http.close();

    const flowId = String(actionData(h.channel.lastCard(chat).card, 'move.confirm').flowId);
    await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
    expect(h.channel.texts(chat).at(-1)).toMatch(
      /can no longer change directory[\s\S]*\(TL-MOVE-NOT-ELIGIBLE\)$/,
    );
    const world = h.sandbox.snapshot();
    expect(world.changeTenantRequests).toEqual([]);
    expect(world.subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId).toBe(
      IDS.tenants.defaultDirectory,
    );
    expect((await h.app.changes.get(flowId))?.status).toBe('failed');
  });
});
