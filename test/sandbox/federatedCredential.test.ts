import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SANDBOX_ISSUER_HOST } from '../../src/sandbox/seed';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The two sides of a managed identity as an app's credential in the sandbox (issue 26): App
 * Service's managed identity endpoint ("REST endpoint reference",
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference)
 * and the token endpoint's client authentication by a client assertion that a federated identity
 * credential trusts, matched exactly ("Configure an application to trust a managed identity",
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
 */

/** The sandbox's clock runs `skewMs` ahead of the host's (to see an assertion expire at once). */
let skewMs = 0;
let sandbox: SandboxCloud;
let http: SandboxHttp;

beforeAll(async () => {
  sandbox = await startSandboxCloud({ now: () => Date.now() + skewMs });
  http = new SandboxHttp(sandbox);
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});
afterEach(() => {
  skewMs = 0;
  sandbox.reset();
});

const T = IDS.tenants;
const MI = IDS.managedIdentities.bot;
const APP = IDS.applications.federated;
const EXCHANGE = 'api://AzureADTokenExchange';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** GET of the identity endpoint as MSAL Node's App Service source sends it. */
function identityToken(
  query: Record<string, string> = {},
  /** null: none sent. */
  header: string | null = sandbox.identityHeader,
) {
  const q = new URLSearchParams({
    resource: EXCHANGE,
    'api-version': '2019-08-01',
    client_id: MI.clientId,
    ...query,
  });
  return http.call('GET', `/msi/token?${q.toString()}`, {
    headers: header === null ? {} : { 'x-identity-header': header },
  });
}

async function assertion(): Promise<string> {
  const res = await identityToken();
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

/** A password grant as the federated app with `credential` (the simplest grant that authenticates the client). */
const asFederatedApp = (credential: Record<string, string>) =>
  http.call('POST', `/login/${T.contoso}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'password',
      username: 'admin@contoso.onmicrosoft.com',
      password: 'Sandbox-Passw0rd!',
      scope: 'https://graph.microsoft.com/.default',
      client_id: APP,
      ...credential,
    },
  });

const codes = (res: { status: number; body: { error?: string; error_codes?: number[] } }) => [
  res.status,
  res.body.error,
  res.body.error_codes,
];

describe('the managed identity endpoint (App Service)', () => {
  it('answers the documented shape with a token of the user-assigned identity for the resource', async () => {
    const res = await identityToken();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_on: expect.stringMatching(/^\d+$/),
      resource: EXCHANGE,
      token_type: 'Bearer',
      client_id: MI.clientId,
    });
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      iss: `${SANDBOX_ISSUER_HOST}/login/${T.contoso}/v2.0`,
      sub: MI.principalId,
      oid: MI.principalId,
      aud: EXCHANGE,
      tid: T.contoso,
      idtyp: 'app',
    });
    expect(claims.scp).toBeUndefined();
    expect(claims.exp).toBe(Number(res.body.expires_on));
  });

  it.each<[string, Record<string, string>, string | null, number]>([
    ['no X-IDENTITY-HEADER', {}, null, 401],
    ['a wrong X-IDENTITY-HEADER', {}, 'guessed', 401],
    ['another api-version', { 'api-version': '2017-09-01' }, 'ok', 400],
    ['no resource', { resource: '' }, 'ok', 400],
    [
      'an identity not assigned to the app',
      { client_id: '00000000-0000-0000-0000-000000000001' },
      'ok',
      400,
    ],
  ])('refuses %s and gives no token', async (_what, query, header, status) => {
    const res = await identityToken(query, header === 'ok' ? sandbox.identityHeader : header);
    expect(res.status).toBe(status);
    expect(res.body.access_token).toBeUndefined();
  });
});

describe('client authentication by a federated identity credential', () => {
  it('accepts the managed identity token as the client assertion of the app that trusts it', async () => {
    const res = await asFederatedApp({
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(),
    });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toEqual(expect.any(String));
  });

  it.each<[string, Record<string, string>]>([
    ['subject', { subject: '00000000-1111-2222-3333-444444444444' }],
    ['issuer', { issuer: `https://login.microsoftonline.com/${T.contoso}/v2.0` }],
    ['audience', { audiences: 'api://AzureADTokenExchangeUSGov' }],
    // Exact, case-sensitive matching: no normalisation of case or a trailing slash.
    ['subject in upper case', { subject: MI.principalId.toUpperCase() }],
    ['issuer with a trailing slash', { issuer: `${SANDBOX_ISSUER_HOST}/login/${T.contoso}/v2.0/` }],
  ])(
    'refuses an assertion when the credential names another %s (AADSTS70021)',
    async (_what, change) => {
      const fic = {
        issuer: `${SANDBOX_ISSUER_HOST}/login/${T.contoso}/v2.0`,
        subject: MI.principalId,
        audiences: [EXCHANGE],
        ...change,
        ...(change.audiences ? { audiences: [change.audiences] } : {}),
      };
      const patched = await http.call(
        'PATCH',
        `/_sandbox/applications/${APP}/federatedIdentityCredentials/tenantlink-bot-identity`,
        { body: fic },
      );
      expect(patched.status).toBe(204);
      const res = await asFederatedApp({
        client_assertion_type: JWT_BEARER,
        client_assertion: await assertion(),
      });
      expect(codes(res)).toEqual([401, 'invalid_client', [70021]]);
      expect(res.body.error_description).toMatch(
        /^AADSTS70021: No matching federated identity record found for presented assertion/,
      );
      expect(res.body.access_token).toBeUndefined();
    },
  );

  it('refuses an assertion past its validity period by the platform clock (AADSTS700024)', async () => {
    const token = await assertion();
    skewMs = 2 * 3600_000;
    const res = await asFederatedApp({
      client_assertion_type: JWT_BEARER,
      client_assertion: token,
    });
    expect(codes(res)).toEqual([401, 'invalid_client', [700024]]);
    expect(res.body.error_description).toMatch(
      /^AADSTS700024: Client assertion is not within its valid time range/,
    );
    // A fresh assertion, issued by the same clock, is accepted.
    expect(
      (
        await asFederatedApp({
          client_assertion_type: JWT_BEARER,
          client_assertion: await assertion(),
        })
      ).status,
    ).toBe(200);
  });

  it.each<[string, () => Promise<Record<string, string>>, number, string, number]>([
    ['no credential at all', async () => ({}), 401, 'invalid_client', 7000218],
    [
      'a client secret, which the app does not have',
      async () => ({ client_secret: 'sandbox' }),
      401,
      'invalid_client',
      7000215,
    ],
    [
      'an assertion of another type',
      async () => ({
        client_assertion_type: 'urn:example:saml',
        client_assertion: await assertion(),
      }),
      400,
      'invalid_request',
      9002313,
    ],
    [
      'an assertion the platform did not sign',
      async () => {
        const [header, payload] = (await assertion()).split('.');
        return {
          client_assertion_type: JWT_BEARER,
          client_assertion: `${header}.${payload}.${randomBytes(256).toString('base64url')}`,
        };
      },
      401,
      'invalid_client',
      700027,
    ],
    [
      "a user's delegated token",
      async () => ({
        client_assertion_type: JWT_BEARER,
        client_assertion: await http.token(T.contoso, 'admin@contoso.onmicrosoft.com', 'graph'),
      }),
      401,
      'invalid_client',
      700229,
    ],
  ])('refuses %s', async (_what, credential, status, error, code) => {
    const res = await asFederatedApp(await credential());
    expect(codes(res)).toEqual([status, error, [code]]);
    expect(res.body.access_token).toBeUndefined();
  });

  it("refuses a confidential client's code redemption without any credential (AADSTS7000218), and leaves the code unused", async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://127.0.0.1:3978/auth/azure/callback';
    const answer = await http.call('POST', `/login/${T.defaultDirectory}/oauth2/v2.0/authorize`, {
      form: {
        client_id: APP,
        response_type: 'code',
        redirect_uri: redirect,
        scope: 'https://management.azure.com/user_impersonation openid profile offline_access',
        state: 'state-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        account: 'kelley-msa',
        decision: 'accept',
      },
    });
    const code = new URL(answer.headers.location!).searchParams.get('code')!;
    const redeem = (credential: Record<string, string>) =>
      http.call('POST', `/login/${T.defaultDirectory}/oauth2/v2.0/token`, {
        form: {
          grant_type: 'authorization_code',
          client_id: APP,
          code,
          redirect_uri: redirect,
          code_verifier: verifier,
          scope: 'https://management.azure.com/user_impersonation openid profile offline_access',
          ...credential,
        },
      });
    expect(codes(await redeem({}))).toEqual([401, 'invalid_client', [7000218]]);
    const res = await redeem({
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(),
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token).tid).toBe(T.defaultDirectory);
  });
});
