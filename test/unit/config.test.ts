import { Sealer } from '../../src/auth/sealedStore';
import { loadConfig, redactedSummary } from '../../src/config';
import { redactString } from '../../src/log';

const PASSWORD = 'Zx9~app-password-value.Q1';
const APP_ID = '00000000-0000-0000-0000-00000000b07e';

describe('loadConfig', () => {
  it('listens on loopback in local mode and on every interface in cloud mode unless HOST is set', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const cloud = {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: PASSWORD,
      MicrosoftAppType: 'MultiTenant',
    };
    expect(loadConfig(cloud).host).toBe('0.0.0.0');
    expect(loadConfig({ ...cloud, HOST: '10.0.0.4' }).host).toBe('10.0.0.4');
  });

  it('defaults to local mode on port 3978 with an empty environment', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('local');
    expect(config.port).toBe(3978);
    expect(config.logLevel).toBe('info');
    expect(config.bot).toEqual({
      appId: '',
      appPassword: '',
      appType: 'SingleTenant',
      oauthUrl: undefined,
      certificateThumbprint: '',
      certificateKeyFile: '',
      channelOpenIdMetadataUrl: '',
      channelTokenIssuer: '',
      tenantId: '',
      connectorTimeoutMs: 15000,
    });
    expect(config.cloud).toEqual({
      graphBaseUrl: 'https://graph.microsoft.com',
      armEndpoint: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
      portalUrl: 'https://portal.azure.com',
      timeoutMs: 30000,
      propagation: { timeoutMs: 7_200_000, firstPollMs: 2_000, maxPollMs: 60_000 },
      maxRetries: 4,
    });
    expect(config.sandbox.port).toBe(0);
    expect(config.playground).toEqual({ enabled: true, port: 56150 });
    expect(config.connections).toEqual({
      graph: 'graph',
      azureSource: 'azureSource',
      azureTarget: 'azureTarget',
      azureSourceGraph: 'azureSourceGraph',
    });
  });

  it('reads and coerces values', () => {
    const config = loadConfig({
      PORT: '4000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      CLOUD_TIMEOUT_MS: '1500',
      CLOUD_MAX_RETRIES: '0',
      PLAYGROUND: 'off',
    });
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logLevel).toBe('debug');
    expect(config.cloud.timeoutMs).toBe(1500);
    expect(config.cloud.maxRetries).toBe(0);
    expect(config.playground.enabled).toBe(false);
  });

  it('chooses cloud mode when an app id is set', () => {
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: PASSWORD,
      MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
    });
    expect(config.mode).toBe('cloud');
    expect(config.bot.appId).toBe(APP_ID);
    expect(config.bot.appPassword).toBe(PASSWORD);
  });

  it.each<[string, Record<string, string>]>([
    ['app id and password', { MicrosoftAppId: APP_ID, MicrosoftAppPassword: PASSWORD }],
    ['app id only', { MicrosoftAppId: APP_ID }],
    ['password only', { MicrosoftAppPassword: PASSWORD }],
  ])('refuses TENANTLINK_MODE=local with %s set', (_what, credentials) => {
    expect(() => loadConfig({ TENANTLINK_MODE: 'local', ...credentials })).toThrow(
      /TENANTLINK_MODE: local mode is refused/,
    );
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a SingleTenant bot without its tenant',
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: PASSWORD },
      /MicrosoftAppTenantId: required with MicrosoftAppType=SingleTenant/,
    ],
    [
      'a managed identity with a password',
      {
        MicrosoftAppId: APP_ID,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
        MicrosoftAppPassword: PASSWORD,
      },
      /MicrosoftAppPassword: must be empty with MicrosoftAppType=UserAssignedMSI/,
    ],
    [
      'a certificate thumbprint without its key',
      {
        MicrosoftAppId: APP_ID,
        MicrosoftAppType: 'MultiTenant',
        MicrosoftAppCertificateThumbprint: 'AB12CD34',
      },
      /MicrosoftAppCertificateKeyFile: a certificate needs both/,
    ],
  ])('refuses %s', (_what, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(new RegExp(PASSWORD));
  });

  it('accepts a managed identity without a secret and a certificate instead of a secret', () => {
    const msi = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
    });
    expect(msi.bot.appType).toBe('UserAssignedMSI');
    const cert = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
      MicrosoftAppCertificateThumbprint: 'AB12CD34',
      MicrosoftAppCertificateKeyFile: '/run/secrets/bot.pem',
    });
    expect(cert.bot).toMatchObject({
      certificateThumbprint: 'AB12CD34',
      certificateKeyFile: '/run/secrets/bot.pem',
      appPassword: '',
    });
  });

  it('refuses cloud mode without an app id', () => {
    expect(() => loadConfig({ TENANTLINK_MODE: 'cloud' })).toThrow(
      /MicrosoftAppId: required in cloud mode/,
    );
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ PORT: 'abc' }, /^TL-CONFIG-INVALID: Invalid configuration: PORT: Expected number/],
    [{ PORT: '70000' }, /^TL-CONFIG-INVALID: Invalid configuration: .*PORT/],
    [{ PORT: '-1' }, /^TL-CONFIG-INVALID: Invalid configuration: .*PORT/],
    [{ CLOUD_TIMEOUT_MS: '0' }, /CLOUD_TIMEOUT_MS/],
    [{ CLOUD_MAX_RETRIES: '11' }, /CLOUD_MAX_RETRIES/],
    [{ GRAPH_BASE_URL: 'not a url' }, /GRAPH_BASE_URL/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL/],
    [{ TENANTLINK_MODE: 'production' }, /TENANTLINK_MODE/],
    [{ PLAYGROUND: 'yes' }, /PLAYGROUND/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', ARM_ENDPOINT: 'nope' })).toThrow(
      /PORT.*ARM_ENDPOINT|ARM_ENDPOINT.*PORT/,
    );
  });

  it('does not repeat an invalid URL value in the error', () => {
    const secretish = 'https//user:hunter2@example';
    expect(() => loadConfig({ ARM_ENDPOINT: secretish })).toThrow(/ARM_ENDPOINT/);
    try {
      loadConfig({ ARM_ENDPOINT: secretish });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('does not repeat an invalid enum value in the error', () => {
    expect(() => loadConfig({ MicrosoftAppType: PASSWORD })).toThrow(/MicrosoftAppType/);
    try {
      loadConfig({ MicrosoftAppType: PASSWORD });
    } catch (err) {
      expect((err as Error).message).not.toContain(PASSWORD);
    }
  });
});

describe('redactedSummary', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'cloud mode with a password',
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: PASSWORD, MicrosoftAppType: 'MultiTenant' },
      '[set]',
    ],
    ['local mode', {}, '[empty]'],
  ])('never contains the app password (%s)', (_what, env, shown) => {
    const config = loadConfig(env);
    const summary = redactedSummary(config);
    const text = JSON.stringify(summary);
    expect(text).not.toContain(PASSWORD);
    expect(summary).toMatchObject({ bot: { appPassword: shown } });
    // The summary is still useful: the app id and endpoints are there.
    expect(summary).toMatchObject({
      mode: config.mode,
      port: 3978,
      bot: { appId: config.bot.appId },
    });
  });

  it('does not change the configuration it summarises', () => {
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: PASSWORD,
      MicrosoftAppType: 'MultiTenant',
    });
    redactedSummary(config);
    expect(config.bot.appPassword).toBe(PASSWORD);
  });
});

describe('storage configuration', () => {
  it('defaults to the embedded store in .data', () => {
    expect(loadConfig({}).storage).toMatchObject({ kind: 'embedded', directory: '.data' });
  });

  it('requires a connection string for blob and never logs it', () => {
    expect(() => loadConfig({ STORAGE: 'blob' })).toThrow(/BLOB_CONNECTION_STRING/);
    const secret = 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;';
    const config = loadConfig({ STORAGE: 'blob', BLOB_CONNECTION_STRING: secret });
    expect(config.storage.blobConnectionString).toBe(secret);
    expect(JSON.stringify(redactedSummary(config))).not.toContain('c2VjcmV0');
  });

  it('accepts a blob endpoint with a managed identity instead of a connection string', () => {
    const config = loadConfig({
      STORAGE: 'blob',
      BLOB_ACCOUNT_URL: 'https://tenantlinkstate.blob.core.windows.net',
      AZURE_CLIENT_ID: '6b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });
    expect(config.storage).toMatchObject({
      kind: 'blob',
      blobConnectionString: '',
      blobAccountUrl: 'https://tenantlinkstate.blob.core.windows.net',
      managedIdentityClientId: '6b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });
    expect(() => loadConfig({ STORAGE: 'blob', BLOB_ACCOUNT_URL: 'not a url' })).toThrow(
      /BLOB_ACCOUNT_URL/,
    );
  });

  it('refuses an invalid container name', () => {
    expect(() =>
      loadConfig({ STORAGE: 'blob', BLOB_CONNECTION_STRING: 'x', BLOB_CONTAINER: 'Bad_Name' }),
    ).toThrow(/BLOB_CONTAINER/);
  });
});

describe('redaction of storage secrets in logs', () => {
  it('hides an account key and a SAS signature', () => {
    const text =
      'connect AccountKey=c2VjcmV0Cg==; url https://a.blob.core.windows.net/c?sv=1&sig=abc%2F';
    const redacted = redactString(text);
    expect(redacted).not.toMatch(/c2VjcmV0|abc%2F/);
    expect(redacted).toContain('AccountKey=[REDACTED]');
  });
});

describe('Cosmos DB storage configuration', () => {
  it('requires the endpoint and key, and never logs the key', () => {
    expect(() => loadConfig({ STORAGE: 'cosmos' })).toThrow(/COSMOS_ENDPOINT.*COSMOS_KEY/);
    const config = loadConfig({
      STORAGE: 'cosmos',
      COSMOS_ENDPOINT: 'https://contoso.documents.azure.com:443/',
      COSMOS_KEY: 'c2VjcmV0LWNvc21vcy1rZXk=',
    });
    expect(config.storage.cosmos).toMatchObject({ database: 'tenantlink', container: 'state' });
    expect(JSON.stringify(redactedSummary(config))).not.toContain('c2VjcmV0LWNvc21vcy1rZXk=');
  });
});

describe('the subscription admin sign-in settings', () => {
  const CLOUD = {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: PASSWORD,
    MicrosoftAppType: 'MultiTenant',
  };
  const SECRET = 'Qw8~admin-sign-in-secret.value';
  const KEY = 'q0Zs8Vb2Yt1kR7wXn4Lc9Pj3Hd6Mf5Ga2Eu8Tz0Oy1I=';
  const OWN = {
    ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    ADMIN_SIGNIN_CLIENT_SECRET: SECRET,
    ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
    TOKEN_CACHE_KEY: KEY,
  };

  it('reads them and never shows the secret or the key in the summary', () => {
    const config = loadConfig({ ...CLOUD, ...OWN });
    expect(config.adminSignIn).toEqual({
      clientId: OWN.ADMIN_SIGNIN_CLIENT_ID,
      clientSecret: SECRET,
      redirectUri: OWN.ADMIN_SIGNIN_REDIRECT_URI,
      credential: 'secret',
      managedIdentityClientId: '',
      assertionAudience: 'api://AzureADTokenExchange',
      cacheKey: KEY,
      cacheKeyId: '',
    });
    const summary = JSON.stringify(redactedSummary(config));
    expect(summary).not.toContain(SECRET);
    expect(summary).not.toContain(KEY);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no secret', { ADMIN_SIGNIN_CLIENT_SECRET: '' }, /ADMIN_SIGNIN_CLIENT_SECRET: required/],
    [
      'an http redirect URI',
      { ADMIN_SIGNIN_REDIRECT_URI: 'http://tenantlink.example/cb' },
      /ADMIN_SIGNIN_REDIRECT_URI/,
    ],
    ['no token cache key', { TOKEN_CACHE_KEY: '' }, /TOKEN_CACHE_KEY: required/],
    [
      'a short token cache key',
      { TOKEN_CACHE_KEY: 'c2hvcnQ=' },
      /TOKEN_CACHE_KEY: must be 32 random bytes/,
    ],
  ])('refuses cloud mode with the client id and %s', (_what, change, message) => {
    expect(() => loadConfig({ ...CLOUD, ...OWN, ...change })).toThrow(message);
    expect(() => loadConfig({ ...CLOUD, ...OWN, ...change })).not.toThrow(new RegExp(SECRET));
  });
});

describe('ADMIN_SIGNIN_CREDENTIAL: the sign-in app without a secret (issue 26)', () => {
  const MSI = {
    MicrosoftAppId: APP_ID,
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    AZURE_CLIENT_ID: APP_ID,
    ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
    TOKEN_CACHE_KEY: 'q0Zs8Vb2Yt1kR7wXn4Lc9Pj3Hd6Mf5Ga2Eu8Tz0Oy1I=',
  };
  const SECRET = 'Qw8~admin-sign-in-secret.value';

  it('defaults to the managed identity when the bot is a user-assigned identity and no secret is set', () => {
    expect(loadConfig(MSI).adminSignIn).toMatchObject({
      credential: 'managedIdentity',
      managedIdentityClientId: APP_ID,
      assertionAudience: 'api://AzureADTokenExchange',
      clientSecret: '',
    });
  });

  it('defaults to the secret when one is set, and otherwise when the bot is no managed identity', () => {
    expect(
      loadConfig({ ...MSI, MicrosoftAppType: 'MultiTenant', ADMIN_SIGNIN_CLIENT_SECRET: SECRET })
        .adminSignIn.credential,
    ).toBe('secret');
    expect(loadConfig({ TENANTLINK_MODE: 'local' }).adminSignIn.credential).toBe('secret');
    // Left empty, as .env.sample has it: the default.
    expect(loadConfig({ ...MSI, ADMIN_SIGNIN_CREDENTIAL: '' }).adminSignIn.credential).toBe(
      'managedIdentity',
    );
  });

  it.each<[string, string, string]>([
    ['the global service', 'https://login.microsoftonline.com', 'api://AzureADTokenExchange'],
    ['US Government', 'https://login.microsoftonline.us', 'api://AzureADTokenExchangeUSGov'],
    ['China (21Vianet)', 'https://login.chinacloudapi.cn', 'api://AzureADTokenExchangeChina'],
  ])('asks for the token exchange audience of %s', (_cloud, host, audience) => {
    expect(loadConfig({ ...MSI, AUTHORITY_HOST: host }).adminSignIn.assertionAudience).toBe(
      audience,
    );
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a client secret beside it',
      { ADMIN_SIGNIN_CREDENTIAL: 'managedIdentity', ADMIN_SIGNIN_CLIENT_SECRET: SECRET },
      /ADMIN_SIGNIN_CLIENT_SECRET: must be empty with ADMIN_SIGNIN_CREDENTIAL=managedIdentity/,
    ],
    [
      'no user-assigned identity (a system-assigned one cannot be a federated credential)',
      { AZURE_CLIENT_ID: '' },
      /AZURE_CLIENT_ID: required with ADMIN_SIGNIN_CREDENTIAL=managedIdentity.*user-assigned/,
    ],
    [
      'a cloud whose token exchange audience no document gives',
      { AUTHORITY_HOST: 'https://login.example.org' },
      /AUTHORITY_HOST: ADMIN_SIGNIN_CREDENTIAL=managedIdentity works only in Microsoft Entra ID global/,
    ],
    [
      'the secret credential asked for without a secret',
      { ADMIN_SIGNIN_CREDENTIAL: 'secret' },
      /ADMIN_SIGNIN_CLIENT_SECRET: required with ADMIN_SIGNIN_CLIENT_ID and ADMIN_SIGNIN_CREDENTIAL=secret/,
    ],
    [
      'another value',
      { ADMIN_SIGNIN_CREDENTIAL: 'certificate' },
      /ADMIN_SIGNIN_CREDENTIAL: expected one of secret, managedIdentity, /,
    ],
  ])('refuses %s, with the reason and never the secret', (_what, change, message) => {
    expect(() => loadConfig({ ...MSI, ...change })).toThrow(message);
    expect(() => loadConfig({ ...MSI, ...change })).not.toThrow(new RegExp(SECRET));
  });
});

describe('TOKEN_CACHE_KEY_ID (issue 26): the Key Vault key that wraps the token cache key', () => {
  const CLOUD = {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: PASSWORD,
    MicrosoftAppType: 'MultiTenant',
  };
  const KEY_ID = 'https://kv-tenantlink.vault.azure.net/keys/token-cache';
  const KEY = 'q0Zs8Vb2Yt1kR7wXn4Lc9Pj3Hd6Mf5Ga2Eu8Tz0Oy1I=';
  const OWN = {
    ADMIN_SIGNIN_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    ADMIN_SIGNIN_CLIENT_SECRET: 'Qw8~admin-sign-in-secret.value',
    ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
  };

  it('stands in for TOKEN_CACHE_KEY in cloud mode', () => {
    const config = loadConfig({ ...CLOUD, ...OWN, TOKEN_CACHE_KEY_ID: KEY_ID });
    expect(config.adminSignIn).toMatchObject({ cacheKey: '', cacheKeyId: KEY_ID });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'with TOKEN_CACHE_KEY too (neither wins)',
      { ...CLOUD, ...OWN, TOKEN_CACHE_KEY_ID: KEY_ID, TOKEN_CACHE_KEY: KEY },
      /TOKEN_CACHE_KEY_ID: set either TOKEN_CACHE_KEY_ID .* or TOKEN_CACHE_KEY .*, not both/,
    ],
    ['in local mode', { TOKEN_CACHE_KEY_ID: KEY_ID }, /TOKEN_CACHE_KEY_ID: cloud mode only/],
    [
      'with a version',
      { ...CLOUD, TOKEN_CACHE_KEY_ID: `${KEY_ID}/0123456789abcdef0123456789abcdef` },
      /TOKEN_CACHE_KEY_ID: must be https:\/\/<vault>.vault.azure.net\/keys\/<name> \(versionless\), without a version/,
    ],
    [
      'naming a secret',
      { ...CLOUD, TOKEN_CACHE_KEY_ID: 'https://kv-tenantlink.vault.azure.net/secrets/token-cache' },
      /TOKEN_CACHE_KEY_ID: must be https/,
    ],
    [
      'missing, and no TOKEN_CACHE_KEY, with the sign-in app',
      { ...CLOUD, ...OWN },
      /TOKEN_CACHE_KEY: required with ADMIN_SIGNIN_CLIENT_ID .*set TOKEN_CACHE_KEY_ID/,
    ],
  ])('is refused %s', (_what, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(new RegExp(KEY.replace(/[+/=]/g, '.')));
  });
});

describe('TOKEN_CACHE_KEY (issue 25, defect 6b): decoded strictly', () => {
  const RANDOM = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256));
  const STANDARD = RANDOM.toString('base64');
  const URL_SAFE = RANDOM.toString('base64url');

  it.each([
    ['standard base64 with its padding (openssl rand -base64 32)', STANDARD],
    ['base64url without padding', URL_SAFE],
  ])('accepts %s', (_what, key) => {
    expect(loadConfig({ TOKEN_CACHE_KEY: key }).adminSignIn.cacheKey).toBe(key);
  });

  it.each<[string, string]>([
    ['characters outside the alphabet', `!!!!${STANDARD}`],
    ['characters outside the alphabet instead of four', `!!!!${STANDARD.slice(4)}`],
    ['the alphabets mixed', `-_${STANDARD.slice(2)}`],
    ['no padding on standard base64', STANDARD.slice(0, -1)],
    ['padding on base64url', `${URL_SAFE}=`],
    ['surrounding spaces', ` ${STANDARD}`],
    ['a line break inside', `${STANDARD.slice(0, 20)}\n${STANDARD.slice(20)}`],
    ['31 bytes', RANDOM.subarray(1).toString('base64')],
    ['33 bytes', Buffer.concat([RANDOM, Buffer.from([1])]).toString('base64')],
    ['64 bytes', Buffer.concat([RANDOM, RANDOM]).toString('base64')],
    // The last character carries 2 bits beyond the 32 bytes: they must be zero.
    // ('Z' and 'b' are 25 and 27: their low bits are not zero.)
    [
      'a non-canonical last character',
      `${STANDARD.slice(0, 42)}${STANDARD[42] === 'Z' ? 'b' : 'Z'}=`,
    ],
    ['all zero bytes', Buffer.alloc(32).toString('base64')],
    ['one byte repeated', Buffer.alloc(32, 7).toString('base64')],
    ['one byte repeated, base64url', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('refuses %s, naming the variable and never its value', (_what, key) => {
    let message = '';
    try {
      loadConfig({ TOKEN_CACHE_KEY: key });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TOKEN_CACHE_KEY: must be 32 random bytes/);
    expect(message).not.toContain(key.trim().slice(4, 40));
  });

  it('says why a key of one repeated byte is refused', () => {
    expect(() => loadConfig({ TOKEN_CACHE_KEY: Buffer.alloc(32).toString('base64') })).toThrow(
      /TOKEN_CACHE_KEY: .*one byte repeated/,
    );
  });

  it('is decoded the same way where tokens are sealed', () => {
    expect(() => new Sealer(`!!!!${STANDARD}`)).toThrow(/TOKEN_CACHE_KEY/);
    expect(() => new Sealer(Buffer.alloc(32).toString('base64'))).toThrow(/one byte repeated/);
    const sealer = new Sealer(URL_SAFE);
    expect(sealer.open(sealer.seal('plain', 'k'), 'k')).toBe('plain');
    expect(new Sealer(STANDARD).open(sealer.seal('plain', 'k'), 'k')).toBe('plain');
  });
});

describe('TELEMETRY (issue 26): OpenTelemetry exporters', () => {
  const CONNECTION =
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';

  it('is off locally, and Azure Monitor in the cloud once a connection string is set', () => {
    expect(loadConfig({ TENANTLINK_MODE: 'local' }).telemetry.mode).toBe('off');
    expect(
      loadConfig({ TENANTLINK_MODE: 'local', APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION })
        .telemetry.mode,
    ).toBe('off');
    expect(loadConfig({ TENANTLINK_MODE: 'local', TELEMETRY: 'console' }).telemetry.mode).toBe(
      'console',
    );
    expect(loadConfig({ TENANTLINK_MODE: 'local', TELEMETRY: '' }).telemetry.mode).toBe('off');
  });

  it('never shows the connection string in the summary, and refuses Azure Monitor without one', () => {
    const config = loadConfig({
      TENANTLINK_MODE: 'local',
      TELEMETRY: 'azuremonitor',
      APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION,
    });
    expect(config.telemetry).toEqual({ mode: 'azuremonitor', connectionString: CONNECTION });
    expect(JSON.stringify(redactedSummary(config))).not.toContain('InstrumentationKey');
    expect(() => loadConfig({ TENANTLINK_MODE: 'local', TELEMETRY: 'azuremonitor' })).toThrow(
      /APPLICATIONINSIGHTS_CONNECTION_STRING: required when TELEMETRY=azuremonitor/,
    );
    expect(() => loadConfig({ TENANTLINK_MODE: 'local', TELEMETRY: 'jaeger' })).toThrow(
      /TELEMETRY: expected one of off, console, azuremonitor/,
    );
  });
});
