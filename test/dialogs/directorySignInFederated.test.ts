import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../src/config';
import { configureLogging } from '../../src/log';
import { IDS } from '../../src/sandbox';
import { SANDBOX_ISSUER_HOST } from '../../src/sandbox/seed';
import { testLogging } from '../helpers/logging';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { answerSignInPage } from '../helpers/sandboxBrowser';
import { cardText, personalChat } from '../helpers/teamsChannel';
import { USERS, click, runLink, startHarness, type Harness } from '../helpers/testApp';
import { until } from '../helpers/until';
import { SECRET_PATTERNS } from '../setup/logScan';

/**
 * Issue 26, "no secret anyone types or sees": the subscription admin's sign-in app authenticates
 * with no client secret (`ADMIN_SIGNIN_CREDENTIAL=managedIdentity`): its client assertion is a
 * token of the bot's user-assigned managed identity, from the (sandbox's) App Service identity
 * endpoint through @azure/identity's ManagedIdentityCredential, which the app registration trusts
 * through a federated identity credential ("Configure an application to trust a managed
 * identity", https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
 * A credential Entra refuses is the operator's problem: TL-AUTH-SIGNIN-CREDENTIAL, the AADSTS code
 * and nothing of its text, the federated credential's expected values in the log, and no
 * assertion anywhere. (The secret path is test/dialogs/directorySignIn.test.ts.)
 */

const T = IDS.tenants;
const S = IDS.subscriptions;
const MI = IDS.managedIdentities.bot;
const chat = personalChat(USERS.kelley);
const ISSUER = `${SANDBOX_ISSUER_HOST}/login/${T.contoso}/v2.0`;
const ENV = { ADMIN_SIGNIN_CREDENTIAL: 'managedIdentity' };

/** The identity platform's clock runs this far ahead of the bot's (clock skew). */
let skewMs = 0;
let h: Harness;
let http: SandboxHttp;
/** Every log line of the run, as written. */
const logLines: string[] = [];

beforeAll(async () => {
  h = await startHarness(ENV, undefined, { now: () => Date.now() + skewMs });
  http = new SandboxHttp(h.sandbox);
  // The run's log file (scanned at the end of the run) and a copy the tests read.
  const file = testLogging().destination;
  configureLogging({
    level: 'debug',
    destination: pino.multistream([
      { level: 'debug', stream: { write: (line: string) => void logLines.push(line) } },
      ...(file ? [{ level: 'debug' as const, stream: file }] : []),
    ]),
  });
});
afterAll(async () => {
  await http?.close();
  await h?.stop();
});
afterEach(async () => {
  skewMs = 0;
  h.sandbox.reset();
  await h.channel.say(USERS.kelley, 'cancel');
});

/** Starts a link and signs in to Office 365 as Kelley, then gives the subscription id. */
async function openSignInPage(): Promise<URL> {
  await h.channel.say(USERS.kelley, 'link');
  await click(h, USERS.kelley, chat, 'link.start');
  await click(h, USERS.kelley, chat, 'signin.select', { choice: `kelley-work|${T.contoso}` });
  await click(h, USERS.kelley, chat, 'signin.select', { subscriptionId: S.payAsYouGo });
  const open = (h.channel.lastCard(chat).card.actions as { type: string; url?: string }[]).find(
    (a) => a.type === 'Action.OpenUrl',
  );
  return new URL(open!.url!);
}

/** The admin signs in on the page as Kelley's Microsoft account; the browser lands on the callback. */
async function signInThroughBrowser(): Promise<{ status: number; body: string }> {
  const authorize = await openSignInPage();
  const page = await answerSignInPage(authorize.href, h.sandbox.caCertificatePem, {
    account: 'kelley-msa',
  });
  expect(page.location?.pathname).toBe('/auth/azure/callback');
  const res = await request(page.location!.href);
  return { status: res.statusCode, body: await res.body.text() };
}

const chatText = (): string => JSON.stringify(h.channel.activities(chat));
const chooseCardShown = (): boolean =>
  cardText(h.channel.lastCard(chat).card).includes('Pay-As-You-Go');

/** Points the sign-in app's federated credential at other values (what an operator mistypes). */
async function misconfigure(change: Record<string, unknown>): Promise<void> {
  const res = await http.call(
    'PATCH',
    `/_sandbox/applications/${IDS.applications.federated}/federatedIdentityCredentials/tenantlink-bot-identity`,
    {
      body: {
        issuer: ISSUER,
        subject: MI.principalId,
        audiences: ['api://AzureADTokenExchange'],
        ...change,
      },
    },
  );
  expect(res.status).toBe(204);
}

describe('the subscription admin signs in through an app with no secret', () => {
  it('runs on a configuration with no client secret at all', () => {
    expect(h.app.config.adminSignIn).toMatchObject({
      credential: 'managedIdentity',
      clientSecret: '',
    });
    // In the cloud, the same choice is made for a user-assigned identity bot with no secret set.
    expect(
      loadConfig({
        MicrosoftAppId: MI.clientId,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: T.contoso,
        AZURE_CLIENT_ID: MI.clientId,
        ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
        TOKEN_CACHE_KEY: 'q0Zs8Vb2Yt1kR7wXn4Lc9Pj3Hd6Mf5Ga2Eu8Tz0Oy1I=',
      }).adminSignIn.credential,
    ).toBe('managedIdentity');
  });

  it("signs the admin in with the managed identity's assertion and goes on in the chat", async () => {
    const authorize = await openSignInPage();
    // The secretless app registration (it refuses any client secret, AADSTS7000215).
    expect(authorize.searchParams.get('client_id')).toBe(IDS.applications.federated);
    const page = await answerSignInPage(authorize.href, h.sandbox.caCertificatePem, {
      account: 'kelley-msa',
    });
    const landing = await request(page.location!.href);
    expect(landing.statusCode).toBe(200);
    expect(await landing.body.text()).toContain('You are signed in');
    await until(chooseCardShown);
    expect(chatText()).toContain('Signed in as Kelley Wall');
  });

  it('links Pay-As-You-Go end to end through the secretless sign-in', async () => {
    const directory = (): string | undefined =>
      h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)?.tenantId;
    const before = directory();
    expect(before).not.toBe(T.contoso);
    await runLink(h, { signInSubscriptionId: S.payAsYouGo });
    await until(() => directory() !== before);
    expect(directory()).toBe(T.contoso);
  });

  it.each<[string, Record<string, unknown>]>([
    ['subject', { subject: '00000000-1111-2222-3333-444444444444' }],
    ['issuer', { issuer: `https://login.microsoftonline.com/${T.contoso}/v2.0` }],
    ['audience', { audiences: ['api://AzureADTokenExchangeUSGov'] }],
  ])(
    'tells the admin it is tenantlink, not them, when the federated credential names another %s (AADSTS70021)',
    async (_what, change) => {
      await misconfigure(change);
      const before = logLines.length;
      const landing = await signInThroughBrowser();
      expect(landing.status).toBe(200);
      expect(landing.body).toContain('AADSTS70021');
      await until(() => chatText().includes('TL-AUTH-SIGNIN-CREDENTIAL'));
      const text = chatText();
      expect(text).toContain("refused tenantlink's own app, not your account (AADSTS70021)");
      // Nothing of Entra's text reaches the admin.
      for (const shown of [text, landing.body]) {
        expect(shown).not.toContain('No matching federated identity record');
        expect(shown).not.toContain(MI.principalId);
      }
      // The operator's log names what the federated credential must be, exactly.
      const logged = logLines
        .slice(before)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.code === 'TL-AUTH-SIGNIN-CREDENTIAL' && l.aadsts === 'AADSTS70021');
      expect(logged?.federatedCredential).toEqual({
        issuer: ISSUER,
        subject: MI.principalId,
        audience: 'api://AzureADTokenExchange',
      });
    },
  );

  it('is refused with AADSTS700024 when the platform finds the assertion expired (clock skew)', async () => {
    // A first sign-in: the bot holds a fresh assertion.
    await signInThroughBrowser();
    await until(chooseCardShown);
    await h.channel.say(USERS.kelley, 'cancel');
    // The identity platform's clock is two hours ahead: the bot's assertion is past its `exp`.
    skewMs = 2 * 3600_000;
    const landing = await signInThroughBrowser();
    expect(landing.body).toContain('AADSTS700024');
    await until(() => chatText().includes('(AADSTS700024)'));
    expect(chatText()).toContain('TL-AUTH-SIGNIN-CREDENTIAL');
    expect(chatText()).not.toContain('valid time range');
  });

  it('logs no assertion, identity header or token', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const leaks = logLines.filter((l) => SECRET_PATTERNS.some((p) => p.test(l)));
    expect(leaks).toEqual([]);
    expect(logLines.join('\n')).not.toContain(h.sandbox.identityHeader);
  });
});
