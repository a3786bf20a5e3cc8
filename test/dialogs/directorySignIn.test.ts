import { request } from 'undici';
import { IDS } from '../../src/sandbox';
import { answerSignInPage } from '../helpers/sandboxBrowser';
import { draftSubscription, draftTenant, editedSeed } from '../helpers/seeds';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, runLink, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';

/**
 * The subscription admin signs in where Azure lets them (issue 16): the directory is found from
 * the subscription's id (ARM's challenge), the sign-in is MSAL's authorization code flow with PKCE
 * at that directory, and the browser comes back through tenantlink's redirect endpoint, which wakes
 * the flow. The state is the endpoint's only credential: used once, never guessed.
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);
/** Nina: a work account of Fabrikam, guest and Owner of Contoso Lab's subscription. */
const NINA = {
  accountId: 'nina-work',
  fabrikamId: '3c1d9e7a-5b2f-4c8d-9e1a-7f6b5d4c3a21',
  labId: '8e2f4a6c-1b3d-4e5f-a7c9-0d2e4f6a8b1c',
};

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    {},
    editedSeed((draft) => {
      draft.accounts.push({
        accountId: NINA.accountId,
        signInName: 'nina@fabrikam.com',
        password: 'Sandbox-Passw0rd!',
        kind: 'work',
        homeTenantId: T.fabrikam,
        displayName: 'Nina Fabrikam',
      });
      draftTenant(draft, T.fabrikam).users.push({
        id: NINA.fabrikamId,
        accountId: NINA.accountId,
        displayName: 'Nina Fabrikam',
        givenName: 'Nina',
        surname: 'Fabrikam',
        userPrincipalName: 'nina@fabrikam.com',
        mail: 'nina@fabrikam.com',
        otherMails: [],
        userType: 'Member',
        jobTitle: null,
      });
      draftTenant(draft, T.contosoLab).users.push({
        id: NINA.labId,
        accountId: NINA.accountId,
        displayName: 'Nina Fabrikam',
        givenName: 'Nina',
        surname: 'Fabrikam',
        userPrincipalName: 'nina_fabrikam.com#EXT#@contosolab.onmicrosoft.com',
        mail: 'nina@fabrikam.com',
        otherMails: ['nina@fabrikam.com'],
        userType: 'Guest',
        jobTitle: null,
      });
      draftSubscription(draft, S.lab).roleAssignments.push({
        name: 'a4c2e6f8-1b3d-4f5a-9c7e-2d4f6a8c0e1b',
        principalId: NINA.labId,
        principalType: 'User',
        roleDefinitionId: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
        scope: '',
      });
    }),
  );
});
afterAll(async () => h?.stop());
beforeEach(() => h.sandbox.reset());

/** Starts a link and signs in to Office 365 as Kelley; the Azure sign-in card is next. */
async function upToAzureSignIn(): Promise<void> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
}

/** Gives the subscription id without a sandbox account: the card turns into "open the sign-in page". */
async function openSignInPage(subscriptionId: string): Promise<URL> {
  await click(h, USERS.kelley, chat, 'signin.select', { subscriptionId });
  const card = h.channel.lastCard(chat).card;
  const open = (card.actions as { type: string; url?: string }[]).find(
    (a) => a.type === 'Action.OpenUrl',
  );
  expect(open?.url).toBeDefined();
  return new URL(open!.url!);
}

/** The browser follows the sign-in page's redirect to tenantlink's callback. */
async function followRedirect(
  location: URL | undefined,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const res = await request(location!.href);
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

/** The directory (tenant id) a subscription trusts now, as the sandbox cloud holds it. */
function directoryOf(subscriptionId: string): string | undefined {
  return h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === subscriptionId)
    ?.tenantId;
}

function chooseCardShown(): boolean {
  return cardText(h.channel.lastCard(chat).card).includes('Pay-As-You-Go');
}

describe('subscription admin sign-in at the subscription directory', () => {
  it('finds the directory from the subscription id and signs the Microsoft account in there, through the browser and the redirect endpoint', async () => {
    await upToAzureSignIn();
    const authorize = await openSignInPage(S.payAsYouGo);
    // The production authority: the discovered directory, not common.
    expect(authorize.pathname).toBe(`/login/${T.defaultDirectory}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    const page = await answerSignInPage(authorize.href, h.sandbox.caCertificatePem, {
      account: 'kelley-msa',
    });
    expect(page.location?.pathname).toBe('/auth/azure/callback');
    const landing = await followRedirect(page.location);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('You are signed in');
    expect(landing.headers['referrer-policy']).toBe('no-referrer');
    expect(landing.headers['content-security-policy']).toBe("default-src 'none'");

    // The flow continues on its own in the chat.
    await until(chooseCardShown);
    expect(h.channel.sent.map((s) => JSON.stringify(s.activity))).toEqual(
      expect.arrayContaining([expect.stringContaining('Signed in as Kelley Wall')]),
    );

    // A second use of the same redirect (a replay, or the back button) changes nothing.
    const again = await followRedirect(page.location);
    expect(again.status).toBe(400);
    expect(again.body).toContain('no longer valid');
    // Nothing in the store is a token in the clear.
    expect(JSON.stringify((h.app.storage as unknown as { memory: unknown }).memory)).not.toMatch(
      /eyJ[\w-]+\.eyJ/,
    );
    await h.channel.say(USERS.kelley, 'cancel');
  });

  it("links Pay-As-You-Go with the seeds' Microsoft account signed in at the discovered directory", async () => {
    const before = directoryOf(S.payAsYouGo);
    expect(before).not.toBe(T.contoso);
    await runLink(h, { signInSubscriptionId: S.payAsYouGo });
    await until(() => directoryOf(S.payAsYouGo) !== before);
    expect(directoryOf(S.payAsYouGo)).toBe(T.contoso);
  });

  it('links Lab with a work account of another organisation, a guest of the subscription directory', async () => {
    const before = directoryOf(S.lab);
    expect(before).not.toBe(T.contoso);
    await runLink(h, {
      azure: `${NINA.accountId}|${T.fabrikam}`,
      signInSubscriptionId: S.lab,
      subscriptionId: S.lab,
      typedName: 'Lab',
    });
    await until(() => directoryOf(S.lab) !== before);
    expect(directoryOf(S.lab)).toBe(T.contoso);
  });

  it('says so when the account is not a user of the subscription directory (AADSTS50020)', async () => {
    await upToAzureSignIn();
    await click(h, USERS.kelley, chat, 'signin.select', {
      subscriptionId: S.payAsYouGo,
      choice: `${NINA.accountId}|${T.fabrikam}`,
    });
    const text = cardText(h.channel.lastCard(chat).card);
    expect(text).toContain(`This account is not a user of directory ${T.defaultDirectory}`);
    expect(text).toContain('AADSTS50020');
    await h.channel.say(USERS.kelley, 'cancel');
  });

  it('refuses an id that is not a subscription id, and one no subscription has', async () => {
    await upToAzureSignIn();
    await click(h, USERS.kelley, chat, 'signin.select', { subscriptionId: 'not-an-id' });
    expect(cardText(h.channel.lastCard(chat).card)).toContain('That is not a subscription ID');
    await click(h, USERS.kelley, chat, 'signin.select', {
      subscriptionId: '00000000-1111-2222-3333-444444444444',
    });
    expect(cardText(h.channel.lastCard(chat).card)).toContain(
      'No Azure subscription has the ID 00000000-1111-2222-3333-444444444444',
    );
    await h.channel.say(USERS.kelley, 'cancel');
  });

  it('explains a refused consent and offers the sign-in again', async () => {
    await upToAzureSignIn();
    const authorize = await openSignInPage(S.payAsYouGo);
    const page = await answerSignInPage(authorize.href, h.sandbox.caCertificatePem, 'decline');
    const landing = await followRedirect(page.location);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain('AADSTS65004');
    await until(() =>
      h.channel.sent.some((s) =>
        JSON.stringify(s.activity).includes('the permissions were refused'),
      ),
    );
    expect(JSON.stringify(h.channel.lastCard(chat).card)).toContain('subscriptionId');
    await h.channel.say(USERS.kelley, 'cancel');
  });

  it('starts again when the admin closed the sign-in page, and only the initiator can', async () => {
    await upToAzureSignIn();
    await openSignInPage(S.payAsYouGo);
    const refused = await click(h, USERS.kelley, chat, 'signin.restart', {}, USERS.jane);
    expect(refused.status).toBe(200);
    expect(JSON.stringify(h.channel.lastCard(chat).card)).toContain('Action.OpenUrl');
    await click(h, USERS.kelley, chat, 'signin.restart');
    await until(() =>
      JSON.stringify(h.channel.lastCard(chat).card).includes('"id":"subscriptionId"'),
    );
    await h.channel.say(USERS.kelley, 'cancel');
  });
});

describe('the redirect endpoint under bad input', () => {
  const callback = (query: string, init: Parameters<typeof request>[1] = {}) =>
    request(`${h.app.server.url}/auth/azure/callback${query}`, init);

  it.each([
    ['no parameters', ''],
    ['a forged state', '?code=abc&state=forged'],
    ['a state but neither code nor error', '?state=abc'],
    ['an unknown parameter', '?code=abc&state=abc&admin=1'],
    ['a repeated parameter', '?code=abc&state=abc&state=def'],
    ['an oversized code', `?code=${'a'.repeat(5000)}&state=abc`],
    ['an oversized query', `?code=abc&state=abc&error_description=${'a'.repeat(9000)}`],
  ])('answers 400 with the fixed page for %s, storing nothing', async (_what, query) => {
    const before = JSON.stringify((h.app.storage as unknown as { memory: unknown }).memory);
    const res = await callback(query);
    expect(res.statusCode).toBe(400);
    const body = await res.body.text();
    expect(body).toContain('no longer valid');
    expect(body).not.toContain('forged');
    expect(JSON.stringify((h.app.storage as unknown as { memory: unknown }).memory)).toBe(before);
  });

  it('refuses a body and another method', async () => {
    const withBody = await callback('?code=abc&state=abc', {
      method: 'GET',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(withBody.statusCode).toBe(415);
    await withBody.body.dump();
    const post = await callback('?code=abc&state=abc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.statusCode).toBe(405);
    await post.body.dump();
  });
});

describe('the sign-in client in local mode', () => {
  it("is the sandbox's app registration, not a configured one, with the bot's loopback callback", async () => {
    // A developer's environment may carry the cloud registration: the sandbox knows only its own.
    const local = await startHarness({
      ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      ADMIN_SIGNIN_CLIENT_SECRET: 'Qw8~cloud-secret.value',
      ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
    });
    try {
      await local.channel.say(USERS.kelley, 'link');
      await click(local, USERS.kelley, chat, 'link.start');
      await click(local, USERS.kelley, chat, 'signin.select', {
        choice: `kelley-work|${T.contoso}`,
      });
      await click(local, USERS.kelley, chat, 'signin.select', { subscriptionId: S.payAsYouGo });
      const open = (
        local.channel.lastCard(chat).card.actions as { type: string; url?: string }[]
      ).find((a) => a.type === 'Action.OpenUrl');
      const authorize = new URL(open?.url ?? '');
      expect(authorize.searchParams.get('client_id')).toBe(IDS.applications.local);
      expect(authorize.searchParams.get('redirect_uri')).toBe(
        `${local.app.server.url}/auth/azure/callback`,
      );
      const page = await answerSignInPage(authorize.href, local.sandbox.caCertificatePem, {
        account: 'kelley-msa',
      });
      expect([page.status, page.location?.origin]).toEqual([302, local.app.server.url]);
    } finally {
      await local.stop();
    }
  });
});
