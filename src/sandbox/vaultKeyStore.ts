import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * The key material of the sandbox's key vaults (the store behind Key Vault's data plane in
 * src/sandbox/keyVaultKeys.ts): its own module, so the sandbox's shared context
 * (src/sandbox/context.ts) and the data plane's routes, which take that context, import no circle.
 */

/** A key to create at start: in the vault named `vault` (a seeded vault resource). */
export interface SeedVaultKey {
  readonly vault: string;
  readonly name: string;
}

/** One version of a key: its RSA key pair and public numbers. */
export interface KeyVersion {
  readonly version: string;
  readonly privateKey: KeyObject;
  readonly n: string;
  readonly e: string;
  /** Epoch seconds, as Key Vault's `attributes.created`. */
  readonly created: number;
}

/** The keys of the sandbox's vaults: versions of RSA key pairs, per vault and key name. */
export class SandboxVaultKeys {
  private readonly keys = new Map<string, KeyVersion[]>();

  /** @param seeded keys created at start and again at each {@link reset} */
  constructor(private readonly seeded: readonly SeedVaultKey[] = []) {
    this.reset();
  }

  /** Forgets every key and creates the seeded ones again (new key material). */
  reset(): void {
    this.keys.clear();
    for (const k of this.seeded) this.createVersion(k.vault, k.name);
  }

  /**
   * Creates a key, or a new current version of an existing one (as "Rotate Key" or "Create Key"
   * on an existing name do, https://learn.microsoft.com/rest/api/keyvault/keys/create-key/create-key):
   * older versions stay usable for unwrap.
   * @returns the new version's identifier `https://{vault}.vault.azure.net/keys/{name}/{version}`
   */
  createVersion(vault: string, name: string): string {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const version = randomBytes(16).toString('hex');
    const id = keyMapId(vault, name);
    const versions = this.keys.get(id) ?? [];
    versions.push({
      version,
      privateKey,
      n: String(jwk.n),
      e: String(jwk.e),
      created: Math.floor(Date.now() / 1000),
    });
    this.keys.set(id, versions);
    return kidOf(vault, name, version);
  }

  /** A version of a key (the current one when `version` is empty), or undefined. */
  find(vault: string, name: string, version: string): KeyVersion | undefined {
    const versions = this.keys.get(keyMapId(vault, name)) ?? [];
    return version ? versions.find((v) => v.version === version) : versions.at(-1);
  }
}

const keyMapId = (vault: string, name: string): string =>
  `${vault.toLowerCase()}/${name.toLowerCase()}`;

/**
 * A key version's identifier as Key Vault writes it (`kid`): the object identifier
 * `https://{vault-name}.vault.azure.net/{object-type}/{object-name}/{object-version}`, compared
 * case-insensitively ("Object identifiers",
 * https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-and-certificates).
 */
export const kidOf = (vault: string, name: string, version: string): string =>
  `https://${vault.toLowerCase()}.vault.azure.net/keys/${name}/${version}`;
