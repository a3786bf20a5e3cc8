import type { TokenCredential } from '@azure/core-auth';
import { loadConfig } from '../../src/config';
import { connectionsCheck } from '../../src/doctor/checks/connections';
import { consentCheck } from '../../src/doctor/checks/consent';
import { keyVaultCheck } from '../../src/doctor/checks/keyVault';
import { armConnectionSettings } from '../../src/doctor/connectionSettings';
import { doctorTranslator } from '../../src/doctor/runner';
import type { DoctorContext } from '../../src/doctor/types';
import { CannedHttpsServer, sendJson } from '../helpers/cannedHttps';

/**
 * The doctor's reads of Azure in cloud mode, against a canned HTTPS server in the place of ARM and
 * Microsoft Graph: the OAuth connection settings (BotConnection_Get), the Key Vault references of
 * the site's app settings (WebApps_GetAppSettingsKeyVaultReferences) and the admin consent grants
 * (servicePrincipals by appId, oauth2PermissionGrants), with the operator's token.
 */

let server: CannedHttpsServer;

beforeAll(async () => {
  server = await CannedHttpsServer.start();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => server.reset());

const operator: TokenCredential = {
  getToken: () =>
    Promise.resolve({ token: 'operator-token', expiresOnTimestamp: Date.now() + 3.6e6 }),
};

const SSO = '5d2c8e4f-1a3b-4c6d-9e8f-7a6b5c4d3e2f';
const deployment = {
  botId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
  ssoAppId: SSO,
  botName: 'bot-tl',
  subscriptionId: 'sub-1',
  resourceGroup: 'rg-tl',
  siteName: 'app-tl',
  messagingEndpoint: 'https://app-tl.azurewebsites.net/api/messages',
  azdEnvironment: 'prod',
};

function context(): DoctorContext {
  const config = loadConfig({
    TENANTLINK_MODE: 'cloud',
    MicrosoftAppId: deployment.botId,
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
    STORAGE: 'memory',
  });
  const http = { caCertificatePem: server.caCertificatePem, timeoutMs: 5000, maxRetries: 0 };
  return {
    config,
    deployment,
    t: doctorTranslator('en-US'),
    http,
    endpoints: {
      graphBaseUrl: server.url,
      armEndpoint: server.url,
      authorityHost: 'https://login.microsoftonline.com',
    },
    botUrl: undefined,
    sandbox: undefined,
    userTokenClient: undefined,
    connectionSettings: armConnectionSettings(operator, deployment, {
      ...http,
      armEndpoint: server.url,
    }),
    operator,
    storage: undefined,
    packagePath: '/nonexistent.zip',
    onAzure: false,
    earlier: [],
  };
}

describe('OAuth connections read from ARM', () => {
  const scopesOf: Record<string, string> = {
    graph:
      'openid profile offline_access User.Read User.Read.All RoleManagement.Read.Directory User.Invite.All GroupMember.Read.All',
    azureTarget: 'https://management.azure.com/user_impersonation offline_access',
    azureSourceGraph: 'openid profile offline_access User.Read User.ReadBasic.All',
  };

  it('finds a connection ARM does not have and one that lacks a scope', async () => {
    server.handler = (req, res) => {
      const name = /\/connections\/([^?]+)\?api-version=2022-09-15$/.exec(req.url)?.[1] ?? '';
      const scopes = scopesOf[name];
      if (scopes === undefined)
        return sendJson(res, 404, { error: { code: 'ResourceNotFound', message: 'not found' } });
      sendJson(res, 200, { name, properties: { clientId: SSO, scopes } });
    };
    const findings = await connectionsCheck(context());
    expect(findings.map((f) => [f.status, f.error])).toEqual([
      ['pass', undefined],
      ['pass', undefined],
      ['fail', 'doctorConnectionUnknown'],
      ['fail', 'doctorScopeMissing'],
    ]);
    expect(findings[2]!.fix).toContain(
      'Azure portal > Azure Bot bot-tl > Settings > Configuration > Add OAuth Connection Settings, name azureSource',
    );
    expect(findings[3]!.text).toContain('lacks the scopes LicenseAssignment.Read.All');
    expect(server.requests[0]!.url).toBe(
      '/subscriptions/sub-1/resourceGroups/rg-tl/providers/Microsoft.BotService/botServices/bot-tl/connections/graph?api-version=2022-09-15',
    );
    expect(server.requests[0]!.headers.authorization).toBe('Bearer operator-token');
  });
});

describe('Key Vault references', () => {
  it('fails each app setting whose reference does not resolve', async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, {
        value: [
          { name: 'TOKEN_CACHE_KEY_ID', properties: { status: 'Resolved' } },
          { name: 'ADMIN_SIGNIN_CLIENT_SECRET', properties: { status: 'SecretNotFound' } },
        ],
      });
    const findings = await keyVaultCheck(context());
    expect(findings).toEqual([
      expect.objectContaining({
        status: 'fail',
        error: 'doctorKeyVaultReference',
        text: 'app setting ADMIN_SIGNIN_CLIENT_SECRET of site app-tl does not resolve its Key Vault reference (SecretNotFound).',
      }),
    ]);
    expect(server.requests[0]!.url).toBe(
      '/subscriptions/sub-1/resourceGroups/rg-tl/providers/Microsoft.Web/sites/app-tl/config/configreferences/appsettings?api-version=2023-12-01',
    );
  });

  it('passes when every reference resolves', async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, { value: [{ name: 'A', properties: { status: 'Resolved' } }] });
    expect(await keyVaultCheck(context())).toEqual([
      expect.objectContaining({
        status: 'pass',
        text: 'the Key Vault reference of site app-tl resolves.',
      }),
    ]);
  });
});

describe('admin consent', () => {
  const answer = (graphScope: string) => {
    server.handler = (req, res) => {
      const sp = /servicePrincipals\(appId='([^']+)'\)/.exec(decodeURIComponent(req.url))?.[1];
      if (sp) return sendJson(res, 200, { id: `sp-${sp}` });
      if (req.url.startsWith('/v1.0/oauth2PermissionGrants'))
        return sendJson(res, 200, {
          value: [
            {
              clientId: `sp-${SSO}`,
              consentType: 'AllPrincipals',
              resourceId: 'sp-00000003-0000-0000-c000-000000000000',
              scope: graphScope,
            },
            {
              clientId: `sp-${SSO}`,
              consentType: 'AllPrincipals',
              resourceId: 'sp-797f4846-ba00-4fd7-ba43-dac1f8f63013',
              scope: 'user_impersonation',
            },
            // One user's own consent counts for nobody else.
            {
              clientId: `sp-${SSO}`,
              consentType: 'Principal',
              resourceId: 'sp-00000003-0000-0000-c000-000000000000',
              scope: 'LicenseAssignment.Read.All',
            },
          ],
        });
      sendJson(res, 404, { error: { code: 'Request_ResourceNotFound' } });
    };
  };
  const all =
    'openid profile offline_access User.Read User.Read.All RoleManagement.Read.Directory User.Invite.All GroupMember.Read.All User.ReadBasic.All';

  it('fails when the tenant-wide grant lacks a permission, with the admin consent URL', async () => {
    answer(all);
    const [finding] = await consentCheck(context());
    expect(finding).toEqual(
      expect.objectContaining({
        status: 'fail',
        error: 'doctorConsent',
        text: `admin consent for app ${SSO} lacks LicenseAssignment.Read.All.`,
        fix: expect.stringContaining(
          `https://login.microsoftonline.com/cf2c1c8a-9a1b-4584-9523-71a6b29ed542/adminconsent?client_id=${SSO}`,
        ),
      }),
    );
  });

  it('passes when it covers every permission of the connections', async () => {
    answer(`${all} LicenseAssignment.Read.All`);
    expect((await consentCheck(context()))[0]!.status).toBe('pass');
  });
});
