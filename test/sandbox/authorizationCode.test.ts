import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { CONSUMER_TENANT_ID } from '../../src/domain/roles';
import { DEFAULT_SEED, IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { isRegisteredRedirectUri } from '../../src/sandbox/authorize';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The sandbox's authorization code flow with PKCE, against the Microsoft identity platform's
 * documented behaviour (v2-oauth2-auth-code-flow, reference-error-codes).
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

const T = IDS.tenants;
const REDIRECT = 'https://tenantlink.example/auth/azure/callback';
const ARM = 'https://management.azure.com/user_impersonation openid profile offline_access';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeFields(
  challenge: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    client_id: IDS.applications.test,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: ARM,
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
}

/** The sign-in page as a browser gets it: GET of the authorize endpoint with these fields. */
function authorizePage(challenge: string, overrides: Record<string, string> = {}) {
  const query = new URLSearchParams(authorizeFields(challenge, overrides)).toString();
  return http.call('GET', `/login/${T.defaultDirectory}/oauth2/v2.0/authorize?${query}`);
}

/** Answers the sign-in page as `account` and returns the redirect's query. */
async function signIn(
  tenant: string,
  account: string,
  challenge: string,
  overrides: Record<string, string> = {},
): Promise<{ status: number; query: URLSearchParams; body: unknown }> {
  const res = await http.call('POST', `/login/${tenant}/oauth2/v2.0/authorize`, {
    form: { ...authorizeFields(challenge, overrides), account, decision: 'accept' },
  });
  const location = res.headers.location;
  return {
    status: res.status,
    query: location ? new URL(location).searchParams : new URLSearchParams(),
    body: res.body,
  };
}

const redeem = (
  tenant: string,
  code: string,
  verifier: string,
  extra: Record<string, string> = {},
) =>
  http.call('POST', `/login/${tenant}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'authorization_code',
      client_id: IDS.applications.test,
      // A confidential client authenticates (the sandbox checks no secret's value).
      client_secret: 'sandbox',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      scope: ARM,
      client_info: '1',
      ...extra,
    },
  });

describe('sandbox authorization code flow', () => {
  it('publishes OpenID metadata whose endpoints are the tenant-specific ones', async () => {
    const res = await http.call(
      'GET',
      `/login/${T.defaultDirectory}/v2.0/.well-known/openid-configuration`,
    );
    expect(res.status).toBe(200);
    expect(res.body.authorization_endpoint).toBe(
      `${sandbox.url}/login/${T.defaultDirectory}/oauth2/v2.0/authorize`,
    );
    expect(res.body.token_endpoint).toBe(
      `${sandbox.url}/login/${T.defaultDirectory}/oauth2/v2.0/token`,
    );
    expect(res.body.issuer).toBe(`${sandbox.url}/login/${T.defaultDirectory}/v2.0`);
  });

  it('shows a sign-in page listing the users of the directory, with no script', async () => {
    const { challenge } = pkce();
    const res = await authorizePage(challenge);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.body).toContain('kelley.wall@outlook.com');
    expect(res.body).not.toContain('admin@contoso.onmicrosoft.com');
    expect(res.body).not.toMatch(/<script/i);
  });

  it('gives a Microsoft account a code at its own directory, redeemed once with the PKCE verifier', async () => {
    const { verifier, challenge } = pkce();
    const answer = await signIn(T.defaultDirectory, 'kelley-msa', challenge);
    expect(answer.status).toBe(302);
    expect(answer.query.get('state')).toBe('state-123');
    const code = answer.query.get('code') ?? '';
    expect(code).not.toBe('');

    const res = await redeem(T.defaultDirectory, code, verifier);
    expect(res.status).toBe(200);
    const access = decodeJwt(res.body.access_token);
    expect(access).toMatchObject({
      tid: T.defaultDirectory,
      oid: IDS.users.kelleyMsaInDefault,
      idp: 'live.com',
    });
    const id = decodeJwt(res.body.id_token);
    expect(id).toMatchObject({
      aud: IDS.applications.test,
      tid: T.defaultDirectory,
      preferred_username: 'kelley.wall@outlook.com',
    });
    const info = JSON.parse(Buffer.from(res.body.client_info, 'base64url').toString('utf8'));
    expect(info.utid).toBe(CONSUMER_TENANT_ID);
    expect(typeof res.body.refresh_token).toBe('string');

    const again = await redeem(T.defaultDirectory, code, verifier);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  it('refuses a wrong or missing code verifier (AADSTS501481) and burns the code', async () => {
    const { challenge } = pkce();
    const code =
      (await signIn(T.defaultDirectory, 'kelley-msa', challenge)).query.get('code') ?? '';
    const wrong = await redeem(T.defaultDirectory, code, pkce().verifier);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    const code2 =
      (await signIn(T.defaultDirectory, 'kelley-msa', challenge)).query.get('code') ?? '';
    const missing = await redeem(T.defaultDirectory, code2, '');
    expect(missing.body).toMatchObject({ error_codes: [501481] });
  });

  it('refuses a code redeemed with another redirect URI (AADSTS50011) or an unknown code', async () => {
    const { verifier, challenge } = pkce();
    const code =
      (await signIn(T.defaultDirectory, 'kelley-msa', challenge)).query.get('code') ?? '';
    const res = await redeem(T.defaultDirectory, code, verifier, {
      redirect_uri: 'https://evil.example/cb',
    });
    expect(res.body).toMatchObject({ error: 'invalid_grant', error_codes: [50011] });
    const unknown = await redeem(T.defaultDirectory, 'made-up', verifier);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_grant');
  });

  it('redirects a declined consent as access_denied with AADSTS65004 and the state', async () => {
    const { challenge } = pkce();
    const res = await http.call('POST', `/login/${T.defaultDirectory}/oauth2/v2.0/authorize`, {
      form: { ...authorizeFields(challenge), decision: 'decline' },
    });
    expect(res.status).toBe(302);
    const query = new URL(res.headers.location ?? '').searchParams;
    expect(query.get('error')).toBe('access_denied');
    expect(query.get('error_description')).toMatch(/^AADSTS65004/);
    expect(query.get('state')).toBe('state-123');
    expect(query.get('code')).toBeNull();
  });

  it('refuses a Microsoft account an ARM code at common (AADSTS70011), as Entra does', async () => {
    const { challenge } = pkce();
    const answer = await signIn('common', 'kelley-msa', challenge);
    expect(answer.status).toBe(302);
    expect(answer.query.get('error')).toBe('invalid_scope');
    expect(answer.query.get('error_description')).toMatch(/^AADSTS70011/);
  });

  it('shows AADSTS50020 on the page for an account that is not a user of the directory', async () => {
    const { challenge } = pkce();
    const answer = await signIn(T.fabrikam, 'kelley-msa', challenge);
    expect(answer.status).toBe(400);
    expect(answer.query.get('code')).toBeNull();
    expect(String(answer.body)).toContain('AADSTS50020');
  });

  it('never redirects to a redirect URI it cannot trust, and shows a missing parameter', async () => {
    const { challenge } = pkce();
    const insecure = await signIn(T.defaultDirectory, 'kelley-msa', challenge, {
      redirect_uri: 'http://evil.example/cb',
    });
    expect(insecure.status).toBe(400);
    expect(String(insecure.body)).toContain('AADSTS50011');
    const missing = await authorizePage(challenge, { client_id: '' });
    expect(missing.status).toBe(400);
    expect(String(missing.body)).toContain('AADSTS900144');
  });

  it('shows AADSTS50011 on the page, never redirecting, for a redirect URI not registered for the client', async () => {
    const { challenge } = pkce();
    for (const redirect_uri of [
      // https, but not registered for the tests' app
      'https://evil.example/auth/azure/callback',
      // a registered URI with another path case (paths are case-sensitive)
      'https://tenantlink.example/Auth/Azure/Callback',
      // localhost is registered for the local app, not for the tests' (127.0.0.1 is)
      'http://localhost:3978/auth/azure/callback',
      // the registered host with another port: only loopback ports are ignored
      'https://tenantlink.example:8443/auth/azure/callback',
    ]) {
      const page = await authorizePage(challenge, { redirect_uri });
      expect([redirect_uri, page.status]).toEqual([redirect_uri, 400]);
      expect(String(page.body)).toContain('AADSTS50011');
      const answer = await signIn(T.defaultDirectory, 'kelley-msa', challenge, { redirect_uri });
      expect([redirect_uri, answer.status, answer.query.get('code')]).toEqual([
        redirect_uri,
        400,
        null,
      ]);
      expect(String(answer.body)).toContain('AADSTS50011');
    }
    const page = await authorizePage(challenge, { client_id: 'not-registered' });
    expect(page.status).toBe(400);
    expect(String(page.body)).toContain('AADSTS700016');
  });

  it('matches a registered loopback redirect URI on any port, as Entra ignores the port of localhost URIs', async () => {
    const { challenge } = pkce();
    const redirect_uri = 'http://127.0.0.1:49152/auth/azure/callback';
    const answer = await signIn(T.defaultDirectory, 'kelley-msa', challenge, { redirect_uri });
    expect(answer.status).toBe(302);
    expect(answer.query.get('code')).not.toBeNull();
  });

  it('refuses a code_verifier for a code issued without a code_challenge (RFC 9700 PKCE downgrade)', async () => {
    const noPkce = { code_challenge: '', code_challenge_method: '' };
    const strip = (fields: Record<string, string>) =>
      Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
    const issue = async () => {
      const res = await http.call('POST', `/login/${T.defaultDirectory}/oauth2/v2.0/authorize`, {
        form: strip({
          ...authorizeFields('', noPkce),
          account: 'kelley-msa',
          decision: 'accept',
        }),
      });
      expect(res.status).toBe(302);
      return new URL(res.headers.location ?? '').searchParams.get('code') ?? '';
    };
    const downgraded = await redeem(T.defaultDirectory, await issue(), pkce().verifier);
    expect([downgraded.status, downgraded.body.error, downgraded.body.error_codes]).toEqual([
      400,
      'invalid_grant',
      [501481],
    ]);
    expect(downgraded.body.access_token).toBeUndefined();
    // The same code without a verifier is redeemed (the refusal is the verifier's).
    const form = { code: await issue() };
    const plain = await http.call('POST', `/login/${T.defaultDirectory}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'authorization_code',
        client_id: IDS.applications.test,
        client_secret: 'sandbox',
        redirect_uri: REDIRECT,
        scope: ARM,
        ...form,
      },
    });
    expect(plain.status).toBe(200);
  });

  it('escapes what the request carries into the page', async () => {
    const { challenge } = pkce();
    const res = await authorizePage(challenge, { state: '"><script>x()</script>' });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<script>');
  });
});

describe('redirect URI matching (reply-url restrictions)', () => {
  it.each([
    ['https://contoso.com', 'https://contoso.com/', true],
    ['https://contoso.com/abc', 'https://contoso.com/abc/', false],
    ['https://contoso.com/abc', 'https://contoso.com/ABC', false],
    ['https://contoso.com/abc', 'http://contoso.com/abc', false],
    ['https://contoso.com/abc', 'https://contoso.com:8443/abc', false],
    ['http://localhost/MyApp', 'http://localhost:5000/MyApp', true],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:3978/cb', true],
    ['http://localhost/cb', 'http://127.0.0.1/cb', false],
    ['http://localhost/cb', 'https://localhost:5000/cb', false],
    ['http://[::1]/cb', 'http://[::1]:3978/cb', false],
  ])('registered %s, requested %s: %s', (registered, requested, matches) => {
    expect(isRegisteredRedirectUri(new URL(requested), [registered])).toBe(matches);
  });

  it('registers only redirect URIs Entra accepts: https, or http on localhost/127.0.0.1 with no port', () => {
    for (const uri of DEFAULT_SEED.applications.flatMap((a) => a.redirectUris)) {
      const url = new URL(uri);
      const loopback = ['localhost', '127.0.0.1'].includes(url.hostname);
      expect([uri, url.protocol === 'https:' || (url.protocol === 'http:' && loopback)]).toEqual([
        uri,
        true,
      ]);
      if (loopback) expect([uri, url.port]).toEqual([uri, '']);
    }
  });
});
