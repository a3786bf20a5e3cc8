/**
 * The forms of configuration values, checked by src/config.ts and used by the clients that take
 * them (src/auth/): pure functions with no imports, so configuration knows no client (README,
 * Architecture; issue 28). Each names the document its form comes from.
 */

/**
 * The Bot Framework OAuth connection names of the Azure Bot resource, one per sign-in and API:
 * a token service token has one audience, so each (sign-in, resource) pair is its own connection
 * (https://learn.microsoft.com/azure/bot-service/bot-builder-concept-authentication).
 */
export interface OAuthConnections {
  /** Office 365 admin, Microsoft Graph (delegated; Teams SSO capable). */
  readonly graph: string;
  /** Office 365 admin, Azure Resource Manager (`user_impersonation`). */
  readonly azureTarget: string;
  /** Subscription admin, Azure Resource Manager, common authority (`user_impersonation`). */
  readonly azureSource: string;
  /** Subscription admin, Microsoft Graph of the subscription's current directory (`User.ReadBasic.All`). */
  readonly azureSourceGraph: string;
}

/** The form of a token cache key, as configuration errors state it. */
export const KEY_FORM = '32 random bytes, base64 (openssl rand -base64 32)';

/** Standard base64 of 32 bytes (43 characters and one `=`), or base64url without padding. */
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * Decodes a token cache key strictly: standard base64 with its padding (what
 * `openssl rand -base64 32` prints) or base64url without padding, of exactly 32 bytes, in its one
 * canonical spelling (Node's decoder alone skips characters outside the alphabet, ignores the
 * bits past the last byte and accepts any length: `!!!!` before a key, or a typo, would pass).
 * A key of one byte repeated (all zeros, a placeholder) is refused: it is no secret.
 * @returns the key, or why it is refused (a phrase that never quotes the key)
 */
export function decodeKey(text: string): { key: Buffer } | { problem: string } {
  const encoding = BASE64_KEY.test(text)
    ? 'base64'
    : BASE64URL_KEY.test(text)
      ? 'base64url'
      : undefined;
  const key = encoding ? Buffer.from(text, encoding) : undefined;
  // Re-encoding gives the text back only when it had no stray bits in its last character.
  if (!encoding || !key || key.length !== 32 || key.toString(encoding) !== text)
    return { problem: `must be ${KEY_FORM}` };
  if (key.every((b) => b === key[0]))
    return { problem: `must be ${KEY_FORM}, not one byte repeated` };
  return { key };
}

/** Form of `TOKEN_CACHE_KEY_ID`, as configuration errors state it. */
export const KEY_ID_FORM = 'https://<vault>.vault.azure.net/keys/<name> (versionless)';

/** A parsed versionless key identifier. */
export interface KeyId {
  /** `https://{vault host}` */
  readonly vaultUrl: string;
  readonly name: string;
}

/** Key Vault object names: 1–127 letters, digits and dashes ("About keys, secrets, and certificates"). */
const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * Parses `TOKEN_CACHE_KEY_ID`: an https URL with no port, query, fragment or user, whose path is
 * `/keys/{name}` ("Object identifiers":
 * https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-and-certificates#object-identifiers).
 * A version is refused: new records are wrapped with the key's current version.
 * @returns the vault URL and key name, or why the text is refused (a phrase)
 */
export function parseKeyId(text: string): KeyId | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `must be ${KEY_ID_FORM}` };
  }
  const segments = url.pathname.split('/').slice(1);
  const plain = url.protocol === 'https:' && !url.port && !url.search && !url.hash && !url.username;
  if (!plain || segments[0] !== 'keys' || !KEY_NAME.test(segments[1] ?? ''))
    return { problem: `must be ${KEY_ID_FORM}` };
  if (segments.length !== 2)
    return {
      problem: `must be ${KEY_ID_FORM}, without a version: records are wrapped with the key's current version`,
    };
  return { vaultUrl: `https://${url.host}`, name: segments[1]! };
}

/**
 * The token exchange audience of each cloud, by authority host: "The value must be one of the
 * following depending on the target cloud" (Microsoft Entra ID global service, US Government,
 * China operated by 21Vianet; "Configure an application to trust a managed identity",
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity);
 * authority hosts per "National clouds"
 * (https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud).
 */
const AUDIENCES: Readonly<Record<string, string>> = {
  'login.microsoftonline.com': 'api://AzureADTokenExchange',
  'login.microsoftonline.us': 'api://AzureADTokenExchangeUSGov',
  'login.chinacloudapi.cn': 'api://AzureADTokenExchangeChina',
  'login.partner.microsoftonline.cn': 'api://AzureADTokenExchangeChina',
};

/**
 * The token exchange audience for an authority host.
 * @param authorityHost e.g. `https://login.microsoftonline.com`
 * @returns the audience, or undefined for a host no cloud documents one for
 */
export function tokenExchangeAudience(authorityHost: string): string | undefined {
  if (!URL.canParse(authorityHost)) return undefined;
  return AUDIENCES[new URL(authorityHost).hostname.toLowerCase()];
}
