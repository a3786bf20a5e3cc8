import { IDS } from '../../src/sandbox';
import { actionData, cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, startHarness, type Harness } from '../helpers/testApp';

let h: Harness;
const chat = personalChat(USERS.kelley);

beforeAll(async () => {
  h = await startHarness({ CLOUD_TIMEOUT_MS: '400', CLOUD_MAX_RETRIES: '1' });
});
afterEach(async () => {
  h.sandbox.setFaults({});
  await h.channel.say(USERS.kelley, 'cancel');
  h.sandbox.reset();
});
afterAll(async () => h?.stop());

async function signInBoth(): Promise<void> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-work|${IDS.tenants.contoso}`,
  });
  await click(h, USERS.kelley, chat, 'signin.select', {
    choice: `kelley-msa|${IDS.tenants.defaultDirectory}`,
  });
}

describe('cloud failures during the link', () => {
  it('rides out a 429 with Retry-After from ARM, waiting as long as asked', async () => {
    h.sandbox.setFaults({
      rules: [
        { api: 'arm', path: '^/subscriptions$', status: 429, retryAfterSeconds: 1, count: 1 },
      ],
    });
    const started = Date.now();
    await signInBoth();
    // Retry-After: 1 was honoured (a lower bound only: behaviour, not performance).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(h.sandbox.injectedFaults().arm).toBeGreaterThanOrEqual(1);
    expect(actionData(h.channel.lastCard(chat).card, 'subscription.choose').flowId).toEqual(
      expect.any(String),
    );
  });

  it('stops with a clear message and a stable code when Graph keeps answering 503', async () => {
    const before = h.sandbox.snapshot();
    h.sandbox.setFaults({ rules: [{ api: 'graph', status: 503, retryAfterSeconds: 0 }] });
    await h.channel.say(USERS.kelley, 'link');
    await click(h, USERS.kelley, chat, 'link.start');
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    expect(h.channel.texts(chat).at(-1)).toMatch(/\(TL-[A-Z-]+\)$/);
    expect(h.sandbox.snapshot()).toEqual(before);
  });

  it('rides out a 500 from ARM and a 503 from Graph, once each', async () => {
    h.sandbox.setFaults({
      rules: [
        { api: 'arm', path: '^/tenants$', status: 500, count: 1 },
        { api: 'graph', path: '^/organization$', status: 503, count: 1 },
      ],
    });
    await signInBoth();
    expect(h.sandbox.injectedFaults()).toMatchObject({ arm: 1, graph: 1 });
    expect(actionData(h.channel.lastCard(chat).card, 'subscription.choose').flowId).toEqual(
      expect.any(String),
    );
  });

  it('stops with a timeout message when ARM does not answer in time', async () => {
    h.sandbox.setFaults({ rules: [{ api: 'arm', path: '^/subscriptions$', delayMs: 1000 }] });
    await signInBoth();
    const last = h.channel.texts(chat).at(-1) ?? '';
    expect(last).toMatch(/\(TL-[A-Z-]+\)$/);
    expect(last).toMatch(/time|answer/i);
  });

  it('shows the refusal with its code and offers the sign-in again when the token endpoint refuses', async () => {
    h.sandbox.setFaults({
      rules: [{ api: 'login', status: 400, code: 'invalid_grant', count: 1 }],
    });
    await h.channel.say(USERS.kelley, 'link');
    await click(h, USERS.kelley, chat, 'link.start');
    const refused = await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    expect(cardText(refused.body.value)).toMatch(/TL-[A-Z-]+/);
    // A new sign-in card: the second try works.
    await click(h, USERS.kelley, chat, 'signin.select', {
      choice: `kelley-work|${IDS.tenants.contoso}`,
    });
    expect(h.channel.texts(chat).at(-1)).toMatch(/Signed in to Office 365 as Kelley Wall/);
  });

  it('retries PrincipalNotFound while a principal replicates, then grants once', async () => {
    await signInBoth();
    await click(h, USERS.kelley, chat, 'subscription.choose', {
      subscriptionId: IDS.subscriptions.payAsYouGo,
    });
    await click(h, USERS.kelley, chat, 'impact.continue');
    await click(h, USERS.kelley, chat, 'move.confirm', { typedName: 'Pay-As-You-Go' });
    h.sandbox.setFaults({
      rules: [
        {
          api: 'arm',
          method: 'PUT',
          path: 'roleAssignments/',
          status: 400,
          code: 'PrincipalNotFound',
          count: 2,
        },
      ],
    });
    await click(h, USERS.kelley, chat, 'access.grant', {
      principalIds: IDS.users.janeContoso,
      role: 'Reader',
    });
    expect(h.sandbox.injectedFaults().arm).toBe(2);
    const sub = h.sandbox
      .snapshot()
      .subscriptions.find((x) => x.subscriptionId === IDS.subscriptions.payAsYouGo)!;
    expect(sub.roleAssignments.filter((a) => a.principalId === IDS.users.janeContoso)).toHaveLength(
      1,
    );
    expect(h.channel.texts(chat).at(-1)).toMatch(/^Done:/);
  });
});
