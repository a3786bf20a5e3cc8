import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { MemoryStorage, type Storage } from 'botbuilder';
import {
  WRAPPED_KEY_RECORD,
  openWrappedKey,
  type WrappedKeyRecord,
} from '../../src/auth/wrappedKey';
import { loadConfig } from '../../src/config';
import { tokenCacheKeyCheck } from '../../src/doctor/checks/tokenCacheKey';
import { doctorTranslator, runDoctor } from '../../src/doctor/runner';
import type { DoctorContext } from '../../src/doctor/types';
import { configureLogging } from '../../src/log';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { KEY_VAULT_ROLES } from '../../src/sandbox/keyVaultKeys';
import { testLogging } from '../helpers/logging';
import { sandboxIdentity, sandboxKeyVaultOptions, vaultSeed } from '../helpers/sandboxVault';

/**
 * `npm run doctor`'s token cache key check against the sandbox's Key Vault data plane over HTTPS
 * (through @azure/keyvault-keys, as the bot): a stored wrapped key opens, an absent one is not
 * made (nothing written), an identity without a crypto role fails with
 * TL-TOKEN-CACHE-KEY-FORBIDDEN and the `az role assignment create` that fixes it.
 */

const T = IDS.tenants;
const VAULT = 'kv-doctor';
const KEY = 'token-cache-kek';
const KEY_ID = `https://${VAULT}.vault.azure.net/keys/${KEY}`;
const VAULT_SCOPE = `/resourceGroups/rg-doctor/providers/Microsoft.KeyVault/vaults/${VAULT}`;
/** The bot's client id as configured (AZURE_CLIENT_ID): what the fix assigns the role to. */
const BOT_CLIENT_ID = '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b';
/** Managed identities of Contoso: the bot's (Crypto User), one that reads keys, one with no role. */
const MI = {
  bot: 'b1d2c3e4-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
  reader: 'c2e3d4f5-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
  stranger: 'd3f4e5a6-7b8c-4d9e-8f0a-2b3c4d5e6f7a',
} as const;

const seed = vaultSeed({
  vault: VAULT,
  resourceGroup: 'rg-doctor',
  subscriptionId: '6c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5',
  identities: MI,
  assignments: [
    [MI.bot, KEY_VAULT_ROLES.CryptoUser, VAULT_SCOPE],
    [MI.reader, KEY_VAULT_ROLES.Reader, VAULT_SCOPE],
  ],
});

let sandbox: SandboxCloud;
beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud({ seed, vaultKeys: [{ vault: VAULT, name: KEY }] });
});
afterAll(async () => {
  await sandbox?.stop();
});
beforeEach(() => sandbox.reset());

/** The managed identity `principalId`: Key Vault tokens from the sandbox. */
const identity = (principalId: string): TokenCredential => sandboxIdentity(sandbox, principalId);

/** The Key Vault clients' options: the sandbox's TLS and route. */
const keyVaultClientOptions = () => sandboxKeyVaultOptions(sandbox);

const deployment = {
  botId: BOT_CLIENT_ID,
  ssoAppId: '',
  botName: 'bot-doctor',
  subscriptionId: 'sub-1',
  resourceGroup: 'rg-doctor',
  siteName: 'app-doctor',
  messagingEndpoint: '',
  azdEnvironment: undefined,
};

/** The environment of a cloud deployment with TOKEN_CACHE_KEY_ID (memory store). */
const cloudEnv = {
  TENANTLINK_MODE: 'cloud',
  MicrosoftAppId: BOT_CLIENT_ID,
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: T.contoso,
  AZURE_CLIENT_ID: BOT_CLIENT_ID,
  STORAGE: 'memory',
  TOKEN_CACHE_KEY_ID: KEY_ID,
};

/** A cloud context: off Azure with `operator`, or on Azure with the bot's credential. */
function context(
  storage: Storage | undefined,
  who: { operator?: TokenCredential; bot?: TokenCredential },
  env: Record<string, string> = {},
): DoctorContext {
  return {
    config: loadConfig({ ...cloudEnv, ...env }),
    deployment,
    t: doctorTranslator('en-US'),
    http: { timeoutMs: 5000, maxRetries: 0 },
    endpoints: {
      graphBaseUrl: 'https://graph.microsoft.com',
      armEndpoint: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
    },
    botUrl: undefined,
    sandbox: undefined,
    userTokenClient: undefined,
    connectionSettings: undefined,
    operator: who.operator,
    storage,
    packagePath: '/nonexistent.zip',
    onAzure: Boolean(who.bot),
    ...(who.bot ? { botCredential: who.bot } : {}),
    keyVaultClientOptions: keyVaultClientOptions(),
    earlier: [],
  };
}

/** The stored record. */
async function recordIn(storage: Storage): Promise<WrappedKeyRecord | undefined> {
  return (await storage.read([WRAPPED_KEY_RECORD]))[WRAPPED_KEY_RECORD] as
    WrappedKeyRecord | undefined;
}

/** What a memory store holds, as text. */
const contents = (storage: MemoryStorage) =>
  JSON.stringify((storage as unknown as { memory: unknown }).memory);

/** A store holding the wrapped key the bot made at its first start. */
async function storeWithKey(): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  await openWrappedKey({
    storage,
    keyId: KEY_ID,
    credential: identity(MI.bot),
    clientOptions: keyVaultClientOptions(),
  });
  return storage;
}

describe('with a wrapped key in the store', () => {
  it('passes when the record unwraps with the bot identity on Azure, and leaves it as it was', async () => {
    const storage = await storeWithKey();
    const before = contents(storage);
    const kid = (await recordIn(storage))!.kid;
    expect(await tokenCacheKeyCheck(context(storage, { bot: identity(MI.bot) }))).toEqual([
      {
        check: 'tokenCacheKey',
        status: 'pass',
        text: `the wrapped key in the store opens with the bot's managed identity ${BOT_CLIENT_ID} (key ${kid}).`,
      },
    ]);
    expect(contents(storage)).toBe(before);
  });

  it("passes off Azure with the operator's sign-in", async () => {
    const storage = await storeWithKey();
    const [finding] = await tokenCacheKeyCheck(context(storage, { operator: identity(MI.bot) }));
    expect(finding).toMatchObject({
      status: 'pass',
      text: expect.stringContaining('opens with your Azure sign-in') as unknown,
    });
  });

  it('fails with TL-TOKEN-CACHE-KEY-UNAVAILABLE when Key Vault cannot unwrap the record (wrapped bytes changed)', async () => {
    const storage = await storeWithKey();
    const record = (await recordIn(storage))!;
    const bytes = Buffer.from(record.wrapped, 'base64url');
    bytes[0] = bytes[0]! ^ 0xff;
    await storage.write({
      [WRAPPED_KEY_RECORD]: { ...record, wrapped: bytes.toString('base64url'), eTag: '*' },
    });
    const [finding] = await tokenCacheKeyCheck(context(storage, { bot: identity(MI.bot) }));
    expect(finding).toMatchObject({
      status: 'fail',
      error: 'tokenCacheKeyUnavailable',
      fix: `check that TOKEN_CACHE_KEY_ID names an existing, enabled key of a vault reachable from here: \`az keyvault key show --id ${KEY_ID}\`.`,
    });
  });

  it('fails a malformed record with TL-TOKEN-CACHE-KEY-UNAVAILABLE and the command that deletes its blob', async () => {
    const storage = new MemoryStorage();
    await storage.write({ [WRAPPED_KEY_RECORD]: { v: 1, kid: 'nonsense', eTag: '*' } });
    const blob = {
      STORAGE: 'blob',
      BLOB_ACCOUNT_URL: 'https://sttenantlink.blob.core.windows.net',
      BLOB_CONTAINER: 'state',
    };
    const [finding] = await tokenCacheKeyCheck(context(storage, { bot: identity(MI.bot) }, blob));
    expect(finding).toMatchObject({
      status: 'fail',
      error: 'tokenCacheKeyUnavailable',
      text: expect.stringContaining('is malformed') as unknown,
      fix: expect.stringContaining(
        '`az storage blob delete --auth-mode login --account-name sttenantlink --container-name state --name "tokenCacheKey%2Fwrapped"`',
      ) as unknown,
    });
  });
});

describe('with no wrapped key in the store yet', () => {
  it('passes when the key is there and may wrap and unwrap, and writes nothing', async () => {
    const storage = new MemoryStorage();
    const [finding] = await tokenCacheKeyCheck(context(storage, { bot: identity(MI.bot) }));
    expect(finding).toMatchObject({
      check: 'tokenCacheKey',
      status: 'pass',
      text: expect.stringMatching(
        new RegExp(`with key ${KEY_ID}/[0-9a-f]{32}: the bot makes it at its first start\\.$`),
      ) as unknown,
    });
    expect(await recordIn(storage)).toBeUndefined();
    expect(contents(storage)).toBe('{}');
  });

  it('fails with TL-TOKEN-CACHE-KEY-UNAVAILABLE when the key does not exist', async () => {
    const storage = new MemoryStorage();
    const [finding] = await tokenCacheKeyCheck(
      context(
        storage,
        { bot: identity(MI.bot) },
        { TOKEN_CACHE_KEY_ID: `https://${VAULT}.vault.azure.net/keys/none` },
      ),
    );
    expect(finding).toMatchObject({ status: 'fail', error: 'tokenCacheKeyUnavailable' });
    expect(contents(storage)).toBe('{}');
  });
});

describe('an identity without a crypto role', () => {
  it.each([
    ['no role on the vault', MI.stranger],
    ['only Key Vault Reader (may read and wrap, not unwrap)', MI.reader],
  ])(
    'fails on Azure with TL-TOKEN-CACHE-KEY-FORBIDDEN and the role assignment for the bot (%s)',
    async (_case, principalId) => {
      const storage = new MemoryStorage();
      const [finding] = await tokenCacheKeyCheck(context(storage, { bot: identity(principalId) }));
      expect(finding).toEqual({
        check: 'tokenCacheKey',
        status: 'fail',
        error: 'tokenCacheKeyForbidden',
        text: `Key Vault refused the bot's managed identity ${BOT_CLIENT_ID} the key ${KEY_ID} (HTTP 403).`,
        fix:
          "give the bot's managed identity the role Key Vault Crypto User on the vault (the vault must use the Azure RBAC permission model): " +
          `\`az role assignment create --role "Key Vault Crypto User" --assignee ${BOT_CLIENT_ID} ` +
          `--scope /subscriptions/sub-1/resourceGroups/rg-doctor/providers/Microsoft.KeyVault/vaults/${VAULT}\`, then restart the site.`,
      });
      expect(contents(storage)).toBe('{}');
    },
  );

  it("fails off Azure with the bot's role assignment and the operator's own", async () => {
    const storage = await storeWithKey();
    const [finding] = await tokenCacheKeyCheck(
      context(storage, { operator: identity(MI.stranger) }),
    );
    expect(finding).toMatchObject({ status: 'fail', error: 'tokenCacheKeyForbidden' });
    expect(finding!.fix).toContain(
      `\`az role assignment create --role "Key Vault Crypto User" --assignee ${BOT_CLIENT_ID} --scope`,
    );
    expect(finding!.fix).toContain(
      '--assignee "$(az ad signed-in-user show --query id -o tsv)" --scope',
    );
  });
});

describe('not checked', () => {
  it('without TOKEN_CACHE_KEY_ID (TOKEN_CACHE_KEY is used)', async () => {
    const ctx = context(new MemoryStorage(), { bot: identity(MI.bot) }, { TOKEN_CACHE_KEY_ID: '' });
    expect(await tokenCacheKeyCheck(ctx)).toEqual([
      {
        check: 'tokenCacheKey',
        status: 'skip',
        text: 'TOKEN_CACHE_KEY_ID is not set: TOKEN_CACHE_KEY, when set, seals the token cache.',
      },
    ]);
  });

  it('without a store, or off Azure without a signed-in operator', async () => {
    const signedOut: TokenCredential = {
      getToken: () => Promise.reject(new Error('CredentialUnavailableError: not signed in')),
    };
    const cases = [
      context(undefined, { bot: identity(MI.bot) }),
      context(new MemoryStorage(), {}),
      context(new MemoryStorage(), { operator: signedOut }),
    ];
    const findings = await Promise.all(cases.map((ctx) => tokenCacheKeyCheck(ctx)));
    expect(findings.flat().map((f) => [f.status, f.text])).toEqual([
      ['skip', 'the store could not be opened (see Storage): the wrapped key was not read.'],
      ['skip', 'no operator is signed in (run `azd auth login` or `az login`).'],
      ['skip', 'no operator is signed in (run `azd auth login` or `az login`).'],
    ]);
  });
});

describe('npm run doctor', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenantlink-doctor-key-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the token cache key right after the store, read with the Key Vault client options it was given', async () => {
    const report = await runDoctor({
      cwd: dir,
      env: {
        ...cloudEnv,
        CLOUD_TIMEOUT_MS: '5000',
        // Nothing listens on the discard port: the authority check fails fast.
        AUTHORITY_HOST: 'http://127.0.0.1:9',
      },
      operator: identity(MI.bot),
      keyVaultClientOptions: keyVaultClientOptions(),
      locale: 'en-US',
    });
    const checks = report.findings.map((f) => f.check);
    const at = checks.indexOf('tokenCacheKey');
    expect(checks[at - 1]).toBe('storage');
    expect(report.findings[at]).toMatchObject({
      status: 'pass',
      text: expect.stringContaining('the bot makes it at its first start') as unknown,
    });
    expect(report.text).toContain('Token cache key: no wrapped key is stored yet');
  });
});
