import { randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { CryptographyClient, KeyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import { parseKeyId, type KeyId } from '../configFormats';
import { TenantlinkError } from '../errors';
import { createLogger } from '../log';
import { CREATE_ONLY_ETAG, isETagConflict } from '../state/createOnly';

/**
 * The token cache key of the cloud, with no secret anyone generates, types or sees: envelope
 * encryption. The data key (32 random bytes, the AES-256-GCM key of src/auth/sealedStore.ts) is
 * made by the bot at its first start, wrapped with a Key Vault key (the key encryption key,
 * `TOKEN_CACHE_KEY_ID`, RSA) and kept only wrapped, in the shared state store; each start unwraps
 * it with Key Vault and holds the plain key in memory only. This is the key hierarchy of "Azure
 * data encryption at rest": "A Data Encryption Key (DEK) … is encrypted with a Key Encryption Key
 * (KEK) and is never stored unencrypted"; the KEK "exists only in Azure Key Vault", and
 * "permissions can be revoked to block access to this key and, by extension, the data"
 * (https://learn.microsoft.com/azure/security/fundamentals/encryption-atrest, "Envelope
 * encryption with a key hierarchy").
 *
 * Key Vault operations: "Wrap Key" and "Unwrap Key"
 * (https://learn.microsoft.com/rest/api/keyvault/keys/wrap-key/wrap-key,
 * https://learn.microsoft.com/rest/api/keyvault/keys/unwrap-key/unwrap-key; permissions
 * `keys/wrapKey`, `keys/unwrapKey`) with RSA-OAEP-256, one of the RSA key's wrap algorithms in
 * "About keys" (https://learn.microsoft.com/azure/key-vault/keys/about-keys, "RSA algorithms";
 * RSA-OAEP-256 is OAEP with SHA-256). A key version's private part never leaves the vault. The
 * bot's identity needs a data role on the key or vault: "Key Vault Crypto User" (or Crypto
 * Officer / Crypto Service Encryption User) in the Azure RBAC permission model
 * (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
 *
 * Several instances may start at once on one store: each that finds no record wraps a key of its
 * own, proves it can unwrap it, and creates the record create-only ({@link CREATE_ONLY_ETAG}: Blob
 * `If-None-Match: *`, Cosmos DB create, src/state/createOnlyStorage.ts); the losers drop theirs
 * and unwrap the winner's, so all seal with one key. The record names the key version that
 * wrapped it, so a rotated key (a new current version) still unwraps it: rotation applies to
 * records made after it (Key Vault keeps older versions usable unless disabled).
 */

/** Storage key of the wrapped data key record (one per store). */
export const WRAPPED_KEY_RECORD = 'tokenCacheKey/wrapped';

/** The wrap algorithm, from the RSA algorithms of "About keys". */
export const WRAP_ALGORITHM = 'RSA-OAEP-256';

/**
 * The record in the store: the data key wrapped by the key version `kid`. Nothing in it is
 * secret without Key Vault.
 */
export interface WrappedKeyRecord {
  readonly v: 1;
  /** Versioned identifier of the key that wrapped it: `https://{vault}/keys/{name}/{version}`. */
  readonly kid: string;
  readonly alg: typeof WRAP_ALGORITHM;
  /** The wrapped data key, base64url. */
  readonly wrapped: string;
  /** When it was made (ISO 8601). */
  readonly created: string;
}

/** What {@link openWrappedKey} needs. */
export interface WrappedKeyOptions {
  /** The shared state store (Blob or Cosmos DB in the cloud). */
  readonly storage: Storage;
  /** `TOKEN_CACHE_KEY_ID`, checked by {@link parseKeyId}. */
  readonly keyId: string;
  /** The bot's managed identity: the same credential as the storage's (src/app.ts). */
  readonly credential: TokenCredential;
  /**
   * Options of the Azure SDK clients: TLS trust and, in tests, the sandbox's route
   * (src/sandbox/keyVaultKeys.ts `sandboxVaultRoute`). Microsoft's defaults when absent.
   */
  readonly clientOptions?: KeyClientOptions;
}

/**
 * The token cache's data key: made, wrapped and stored at the first start; unwrapped at every
 * start (see the module comment). The plain key is returned and kept nowhere else.
 * @returns the data key, base64 (the form src/auth/sealedStore.ts `Sealer` takes)
 * @throws TenantlinkError tokenCacheKeyForbidden (TL-TOKEN-CACHE-KEY-FORBIDDEN) when Key Vault
 *   refuses the bot's identity (403): nothing is written then; tokenCacheKeyUnavailable
 *   (TL-TOKEN-CACHE-KEY-UNAVAILABLE) when the key or version does not exist, the vault cannot be
 *   reached, or the stored record is malformed or was wrapped by another key; configInvalid for
 *   a malformed `keyId`; storage errors as they are
 */
export async function openWrappedKey(options: WrappedKeyOptions): Promise<string> {
  const log = createLogger('token-cache-key');
  const keyId = parseKeyId(options.keyId);
  if ('problem' in keyId)
    throw new TenantlinkError('configInvalid', { detail: `TOKEN_CACHE_KEY_ID ${keyId.problem}` });
  const stored = await readRecord(options.storage);
  if (stored) return unwrapRecord(options, keyId, stored);

  const made = await wrapNewKey(options, keyId);
  // Unwrapped before it is stored: an identity that may wrap (any reader of an RSA key may) but
  // not unwrap leaves nothing behind.
  const key = await unwrapRecord(options, keyId, made);
  try {
    await options.storage.write({ [WRAPPED_KEY_RECORD]: { ...made, eTag: CREATE_ONLY_ETAG } });
    log.info({ kid: made.kid }, 'token cache key made and stored wrapped');
    return key;
  } catch (err) {
    if (!isETagConflict(err)) throw err;
  }
  // Another instance stored its key first: everyone uses that one.
  const winner = await readRecord(options.storage);
  if (!winner)
    throw new TenantlinkError('tokenCacheKeyUnavailable', {
      detail: `the wrapped token cache key record (${WRAPPED_KEY_RECORD}) was created by another instance, then could not be read`,
    });
  return unwrapRecord(options, keyId, winner);
}

/** What {@link verifyWrappedKey} found (nothing secret). */
export interface WrappedKeyState {
  /**
   * `unwrapped`: the stored record opened with its key version; `absent`: there is no record, and
   * the key wrapped and unwrapped a throwaway key, as the bot's first start will.
   */
  readonly state: 'unwrapped' | 'absent';
  /** Versioned identifier of the key version that opened it (`https://{vault}/keys/{name}/{version}`). */
  readonly kid: string;
}

/**
 * Parameter `record` of the errors whose fix is to delete the stored record (malformed, wrapped by
 * another key, or not a token cache key): `TenantlinkError.params.record === RECORD_REPLACEABLE`.
 */
export const RECORD_REPLACEABLE = 'delete';

/**
 * Checks, read-only, that the bot will open its token cache key (`npm run doctor`,
 * src/doctor/checks/tokenCacheKey.ts): when the store holds the record, unwraps it with the key
 * version it names, as every start does, and drops the plain key at once; when it holds none,
 * proves what the first start needs: the key exists (Key Vault "Get Key"), and the credential may
 * wrap and unwrap with it, on a throwaway random key that is zeroed and never stored. Reading the
 * key alone would pass an identity with only "Key Vault Reader", which may wrap with an RSA key but
 * not unwrap (the `wrap/action` description, https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
 * Nothing is written to the store or the vault.
 * @returns whether the record opened or is absent, and the key version used
 * @throws as {@link openWrappedKey}: TenantlinkError tokenCacheKeyForbidden (403),
 *   tokenCacheKeyUnavailable (no such key or version, vault unreachable, a record that is
 *   malformed or wrapped by another key: then `params.record` is {@link RECORD_REPLACEABLE}),
 *   configInvalid for a malformed `keyId`; storage errors as they are
 */
export async function verifyWrappedKey(options: WrappedKeyOptions): Promise<WrappedKeyState> {
  const keyId = parseKeyId(options.keyId);
  if ('problem' in keyId)
    throw new TenantlinkError('configInvalid', { detail: `TOKEN_CACHE_KEY_ID ${keyId.problem}` });
  const stored = await readRecord(options.storage);
  const record = stored ?? (await wrapNewKey(options, keyId));
  (await unwrapData(options, keyId, record)).fill(0);
  return { state: stored ? 'unwrapped' : 'absent', kid: record.kid };
}

/** The stored record, or undefined when there is none. @throws on a malformed record */
async function readRecord(storage: Storage): Promise<WrappedKeyRecord | undefined> {
  const item = (await storage.read([WRAPPED_KEY_RECORD]))[WRAPPED_KEY_RECORD] as
    Partial<WrappedKeyRecord> | undefined;
  if (!item) return undefined;
  const kid = typeof item.kid === 'string' ? parseVersioned(item.kid) : undefined;
  if (item.v !== 1 || item.alg !== WRAP_ALGORITHM || !kid || typeof item.wrapped !== 'string')
    throw new TenantlinkError('tokenCacheKeyUnavailable', {
      detail: `the wrapped token cache key record (${WRAPPED_KEY_RECORD}) is malformed: delete it to make a new key (the subscription admins sign in again)`,
      params: { record: RECORD_REPLACEABLE },
    });
  return item as WrappedKeyRecord;
}

/** The versionless id and version of a versioned key identifier, or undefined. */
function parseVersioned(kid: string): { keyId: KeyId; version: string } | undefined {
  const at = kid.lastIndexOf('/');
  const keyId = parseKeyId(kid.slice(0, at));
  const version = kid.slice(at + 1);
  return 'problem' in keyId || !/^[0-9A-Za-z]{1,64}$/.test(version)
    ? undefined
    : { keyId, version };
}

/** Makes a new data key and wraps it with the key's current version (read first: its `kid`). */
async function wrapNewKey(options: WrappedKeyOptions, keyId: KeyId): Promise<WrappedKeyRecord> {
  const plain = randomBytes(32);
  try {
    const current = await new KeyClient(
      keyId.vaultUrl,
      options.credential,
      clientOptions(options),
    ).getKey(keyId.name);
    const crypto = new CryptographyClient(current, options.credential, clientOptions(options));
    const wrapped = await crypto.wrapKey(WRAP_ALGORITHM, plain);
    return {
      v: 1,
      kid: current.id ?? wrapped.keyID ?? '',
      alg: WRAP_ALGORITHM,
      wrapped: Buffer.from(wrapped.result).toString('base64url'),
      created: new Date().toISOString(),
    };
  } catch (err) {
    throw keyVaultError(err, options.keyId, 'wrap');
  } finally {
    plain.fill(0);
  }
}

/** Unwraps a record with the key version that wrapped it: the data key, base64. */
async function unwrapRecord(
  options: WrappedKeyOptions,
  keyId: KeyId,
  record: WrappedKeyRecord,
): Promise<string> {
  const key = await unwrapData(options, keyId, record);
  try {
    return key.toString('base64');
  } finally {
    key.fill(0);
  }
}

/**
 * Unwraps a record with the key version that wrapped it.
 * @returns the 32-byte data key: the caller zeroes it once used
 */
async function unwrapData(
  options: WrappedKeyOptions,
  keyId: KeyId,
  record: WrappedKeyRecord,
): Promise<Buffer> {
  const versioned = parseVersioned(record.kid);
  const same =
    versioned &&
    versioned.keyId.vaultUrl.toLowerCase() === keyId.vaultUrl.toLowerCase() &&
    versioned.keyId.name.toLowerCase() === keyId.name.toLowerCase();
  if (!same)
    throw new TenantlinkError('tokenCacheKeyUnavailable', {
      detail: `the token cache key in the store (${WRAPPED_KEY_RECORD}) was wrapped by ${record.kid}, not by TOKEN_CACHE_KEY_ID ${options.keyId}: set TOKEN_CACHE_KEY_ID back to that key, or delete the record to make a new key (the subscription admins sign in again)`,
      params: { record: RECORD_REPLACEABLE },
    });
  let plain: Uint8Array;
  try {
    const crypto = new CryptographyClient(record.kid, options.credential, clientOptions(options));
    plain = (await crypto.unwrapKey(WRAP_ALGORITHM, Buffer.from(record.wrapped, 'base64url')))
      .result;
  } catch (err) {
    throw keyVaultError(err, record.kid, 'unwrap');
  }
  const key = Buffer.from(plain);
  plain.fill(0);
  if (key.length !== 32) {
    key.fill(0);
    throw new TenantlinkError('tokenCacheKeyUnavailable', {
      detail: `the token cache key unwrapped with ${record.kid} is not 32 bytes: the record is not a token cache key`,
      params: { record: RECORD_REPLACEABLE },
    });
  }
  return key;
}

/**
 * A fresh copy of the client options per client: @azure/keyvault-keys writes its user agent
 * prefix into the object it is given.
 */
function clientOptions(options: WrappedKeyOptions): KeyClientOptions {
  return { ...(options.clientOptions ?? {}) };
}

/**
 * A Key Vault failure as a catalogue error, with the fix (never a key or a token). The SDK's error
 * is not kept as `cause`: it holds the request, whose wrap body is the plain data key.
 */
function keyVaultError(err: unknown, key: string, operation: 'wrap' | 'unwrap'): TenantlinkError {
  if (err instanceof TenantlinkError) return err;
  const status = isRestError(err) ? err.statusCode : undefined;
  const serviceCode = isRestError(err) ? err.code : undefined;
  if (status === 403)
    return new TenantlinkError('tokenCacheKeyForbidden', {
      detail: `Key Vault refused to let the bot's identity ${operation} with ${key} (403${serviceCode ? ` ${serviceCode}` : ''}): assign the bot's managed identity the role "Key Vault Crypto User" on the key vault (Azure portal: the key vault > Access control (IAM) > Add role assignment; the vault must use the Azure RBAC permission model)`,
      serviceCode,
    });
  const why =
    status === 404
      ? 'the key or its version does not exist'
      : status === undefined
        ? 'Key Vault could not be reached or refused the key'
        : `Key Vault answered ${status}${serviceCode ? ` ${serviceCode}` : ''}`;
  return new TenantlinkError('tokenCacheKeyUnavailable', {
    detail: `cannot ${operation} the token cache key with ${key}: ${why}${status === undefined && err instanceof Error ? ` (${err.message})` : ''}`,
    serviceCode,
  });
}
