import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';
import { SealedStore, Sealer } from '../../src/auth/sealedStore';
import {
  WRAPPED_KEY_RECORD,
  openWrappedKey,
  type WrappedKeyRecord,
} from '../../src/auth/wrappedKey';
import { parseKeyId } from '../../src/configFormats';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { TenantlinkError } from '../../src/errors';
import { configureLogging } from '../../src/log';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { KEY_VAULT_ROLES } from '../../src/sandbox/keyVaultKeys';
import { BlobStateStorage } from '../../src/state/cloudStorage';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { FAKE_CLOUD } from '../helpers/bareBot';
import { sandboxIdentity, sandboxKeyVaultOptions, vaultSeed } from '../helpers/sandboxVault';
import { testLogging } from '../helpers/logging';

/**
 * Issue 26, "No secret anyone types or sees": the token cache's data key is made by the bot,
 * wrapped with a Key Vault key (RSA-OAEP-256) by the bot's managed identity and kept only wrapped
 * in the store; every start unwraps it. Against the sandbox's Key Vault data plane over HTTPS,
 * through @azure/keyvault-keys and its challenge authentication.
 */

const HOSTING = '5b0c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4';
const VAULT = 'kv-tenantlink';
const KEY = 'token-cache-kek';
const KEY_ID = `https://${VAULT}.vault.azure.net/keys/${KEY}`;
const VAULT_SCOPE = `/resourceGroups/rg-tenantlink/providers/Microsoft.KeyVault/vaults/${VAULT}`;
/** Managed identities of Contoso: the bot's (Crypto User), one that reads keys, one with no role. */
const MI = {
  bot: '7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d',
  officer: '8b2e3d4c-5f6a-4b7c-8d9e-1f2a3b4c5d6e',
  reader: '9c3f4e5d-6a7b-4c8d-9e0f-2a3b4c5d6e7f',
  stranger: 'ad4a5f6e-7b8c-4d9e-8f1a-3b4c5d6e7f80',
} as const;

const seed = vaultSeed({
  vault: VAULT,
  resourceGroup: 'rg-tenantlink',
  subscriptionId: HOSTING,
  identities: MI,
  assignments: [
    [MI.bot, KEY_VAULT_ROLES.CryptoUser, `${VAULT_SCOPE}/keys/${KEY}`],
    [MI.officer, KEY_VAULT_ROLES.CryptoOfficer, '/resourceGroups/rg-tenantlink'],
    [MI.reader, KEY_VAULT_ROLES.Reader, VAULT_SCOPE],
  ],
});

/** Every log line of this file, besides the run's scanned log folder. */
const logLines: string[] = [];

let sandbox: SandboxCloud;
beforeAll(async () => {
  const fileLog = testLogging().destination;
  configureLogging({
    level: 'trace',
    destination: {
      write: (line: string) => {
        logLines.push(line);
        fileLog?.write(line);
      },
    },
  });
  sandbox = await startSandboxCloud({ seed, vaultKeys: [{ vault: VAULT, name: KEY }] });
});
afterAll(async () => {
  await sandbox?.stop();
  configureLogging(testLogging());
});
beforeEach(() => sandbox.reset());

/** The managed identity `principalId` as the bot's credential: tokens from the sandbox. */
const identity = (principalId: string): TokenCredential => sandboxIdentity(sandbox, principalId);

/** What the bot passes at start, for one identity and store. */
function options(storage: Storage, principalId: string = MI.bot) {
  return {
    storage,
    keyId: KEY_ID,
    credential: identity(principalId),
    clientOptions: sandboxKeyVaultOptions(sandbox),
  };
}

/** The stored record. */
async function recordIn(storage: Storage): Promise<WrappedKeyRecord | undefined> {
  return (await storage.read([WRAPPED_KEY_RECORD]))[WRAPPED_KEY_RECORD] as
    WrappedKeyRecord | undefined;
}

/** The spellings of a key that a leak could take. */
function spellings(keyBase64: string): string[] {
  const bytes = Buffer.from(keyBase64, 'base64');
  return [keyBase64, bytes.toString('base64url'), bytes.toString('hex')];
}

describe('parseKeyId', () => {
  it.each([
    ['https://kv.vault.azure.net/keys/k1', { vaultUrl: 'https://kv.vault.azure.net', name: 'k1' }],
    ['https://kv.vault.azure.cn/keys/K-2', { vaultUrl: 'https://kv.vault.azure.cn', name: 'K-2' }],
  ])('accepts %s', (text, expected) => {
    expect(parseKeyId(text)).toEqual(expected);
  });

  it.each([
    ['https://kv.vault.azure.net/keys/k1/0123456789abcdef', /without a version/],
    ['http://kv.vault.azure.net/keys/k1', /must be https/],
    ['https://kv.vault.azure.net/secrets/k1', /must be https/],
    ['https://kv.vault.azure.net:8443/keys/k1', /must be https/],
    ['https://kv.vault.azure.net/keys/k_1', /must be https/],
    ['https://kv.vault.azure.net/keys/k1?x=1', /must be https/],
    ['kv/keys/k1', /must be https/],
  ])('refuses %s', (text, problem) => {
    const parsed = parseKeyId(text);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });
});

describe('the wrapped token cache key on the sandbox Key Vault', () => {
  it('is made and stored wrapped at the first start; a restart unwraps the same key and opens what the first sealed', async () => {
    const storage = new MemoryStorage();
    const first = await openWrappedKey(options(storage));
    const record = await recordIn(storage);
    expect(record).toMatchObject({
      v: 1,
      alg: 'RSA-OAEP-256',
      kid: expect.stringMatching(new RegExp(`^${KEY_ID}/[0-9a-f]{32}$`)) as unknown,
    });
    // RSA-2048 output, not the key: 256 bytes.
    expect(Buffer.from(record!.wrapped, 'base64url')).toHaveLength(256);
    const sealed = new SealedStore(storage, new Sealer(first));
    await sealed.set('tokenCache/abc', 'the admin token cache');

    const again = await openWrappedKey(options(storage));
    expect(again).toBe(first);
    expect(await new SealedStore(storage, new Sealer(again)).get('tokenCache/abc')).toBe(
      'the admin token cache',
    );
    expect(await recordIn(storage)).toEqual(record);
  });

  it('still unwraps a record after the key is rotated; a new store is wrapped by the new version', async () => {
    const storage = new MemoryStorage();
    const before = await openWrappedKey(options(storage));
    const oldKid = (await recordIn(storage))!.kid;
    const newKid = sandbox.keyVault.createKey(VAULT, KEY);
    expect(newKid).not.toBe(oldKid);

    expect(await openWrappedKey(options(storage))).toBe(before);
    expect((await recordIn(storage))!.kid).toBe(oldKid);

    const other = new MemoryStorage();
    await openWrappedKey(options(other));
    expect((await recordIn(other))!.kid).toBe(newKid);
  });

  it('opens only with the vault: the record under another key version is refused by Key Vault', async () => {
    const storage = new MemoryStorage();
    await openWrappedKey(options(storage));
    const record = (await recordIn(storage))!;
    const otherVersion = sandbox.keyVault.createKey(VAULT, KEY);
    await storage.write({ [WRAPPED_KEY_RECORD]: { ...record, kid: otherVersion, eTag: '*' } });
    await expect(openWrappedKey(options(storage))).rejects.toMatchObject({
      code: 'TL-TOKEN-CACHE-KEY-UNAVAILABLE',
      message: expect.stringContaining('Key Vault answered 400 BadParameter') as unknown,
    });
  });

  it('works for a Crypto Officer at the resource group too', async () => {
    const storage = new MemoryStorage();
    const key = await openWrappedKey(options(storage, MI.officer));
    expect(await openWrappedKey(options(storage, MI.bot))).toBe(key);
  });

  it.each([
    ['no role on the vault', MI.stranger],
    ['only Key Vault Reader (may wrap with an RSA key, not unwrap)', MI.reader],
  ])(
    'fails at start with TL-TOKEN-CACHE-KEY-FORBIDDEN for an identity with %s, and writes nothing',
    async (_case, principalId) => {
      const storage = new MemoryStorage();
      const failure = await openWrappedKey(options(storage, principalId)).catch(
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(TenantlinkError);
      expect(failure).toMatchObject({
        code: 'TL-TOKEN-CACHE-KEY-FORBIDDEN',
        serviceCode: 'Forbidden',
        message: expect.stringContaining('Key Vault Crypto User') as unknown,
      });
      expect(await recordIn(storage)).toBeUndefined();
      expect(JSON.stringify((storage as unknown as { memory: unknown }).memory)).toBe('{}');
    },
  );

  it('refuses a record wrapped by another key than TOKEN_CACHE_KEY_ID, naming both', async () => {
    const storage = new MemoryStorage();
    await openWrappedKey(options(storage));
    sandbox.keyVault.createKey(VAULT, 'another-kek');
    const moved = {
      ...options(storage),
      keyId: `https://${VAULT}.vault.azure.net/keys/another-kek`,
    };
    await expect(openWrappedKey(moved)).rejects.toMatchObject({
      code: 'TL-TOKEN-CACHE-KEY-UNAVAILABLE',
      message: expect.stringContaining(`not by TOKEN_CACHE_KEY_ID ${moved.keyId}`) as unknown,
    });
  });

  it('fails with TL-TOKEN-CACHE-KEY-UNAVAILABLE when the key does not exist', async () => {
    const storage = new MemoryStorage();
    // The officer's role is on the resource group (the bot's is on its one key: 403 elsewhere).
    const missing = {
      ...options(storage, MI.officer),
      keyId: `https://${VAULT}.vault.azure.net/keys/none`,
    };
    await expect(openWrappedKey(missing)).rejects.toMatchObject({
      code: 'TL-TOKEN-CACHE-KEY-UNAVAILABLE',
      serviceCode: 'KeyNotFound',
    });
    expect(await recordIn(storage)).toBeUndefined();
  });
});

describe('startApp in cloud mode with TOKEN_CACHE_KEY_ID', () => {
  const config = loadConfig({
    ...FAKE_CLOUD,
    PORT: '0',
    HOST: '127.0.0.1',
    STORAGE: 'memory',
    TOKEN_CACHE_KEY_ID: KEY_ID,
  });
  /** The app's options for the bot's identity `principalId` on `storage`. */
  const appOptions = (storage: Storage, principalId: string) => {
    const { credential, clientOptions } = options(storage, principalId);
    return { storage, credential, keyVaultClientOptions: clientOptions };
  };

  it('stores the wrapped key before it takes a turn; a restart keeps it', async () => {
    const storage = new MemoryStorage();
    const app = await startApp(config, appOptions(storage, MI.bot));
    const record = await recordIn(storage);
    await app.stop();
    expect(record?.kid.startsWith(`${KEY_ID}/`)).toBe(true);
    const again = await startApp(config, appOptions(storage, MI.bot));
    await again.stop();
    expect(await recordIn(storage)).toEqual(record);
  });

  it('does not start for an identity without a crypto role, and writes nothing', async () => {
    const storage = new MemoryStorage();
    await expect(startApp(config, appOptions(storage, MI.stranger))).rejects.toMatchObject({
      code: 'TL-TOKEN-CACHE-KEY-FORBIDDEN',
    });
    expect(JSON.stringify((storage as unknown as { memory: unknown }).memory)).toBe('{}');
  });
});

describe('eight instances starting at once on one Blob container (Azurite)', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('end with one record and one key; the plain key is in no store, log line or log file', async () => {
    const container = 'wrapped-key-race';
    const stores = Array.from(
      { length: 8 },
      () => new BlobStateStorage(azurite.connectionString, container),
    );
    const keys = await Promise.all(stores.map((s) => openWrappedKey(options(s))));
    expect(new Set(keys).size).toBe(1);
    const key = keys[0]!;

    const client = BlobServiceClient.fromConnectionString(
      azurite.connectionString,
    ).getContainerClient(container);
    const blobs: string[] = [];
    for await (const blob of client.listBlobsFlat())
      blobs.push((await client.getBlobClient(blob.name).downloadToBuffer()).toString());
    expect(blobs).toHaveLength(1);
    const record = JSON.parse(blobs[0]!) as WrappedKeyRecord;
    expect(record.kid.startsWith(`${KEY_ID}/`)).toBe(true);

    // Everything the instances shared, logged or wrote: never the plain key, in any spelling.
    const logs = logLines.join('');
    expect(logs).toContain('token cache key made and stored wrapped');
    const dir = process.env.TENANTLINK_TEST_LOG_DIR;
    const files = dir
      ? await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')))
      : [];
    for (const spelling of spellings(key)) {
      expect(blobs.join('\n')).not.toContain(spelling);
      expect(logs).not.toContain(spelling);
      for (const file of files) expect(file).not.toContain(spelling);
    }
  });
});
