import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { infraPermissions, type InfraPermissions } from '../../scripts/infraPermissions';
import {
  CONNECTION_PERMISSIONS,
  connectionScopes,
  type ConnectionName,
} from '../../src/auth/permissions';
import { projectRoot } from '../../src/paths';

/**
 * `azd up` (azure.yaml + infra/) against the permission map and README's manual path, offline (no
 * Bicep compiler runs here; the contracts test checks each resource type and property):
 * - infra/permissions.json is what `npm run infra:permissions` makes of src/auth/permissions.ts,
 *   and the Bicep takes every scope from it (none typed by hand, no permission id typed);
 * - the federated credential subject's base64url tenant id, computed in Bicep, gives the values
 *   of Microsoft's doc;
 * - every registration, redirect URI, connection, permission and resource README's "Configuration
 *   for a real tenant" lists is created, and every output the other tools read is there.
 */

const root = projectRoot();
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const bicepFiles = readdirSync(join(root, 'infra')).filter((f) => f.endsWith('.bicep'));
const bicep = Object.fromEntries(bicepFiles.map((f) => [f, read(`infra/${f}`)]));
const all = Object.values(bicep).join('\n');
const json = JSON.parse(read('infra/permissions.json')) as InfraPermissions;

describe('infra/permissions.json', () => {
  it('is what npm run infra:permissions makes of the permission map', () => {
    expect(json).toEqual(infraPermissions());
  });

  it("splits each connection's scopes into Graph and Azure Service Management values", () => {
    for (const name of Object.keys(CONNECTION_PERMISSIONS) as ConnectionName[]) {
      const c = json.connections[name];
      expect(c.scopes).toBe(connectionScopes(name));
      const rebuilt = [...c.arm.map((v) => `https://management.azure.com/${v}`), ...c.graph].sort();
      expect(rebuilt).toEqual(c.scopes.split(' ').sort());
      for (const p of CONNECTION_PERMISSIONS[name].permissions)
        expect([...c.graph, ...c.arm]).toContain(p);
    }
  });

  it('gives each app exactly the permissions of its connections', () => {
    const union = (names: readonly ConnectionName[], api: 'graph' | 'arm'): string[] =>
      [...new Set(names.flatMap((n) => json.connections[n][api]))].sort();
    expect(json.apps.office365.connections).toEqual(['graph', 'azureTarget']);
    expect(json.apps.subscriptionAdmin.connections).toEqual(['azureSourceGraph', 'azureSource']);
    for (const app of Object.values(json.apps)) {
      expect([...app.graph].sort()).toEqual(union(app.connections, 'graph'));
      expect([...app.arm].sort()).toEqual(union(app.connections, 'arm'));
    }
  });
});

describe('the Bicep takes its permissions from infra/permissions.json', () => {
  it('loads the file where it needs scopes', () => {
    expect(bicep['entra.bicep']).toMatch(/loadJsonContent\('permissions\.json'\)/);
    expect(bicep['main.bicep']).toMatch(/loadJsonContent\('permissions\.json'\)/);
    for (const app of ['office365', 'subscriptionAdmin'])
      for (const api of ['graph', 'arm'])
        expect(bicep['entra.bicep']).toContain(`for p in permissions.apps.${app}.${api}:`);
    expect(bicep['entra.bicep']).toContain("scope: join(permissions.apps.office365.graph, ' ')");
    expect(bicep['entra.bicep']).toContain("scope: join(permissions.apps.office365.arm, ' ')");
    expect(bicep['main.bicep']).toContain('scopes: permissions.connections[key].scopes');
  });

  it('types no scope and no permission id by hand', () => {
    const values = new Set(
      Object.values(json.connections).flatMap((c) => [...c.graph, ...c.arm, c.scopes]),
    );
    for (const v of values)
      expect({ v, typed: all.includes(`'${v}'`) }).toEqual({ v, typed: false });
    expect(all).not.toMatch(/User\.Read|RoleManagement\.|LicenseAssignment\.|user_impersonation/);
    // Permission ids come from the APIs' service principals, filtered by value.
    const ids = [
      ...all.matchAll(/resourceAccess: \[\s*for p in [^:]+: \{ id: (.+?), type: 'Scope' \}/g),
    ];
    expect(ids).toHaveLength(4);
    for (const m of ids)
      expect(m[1]).toMatch(/^filter\((graph|arm)Scopes, s => s\.value == p\)\[0\]\.id$/);
    expect(bicep['entra.bicep']).toContain(
      "var graphAppId = '00000003-0000-0000-c000-000000000000'",
    );
    expect(bicep['entra.bicep']).toContain("var armAppId = '797f4846-ba00-4fd7-ba43-dac1f8f63013'");
  });
});

/**
 * Evaluates entra.bicep's four variables of the base64url tenant id for a tenant id: each Bicep
 * expression becomes JavaScript (strings become template literals, `/` between integers is
 * integer division: every one is written `(x / n)` or `(k / 2)`), with Bicep's functions.
 */
function bicepTenantBase64Url(tenantId: string): string {
  const source = bicep['entra.bicep']!;
  const expr = (name: string): string => {
    const m = new RegExp(`^var ${name} = (.*)$`, 'm').exec(source);
    if (!m) throw new Error(`var ${name} not found`);
    return m[1]!
      .replaceAll("'", '`')
      .replaceAll('tenant().tenantId', 'tenantId')
      .replace(/ \/ (\d+)\)/g, (_, n: string) => ` >> ${Math.log2(Number(n))})`);
  };
  const fns = {
    toLower: (s: string) => s.toLowerCase(),
    substring: (s: string, i: number, n: number) => {
      if (i + n > s.length) throw new Error('substring out of range');
      return s.slice(i, i + n);
    },
    indexOf: (s: string, c: string) => s.indexOf(c),
    range: (start: number, count: number) => Array.from({ length: count }, (_, i) => start + i),
    map: <T, U>(a: T[], f: (x: T) => U) => a.map(f),
    join: (a: string[], sep: string) => a.join(sep),
  };
  const body = ['hexDigits', 'base64UrlDigits', 'tenantBytesHex', 'tenantBase64Url']
    .map((v) => `const ${v} = ${expr(v)};`)
    .join('\n');
  // Evaluates the template's own expressions, no input from outside the repository
  const run = new Function(...Object.keys(fns), 'tenantId', `${body}\nreturn tenantBase64Url;`);
  return run(...Object.values(fns), tenantId) as string;
}

/** The reference: the GUID's bytes in .NET Guid.ToByteArray() order, base64url. */
function dotNetBase64Url(guid: string): string {
  const h = guid.replaceAll('-', '');
  const le = (s: string): string => s.match(/../g)!.reverse().join('');
  const bytes = `${le(h.slice(0, 8))}${le(h.slice(8, 12))}${le(h.slice(12, 16))}${h.slice(16)}`;
  return Buffer.from(bytes, 'hex').toString('base64url');
}

describe("the federated credential subject of Bot Service's token store", () => {
  // The doc's table (https://learn.microsoft.com/microsoft-365/agents-sdk/azure-bot-user-authorization-federated-credentials)
  // gives encoded values; these GUIDs are what they decode to.
  it.each([
    ['72f988bf-86f1-41af-91ab-2d7cd011db47', 'v4j5cvGGr0GRqy180BHbRw'],
    ['975f013f-7f24-47e8-a7d3-abc4752bf346', 'PwFflyR_6Een06vEdSvzRg'],
    ['5b404cf4-a79d-4cfe-b866-24bf8e1a4921', '9ExAW52n_ky4ZiS_jhpJIQ'],
    ['F3723D34-6FF5-4CEB-A148-D99DCD2511FC', 'ND1y8_Vv60yhSNmdzSUR_A'],
  ])('encodes %s as the doc does (%s)', (guid, encoded) => {
    expect(dotNetBase64Url(guid.toLowerCase())).toBe(encoded);
    expect(bicepTenantBase64Url(guid)).toBe(encoded);
  });

  it('encodes any tenant id as the byte array does', () => {
    for (let i = 0; i < 200; i++) {
      const guid = randomUUID();
      expect(bicepTenantBase64Url(guid)).toBe(dotNetBase64Url(guid));
    }
  });

  it("ends with the connection's unique identifier, the one its OAuth connection names", () => {
    expect(bicep['entra.bicep']).toContain(
      "subject: '/eid1/c/pub/t/${tenantBase64Url}/a/${botTokenStoreBase64Url}/${c.uniqueId}'",
    );
    expect(bicep['entra.bicep']).toContain("var botTokenStoreBase64Url = '9ExAW52n_ky4ZiS_jhpJIQ'");
    expect(bicep['bot.bicep']).toContain("{ key: 'UniqueIdentifier', value: c.uniqueId }");
    expect(bicep['main.bicep']).toMatch(
      /connections: connections\n[\s\S]*connections: connections\n/,
    );
  });
});

/** What README "Configuration for a real tenant" has a person create by hand, as structured data. */
const MANUAL_PATH = {
  registrations: {
    office365: {
      signInAudience: 'AzureADMyOrg',
      redirectUris: ['https://token.botframework.com/.auth/web/redirect'],
      identifierUri: 'api://botid-${appId}',
      scope: 'access_as_user',
      preAuthorized: [
        '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
        '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
      ],
    },
    subscriptionAdmin: {
      signInAudience: 'AzureADandPersonalMicrosoftAccount',
      redirectUris: ['https://${siteHost}/auth/azure/callback'],
    },
  },
  /** Connection → the tenant README's table gives it. */
  connections: {
    graph: 'office365',
    azureTarget: 'office365',
    azureSource: 'common',
    azureSourceGraph: 'common',
  },
  resources: [
    'Microsoft.ManagedIdentity/userAssignedIdentities',
    'Microsoft.BotService/botServices',
    'Microsoft.BotService/botServices/channels',
    'Microsoft.BotService/botServices/connections',
    'Microsoft.Storage/storageAccounts',
    'Microsoft.Storage/storageAccounts/blobServices/containers',
    'Microsoft.KeyVault/vaults',
    'Microsoft.KeyVault/vaults/keys',
    'Microsoft.Insights/components',
    'Microsoft.OperationalInsights/workspaces',
    'Microsoft.Web/serverfarms',
    'Microsoft.Web/sites',
    'Microsoft.Graph/applications',
    'Microsoft.Graph/servicePrincipals',
    'Microsoft.Graph/applications/federatedIdentityCredentials',
    'Microsoft.Graph/oauth2PermissionGrants',
  ],
} as const;

/** The outputs azd writes to .azure/<env>/.env (shared names of issue 26). */
const OUTPUTS = [
  'AZURE_TENANT_ID',
  'AZURE_RESOURCE_GROUP',
  'BOT_ID',
  'BOT_NAME',
  'BOT_DOMAIN',
  'MESSAGING_ENDPOINT',
  'SSO_APP_ID',
  'ADMIN_SIGNIN_CLIENT_ID',
  'ADMIN_SIGNIN_REDIRECT_URI',
  'TEAMS_APP_ID',
  'KEY_VAULT_URL',
  'TOKEN_CACHE_KEY_ID',
  'BLOB_ACCOUNT_URL',
  'BLOB_CONTAINER',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'SITE_NAME',
  'CONNECTION_GRAPH',
  'CONNECTION_AZURE_TARGET',
  'CONNECTION_AZURE_SOURCE',
  'CONNECTION_AZURE_SOURCE_GRAPH',
];

/** The body of the resource declared with `symbol` in a file: up to the next top-level line. */
function resourceBody(file: string, symbol: string): string {
  const m = new RegExp(`^resource ${symbol} '[^']+' = [^\\n]*\\n([\\s\\S]*?)^[}\\]]`, 'm').exec(
    bicep[file]!,
  );
  if (!m) throw new Error(`resource ${symbol} not in ${file}`);
  return m[1]!;
}

describe("azure.yaml + infra/ create what README's manual path lists", () => {
  it('azure.yaml provisions infra/ and deploys the bot to App Service, then builds the package', () => {
    const azd = parse(read('azure.yaml')) as {
      name: string;
      infra: { provider: string; path: string; module: string };
      services: Record<string, { project: string; language: string; host: string }>;
      hooks: Record<string, { run: string }>;
    };
    expect(azd.name).toBe('tenantlink');
    expect(azd.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(azd.services).toEqual({ bot: { project: '.', language: 'ts', host: 'appservice' } });
    expect(bicep['app.bicep']).toContain("tags: { 'azd-service-name': 'bot' }");
    expect(bicep['app.bicep']).toContain("appCommandLine: 'node dist/src/index.js'");
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.build).toBeDefined();
    expect(azd.hooks.postprovision?.run).toBe('npm run package');
    expect(scripts.package).toBeDefined();
    const parameters = read('infra/main.parameters.json');
    for (const v of ['${AZURE_ENV_NAME}', '${AZURE_LOCATION}', '${AZURE_PRINCIPAL_ID}'])
      expect(parameters).toContain(v);
  });

  it('creates every resource type of the manual path', () => {
    const types = new Set([...all.matchAll(/^resource \w+ '([^@']+)@/gm)].map((m) => m[1]!));
    for (const t of MANUAL_PATH.resources)
      expect({ t, created: types.has(t) }).toEqual({ t, created: true });
    expect(all).not.toMatch(/^resource \w+ '[^']+' existing = \{\s*name:/m);
  });

  it("registers the Office 365 admin's app: single tenant, SSO API, Teams pre-authorized, token service redirect", () => {
    const r = MANUAL_PATH.registrations.office365;
    const app = resourceBody('entra.bicep', 'office365App');
    expect(app).toContain(`signInAudience: '${r.signInAudience}'`);
    expect(app).toContain('web: { redirectUris: [tokenServiceRedirect] }');
    expect(bicep['entra.bicep']).toContain(`var tokenServiceRedirect = '${r.redirectUris[0]}'`);
    expect(app).toContain(`value: '${r.scope}'`);
    const api = bicep['entraApi.bicep']!;
    expect(api).toContain(`var identifierUri = '${r.identifierUri}'`);
    expect(api).toContain('identifierUris: [identifierUri]');
    expect(api).toMatch(
      /preAuthorizedApplications: \[\s*for clientId in preAuthorizedClientIds: \{ appId: clientId, delegatedPermissionIds: \[accessAsUserId\] \}/,
    );
    expect(bicep['entra.bicep']).toContain(
      `var teamsClientIds = ['${r.preAuthorized.join("', '")}']`,
    );
    expect(bicep['entra.bicep']).toContain('preAuthorizedClientIds: teamsClientIds');
    // The manifest's webApplicationInfo uses the same URI (npm run package fills SSO_APP_ID).
    expect(read('appPackage/manifest.json')).toContain('"resource": "api://botid-${{SSO_APP_ID}}"');
  });

  it("registers the subscription admin's sign-in app with the site's callback, trusting the managed identity", () => {
    const r = MANUAL_PATH.registrations.subscriptionAdmin;
    const app = resourceBody('entra.bicep', 'adminApp');
    expect(app).toContain(`signInAudience: '${r.signInAudience}'`);
    expect(app).toContain('web: { redirectUris: [adminRedirect] }');
    expect(bicep['entra.bicep']).toContain(`var adminRedirect = '${r.redirectUris[0]}'`);
    const fic = resourceBody('entra.bicep', 'adminCredential');
    expect(fic).toContain('subject: identityPrincipalId');
    expect(fic).toContain('issuer: issuer');
    expect(fic).toContain('audiences: [exchangeAudience]');
    expect(bicep['entra.bicep']).toContain(
      "var issuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'",
    );
    expect(bicep['entra.bicep']).toContain("var exchangeAudience = 'api://AzureADTokenExchange'");
    expect(bicep['main.bicep']).toContain(
      "{ name: 'ADMIN_SIGNIN_CREDENTIAL', value: 'managedIdentity' }",
    );
  });

  it('creates the Office 365 connections with their scopes in the Office 365 tenant, secretless', () => {
    const office365 = Object.entries(MANUAL_PATH.connections)
      .filter(([, tenant]) => tenant === 'office365')
      .map(([name]) => name);
    expect(json.apps.office365.connections).toEqual(office365);
    for (const name of office365)
      expect(json.connections[name as ConnectionName].kind).toBe('office365');
    const conn = resourceBody('bot.bicep', 'oauthConnections');
    expect(conn).toContain('scopes: c.scopes');
    // The Office 365 tenant is the tenant the apps are created in (the deployment's).
    expect(conn).toContain("{ key: 'TenantId', value: tenant().tenantId }");
    expect(conn).toContain("{ key: 'TokenExchangeUrl', value: c.sso ? ssoResource : '' }");
    expect(conn).not.toMatch(/clientSecret/);
    expect(bicep['main.bicep']).toContain('for key in permissions.apps.office365.connections: {');
    expect(bicep['main.bicep']).toContain("sso: permissions.connections[key].resource == 'graph'");
    // Admin consent for the Office 365 tenant.
    expect(resourceBody('entra.bicep', 'office365GraphGrant')).toContain(
      "consentType: 'AllPrincipals'",
    );
    expect(resourceBody('entra.bicep', 'office365ArmGrant')).toContain(
      "consentType: 'AllPrincipals'",
    );
  });

  it("serves the `common` connections' permissions through the subscription admin's sign-in app instead", () => {
    const common = Object.entries(MANUAL_PATH.connections)
      .filter(([, tenant]) => tenant === 'common')
      .map(([name]) => name)
      .sort();
    expect([...json.apps.subscriptionAdmin.connections].sort()).toEqual(common);
    expect(bicep['main.bicep']).toContain(
      "{ name: 'ADMIN_SIGNIN_CLIENT_ID', value: entra.outputs.adminAppId }",
    );
    expect(bicep['main.bicep']).toMatch(
      /Not created: the `azureSource` and `azureSourceGraph` OAuth connections/,
    );
  });

  it('creates the Teams channel, and sets every output the package and doctor read', () => {
    expect(resourceBody('bot.bicep', 'teams')).toContain("channelName: 'MsTeamsChannel'");
    const outputs = [...bicep['main.bicep']!.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
    expect(outputs.sort()).toEqual([...OUTPUTS].sort());
  });
});
