import { decodeJwt } from 'jose';
import { CONSUMER_TENANT_ID } from '../../src/domain/roles';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';

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

const grant = (
  tenant: string,
  username: string,
  password: string,
  scope = 'https://graph.microsoft.com/.default',
) =>
  http.call('POST', `/login/${tenant}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'password',
      username,
      password,
      scope,
      client_id: IDS.applications.signInCard,
    },
  });

describe('sandbox token endpoint', () => {
  it('issues a member token with tid, oid, upn and no idp', async () => {
    const res = await grant(
      IDS.tenants.contoso,
      'admin@contoso.onmicrosoft.com',
      'Sandbox-Passw0rd!',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(typeof res.body.refresh_token).toBe('string');
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      tid: IDS.tenants.contoso,
      oid: IDS.users.kelleyContoso,
      upn: 'admin@contoso.onmicrosoft.com',
      aud: '00000003-0000-0000-c000-000000000000',
    });
    expect(claims.idp).toBeUndefined();
  });

  it('issues a Microsoft account token with idp live.com and email, in its default directory', async () => {
    const res = await grant(
      IDS.tenants.defaultDirectory,
      'kelley.wall@outlook.com',
      'Sandbox-Passw0rd!',
      'https://management.azure.com/.default',
    );
    expect(res.status).toBe(200);
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      tid: IDS.tenants.defaultDirectory,
      oid: IDS.users.kelleyMsaInDefault,
      idp: 'live.com',
      email: 'kelley.wall@outlook.com',
      aud: 'https://management.core.windows.net/',
    });
    expect(claims.tid).not.toBe(CONSUMER_TENANT_ID);
  });

  it.each(['common', 'consumers', 'organizations'])(
    'refuses an ARM token to a Microsoft account at %s, as Entra ID does (AADSTS70011)',
    async (authority) => {
      const res = await grant(
        authority,
        'kelley.wall@outlook.com',
        'Sandbox-Passw0rd!',
        'https://management.azure.com/user_impersonation offline_access',
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_scope');
      expect(res.body.error_codes).toEqual([70011]);
    },
  );

  it('marks a guest from another directory with the home issuer', async () => {
    const res = await grant(
      IDS.tenants.contosoLab,
      'jane@contoso.onmicrosoft.com',
      'Sandbox-Passw0rd!',
    );
    expect(decodeJwt(res.body.access_token).idp).toBe(
      `https://sts.windows.net/${IDS.tenants.contoso}/`,
    );
  });

  it('tells the Microsoft account from the work account that share an email by password', async () => {
    const msa = await grant(IDS.tenants.contosoLab, 'lee@fabrikam.com', 'Sandbox-Msa-Passw0rd!');
    const work = await grant(IDS.tenants.fabrikam, 'lee@fabrikam.com', 'Sandbox-Passw0rd!');
    expect(decodeJwt(msa.body.access_token).idp).toBe('live.com');
    expect(decodeJwt(work.body.access_token).tid).toBe(IDS.tenants.fabrikam);
  });

  it.each([
    ['wrong password', IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'nope', 50126],
    ['unknown user', IDS.tenants.contoso, 'nobody@contoso.onmicrosoft.com', 'x', 50034],
    [
      'user not in that tenant',
      IDS.tenants.fabrikam,
      'admin@contoso.onmicrosoft.com',
      'Sandbox-Passw0rd!',
      50020,
    ],
  ])('refuses a %s with invalid_grant', async (_name, tenant, user, password, code) => {
    const res = await grant(tenant, user, password);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(res.body.error_codes).toEqual([code]);
    expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}`));
  });

  it('grants a password only to a registered client, without a secret only to a public one (AADSTS700016, AADSTS7000218)', async () => {
    const asClient = (clientId: string, secret: Record<string, string> = {}) =>
      http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
        form: {
          grant_type: 'password',
          username: 'admin@contoso.onmicrosoft.com',
          password: 'Sandbox-Passw0rd!',
          scope: 'https://graph.microsoft.com/.default',
          client_id: clientId,
          ...secret,
        },
      });
    const unknown = await asClient('not-registered');
    expect([unknown.status, unknown.body.error, unknown.body.error_codes]).toEqual([
      400,
      'unauthorized_client',
      [700016],
    ]);
    expect(unknown.body.error_description).toMatch(
      /^AADSTS700016: Application with identifier 'not-registered' was not found/,
    );
    // tenantlink's local app registration is a confidential client: no password grant without its secret.
    const confidential = await asClient(IDS.applications.local);
    expect([confidential.status, confidential.body.error, confidential.body.error_codes]).toEqual([
      401,
      'invalid_client',
      [7000218],
    ]);
    expect(confidential.body.access_token).toBeUndefined();
    // With its secret (whose value the sandbox does not check) it may, as Entra lets it.
    expect((await asClient(IDS.applications.local, { client_secret: 'sandbox' })).status).toBe(200);
    // The sandbox sign-in card's registration is a public client.
    expect((await asClient(IDS.applications.signInCard)).status).toBe(200);
  });

  it('refuses an unknown scope and an unsupported grant type', async () => {
    expect(
      (
        await grant(
          IDS.tenants.contoso,
          'admin@contoso.onmicrosoft.com',
          'Sandbox-Passw0rd!',
          'https://vault.azure.net/.default',
        )
      ).body.error,
    ).toBe('invalid_scope');
    const res = await http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
      form: { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
    });
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('redeems a refresh token for the other API in the same directory', async () => {
    const first = await grant(
      IDS.tenants.contoso,
      'admin@contoso.onmicrosoft.com',
      'Sandbox-Passw0rd!',
    );
    const res = await http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
        scope: 'https://management.azure.com/.default',
      },
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token)).toMatchObject({
      aud: 'https://management.core.windows.net/',
      tid: IDS.tenants.contoso,
    });
    const bad = await http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'refresh_token',
        refresh_token: 'forged',
        scope: 'https://management.azure.com/.default',
      },
    });
    expect(bad.body.error_codes).toEqual([70008]);
  });
});

describe('sandbox user realm', () => {
  it.each([
    ['lee@fabrikam.com', 'Managed'],
    ['admin@contoso.onmicrosoft.com', 'Managed'],
    ['kelley.wall@outlook.com', 'Unknown'],
  ])('%s is %s', async (email, type) => {
    const res = await http.call(
      'GET',
      `/login/common/userrealm/${encodeURIComponent(email)}?api-version=2.1`,
    );
    expect(res.status).toBe(200);
    expect(res.body.NameSpaceType).toBe(type);
  });
});
