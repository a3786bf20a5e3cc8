import type { BotConnections } from './botConnections';
import type { Faults } from './faults';
import type { SandboxState } from './state';
import type { SandboxTokens } from './tokens';
import type { SandboxVaultKeys } from './vaultKeyStore';

/** What every emulated API of one sandbox shares: its world, its token issuer, its faults, its URL. */
export interface SandboxContext {
  readonly state: SandboxState;
  readonly tokens: SandboxTokens;
  readonly faults: Faults;
  /** The keys of the seeded key vaults (Key Vault's data plane). */
  readonly vaultKeys: SandboxVaultKeys;
  /** The Azure Bot's OAuth connection settings, as its token service knows them. */
  readonly connections: BotConnections;
  /** Root URL, e.g. `https://127.0.0.1:41234` (known once the server listens). */
  readonly url: () => string;
  /**
   * The sandbox's clock (epoch ms) for what the identity platform checks in time: client
   * assertions' validity and managed identity tokens' `iat`/`exp`. `Date.now` unless a test skews
   * it (see `SandboxCloudOptions.now`).
   */
  readonly now: () => number;
  /** The `IDENTITY_HEADER` its managed identity endpoint requires (src/sandbox/managedIdentity.ts). */
  readonly identityHeader: string;
}

/** Case-insensitive equality of two emails or UPNs. */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
