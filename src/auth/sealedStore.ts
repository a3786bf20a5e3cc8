import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Storage } from 'botbuilder';
import { decodeKey } from '../configFormats';
import { TenantlinkError } from '../errors';
import { ensurePrivateFolder, readOrCreatePrivateFile } from '../state/privateFiles';

/**
 * Values kept in the state store only encrypted: AES-256-GCM (Node's crypto) with a 32-byte key
 * from configuration (`TOKEN_CACHE_KEY`; in local mode without it, one kept in the data folder:
 * {@link keptKey}), a random 96-bit IV per write, and the storage key as
 * additional authenticated data, so a sealed value copied under another key (another user) does
 * not open. Used for the subscription admin's token cache and the PKCE verifier of a pending
 * sign-in; nothing sealed is ever logged.
 */

/** A sealed value as stored: version, IV, GCM tag and ciphertext, base64url. */
export interface Sealed {
  readonly v: 1;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** The storage key of a record about `id` (a Teams user id, a state): a hash, never the id. */
export function hashedKey(prefix: string, id: string): string {
  return `${prefix}/${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** Seals and opens values with one key. */
export class Sealer {
  private readonly key: Buffer;

  /**
   * @param key the token cache key: base64 (or base64url) of exactly 32 random bytes, checked by
   *   {@link decodeKey}
   * @param source what to name in the error (`TOKEN_CACHE_KEY`, or the file it was read from)
   * @throws TenantlinkError configInvalid when {@link decodeKey} refuses the key (the error
   *   names `source`, never the key)
   */
  constructor(key: string, source = 'TOKEN_CACHE_KEY') {
    const decoded = decodeKey(key);
    if ('problem' in decoded)
      throw new TenantlinkError('configInvalid', { detail: `${source} ${decoded.problem}` });
    this.key = decoded.key;
  }

  /** A new random key in the form the constructor takes (local mode, tests). */
  static newKey(): string {
    return randomBytes(32).toString('base64');
  }

  /** Encrypts `plain`, bound to `context` (the storage key it is written under). */
  seal(plain: string, context: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return {
      v: 1,
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      data: data.toString('base64url'),
    };
  }

  /**
   * Decrypts a sealed value written under `context`.
   * @returns the plain text, or undefined when the value is malformed, tampered with, sealed with
   *   another key (the key was rotated) or under another context
   */
  open(sealed: unknown, context: string): string | undefined {
    const s = sealed as Partial<Sealed> | undefined;
    if (!s || s.v !== 1 || typeof s.iv !== 'string' || typeof s.tag !== 'string') return undefined;
    if (typeof s.data !== 'string') return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(s.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(s.data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Authentication failed: the value cannot be trusted, so it is treated as absent.
      return undefined;
    }
  }
}

/** File name of local mode's kept token cache key, in its data folder (`STORAGE_DIR`). */
export const KEPT_KEY_FILE = 'token-cache.key';

/**
 * Local mode's token cache key when `TOKEN_CACHE_KEY` is not set: 32 random bytes made at the
 * first start and kept in `directory` (the data folder, made owner-only: 0700) in
 * {@link KEPT_KEY_FILE}, created owner-only (0600) in one step, and read again at every later
 * start, so that a restart keeps the subscription admin signed in. The file holds the key as
 * `TOKEN_CACHE_KEY` would (base64), one line; it is checked as strictly ({@link decodeKey}).
 * @param directory absolute path of the data folder
 * @returns the key, base64
 * @throws TenantlinkError configInvalid when the file holds no valid key (the error names the
 *   file, never its content); Error from the file system
 */
export async function keptKey(directory: string): Promise<string> {
  await ensurePrivateFolder(directory);
  const file = join(directory, KEPT_KEY_FILE);
  const { text } = await readOrCreatePrivateFile(file, () => `${Sealer.newKey()}\n`);
  // One line: the line break an editor adds is not part of the key; anything else is.
  const key = text.replace(/\r?\n$/, '');
  const decoded = decodeKey(key);
  if ('problem' in decoded)
    throw new TenantlinkError('configInvalid', {
      detail: `the token cache key in ${file} ${decoded.problem}: delete the file to make a new one (the subscription admins sign in again) or set TOKEN_CACHE_KEY`,
    });
  return key;
}

/** Reads and writes sealed strings in a botbuilder Storage, one record per key. */
export class SealedStore {
  constructor(
    private readonly storage: Storage,
    private readonly sealer: Sealer,
  ) {}

  /** The plain value under `key`, or undefined when absent or unreadable. */
  async get(key: string): Promise<string | undefined> {
    const item = (await this.storage.read([key]))[key] as { sealed?: unknown } | undefined;
    return item ? this.sealer.open(item.sealed, key) : undefined;
  }

  /** Writes `plain` sealed under `key` (last writer wins). */
  async set(key: string, plain: string): Promise<void> {
    await this.storage.write({ [key]: { sealed: this.sealer.seal(plain, key), eTag: '*' } });
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete([key]);
  }
}
