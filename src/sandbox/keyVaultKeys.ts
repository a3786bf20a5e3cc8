import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { SandboxContext } from './context';
import { Router, type SandboxRequest, type SandboxResponse } from './router';
import type { SeedResource } from './seed';
import { isAboveSubscription, type SubscriptionRecord } from './state';
import type { Caller } from './tokens';
import { kidOf, type KeyVersion } from './vaultKeyStore';

/**
 * Azure Key Vault's data plane for keys in the sandbox, exactly what tenantlink's wrapped token
 * cache key uses (src/auth/wrappedKey.ts through @azure/keyvault-keys):
 * - `GET {vault}/keys/{name}[/{version}]` → 200 KeyBundle (`key.kid`, `kty`, `key_ops`, `n`, `e`;
 *   `attributes`): "Get Key", https://learn.microsoft.com/rest/api/keyvault/keys/get-key/get-key
 *   (no version: the current one);
 * - `POST {vault}/keys/{name}/{version}/wrapkey` and `/unwrapkey` with `{ alg, value }` (base64url)
 *   → 200 `{ kid, value }`: "Wrap Key" / "Unwrap Key",
 *   https://learn.microsoft.com/rest/api/keyvault/keys/wrap-key/wrap-key and
 *   https://learn.microsoft.com/rest/api/keyvault/keys/unwrap-key/unwrap-key. RSA-OAEP-256 and
 *   RSA-OAEP are real RSA (node:crypto, 2048-bit keys): what is wrapped here opens only with the
 *   key version's private key, which never leaves the sandbox ("About keys":
 *   https://learn.microsoft.com/azure/key-vault/keys/about-keys).
 *
 * Authentication is Key Vault's challenge: a request without a valid token gets 401 with
 * `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/{tenant}",
 * resource="https://vault.azure.net"` and the client retries with a token for that resource
 * (https://learn.microsoft.com/azure/key-vault/general/authentication, "Key Vault authentication
 * flow"; @azure/keyvault-common `keyVaultAuthenticationPolicy` reads `authorization` and
 * `resource`). The vault's tenant is its `properties.tenantId`, else its subscription's.
 *
 * Authorization is the Azure RBAC permission model
 * (https://learn.microsoft.com/azure/key-vault/general/rbac-guide): the caller needs a role
 * assignment at the key, the vault, its resource group, its subscription or above, of a role
 * whose data actions include the operation's ({@link KEY_VAULT_DATA_ROLES}); otherwise 403 with
 * inner error `ForbiddenByRbac` and the message Key Vault writes. Wrapping with an asymmetric key
 * is also open to a reader of the key: "Note that if the Key Vault key is asymmetric, this
 * operation can be performed by principals with read access" (the `wrap/action` description).
 * Errors have Key Vault's shape `{ error: { code, message, innererror? } }`
 * (https://learn.microsoft.com/azure/key-vault/general/rest-error-codes). Access policies, the
 * legacy model, are not modelled.
 *
 * The vaults are the seeded `Microsoft.KeyVault/vaults` resources (src/sandbox/armKeyVault.ts is
 * their management plane); a vault's URI is `https://{name}.vault.azure.net`, served by the sandbox
 * under `/keyvault/{name}` ({@link sandboxVaultRoute} sends a client's requests there).
 */

/** The resource a Key Vault token is for (`aud`), and the challenge's `resource`. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

/** Key Vault data-plane API versions the sandbox answers (what @azure/keyvault-keys 4.x sends). */
export const KEY_VAULT_API_VERSIONS = ['7.4', '7.5', '7.6', '2025-07-01'] as const;

/**
 * Built-in roles with Key Vault key data actions (Azure built-in roles, "Security" section:
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security), role
 * definition GUID → data actions (`*` is a wildcard).
 */
export const KEY_VAULT_DATA_ROLES: Readonly<Record<string, readonly string[]>> = {
  // Key Vault Administrator
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': ['Microsoft.KeyVault/vaults/*'],
  // Key Vault Crypto Officer
  '14b46e9e-c2b7-41b4-b07b-48a6ebf60603': [
    'Microsoft.KeyVault/vaults/keys/*',
    'Microsoft.KeyVault/vaults/keyrotationpolicies/*',
  ],
  // Key Vault Crypto User
  '12338af0-0e69-4776-bea7-57ae8d297424': [
    'Microsoft.KeyVault/vaults/keys/read',
    'Microsoft.KeyVault/vaults/keys/update/action',
    'Microsoft.KeyVault/vaults/keys/backup/action',
    'Microsoft.KeyVault/vaults/keys/encrypt/action',
    'Microsoft.KeyVault/vaults/keys/decrypt/action',
    'Microsoft.KeyVault/vaults/keys/wrap/action',
    'Microsoft.KeyVault/vaults/keys/unwrap/action',
    'Microsoft.KeyVault/vaults/keys/sign/action',
    'Microsoft.KeyVault/vaults/keys/verify/action',
  ],
  // Key Vault Crypto Service Encryption User
  'e147488a-f6f5-4113-8e2d-b22465e65bf6': [
    'Microsoft.KeyVault/vaults/keys/read',
    'Microsoft.KeyVault/vaults/keys/wrap/action',
    'Microsoft.KeyVault/vaults/keys/unwrap/action',
  ],
  // Key Vault Reader
  '21090545-7ca7-4776-b22c-e363652d74d2': [
    'Microsoft.KeyVault/vaults/*/read',
    'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  ],
};

/** Role definition GUIDs of the roles above that tests and seeds name. */
export const KEY_VAULT_ROLES = {
  CryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
  CryptoOfficer: '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  Reader: '21090545-7ca7-4776-b22c-e363652d74d2',
} as const;

/** The operations a sandbox key allows (`key_ops`), those Key Vault gives a new RSA key. */
const KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];

/** The algorithms wrap/unwrap accept here, and their OAEP hash. */
const OAEP_HASH: Readonly<Record<string, string>> = {
  'RSA-OAEP-256': 'sha256',
  'RSA-OAEP': 'sha1',
};

/** A Key Vault error answer. */
function kvError(
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers?: Record<string, string>,
): SandboxResponse {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } },
  };
}

type VaultResource = SeedResource & { properties?: Record<string, unknown> };

/** A seeded vault by name (vault names are globally unique), with its subscription. */
function vaultNamed(
  ctx: SandboxContext,
  name: string,
): { sub: SubscriptionRecord; vault: VaultResource; id: string; tenantId: string } | undefined {
  for (const sub of ctx.state.subscriptions) {
    const vault = (sub.resources ?? []).find(
      (r) =>
        r.type.toLowerCase() === 'microsoft.keyvault/vaults' &&
        r.name.toLowerCase() === name.toLowerCase(),
    ) as VaultResource | undefined;
    if (vault) {
      const tenant = vault.properties?.tenantId;
      return {
        sub,
        vault,
        id: `/subscriptions/${sub.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`,
        tenantId: (typeof tenant === 'string' ? tenant : sub.tenantId).toLowerCase(),
      };
    }
  }
  return undefined;
}

/** Whether a role's data action pattern covers `action` (`*` matches any segments). */
function covers(pattern: string, action: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/** Whether the caller holds a role with `action` at a scope containing `resource`. */
function allowed(sub: SubscriptionRecord, caller: Caller, resource: string, action: string) {
  const target = resource.toLowerCase();
  return sub.roleAssignments.some((a) => {
    if (a.principalId !== caller.objectId) return false;
    const scope = a.scope.toLowerCase().replace(/\/+$/, '');
    const inScope =
      isAboveSubscription(a.scope) || target === scope || target.startsWith(`${scope}/`);
    return (
      inScope && (KEY_VAULT_DATA_ROLES[a.roleDefinitionId] ?? []).some((p) => covers(p, action))
    );
  });
}

type Operation = 'get' | 'wrapKey' | 'unwrapKey';

const ACTIONS: Readonly<Record<Operation, readonly string[]>> = {
  get: ['Microsoft.KeyVault/vaults/keys/read'],
  // The wrap/action description: with an asymmetric key, read access is enough.
  wrapKey: ['Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/read'],
  unwrapKey: ['Microsoft.KeyVault/vaults/keys/unwrap/action'],
};

/**
 * Checks token, tenant, api-version and role, in Key Vault's order, then runs `handler`.
 * @returns the handler's answer, or Key Vault's 401/400/403/404
 */
async function authorized(
  ctx: SandboxContext,
  req: SandboxRequest,
  p: Record<string, string>,
  operation: Operation,
  handler: (vault: string, key: KeyVersion, name: string) => SandboxResponse,
): Promise<SandboxResponse> {
  const vaultName = p.vault ?? '';
  const found = vaultNamed(ctx, vaultName);
  // A vault that does not exist has no DNS name: the sandbox can only say so as a 404.
  if (!found)
    return kvError(404, 'VaultNotFound', `The vault '${vaultName}' does not exist in the sandbox.`);
  const challenge = {
    'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${found.tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
  };
  if (!req.headers.authorization)
    return kvError(
      401,
      'Unauthorized',
      'AKV10000: Request is missing a Bearer or PoP token.',
      undefined,
      challenge,
    );
  const caller = await ctx.tokens.verify(req.headers.authorization, 'keyvault');
  if (!caller)
    return kvError(
      401,
      'Unauthorized',
      'AKV10022: Invalid audience or token.',
      undefined,
      challenge,
    );
  if (caller.tenantId.toLowerCase() !== found.tenantId)
    return kvError(
      401,
      'Unauthorized',
      `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${found.tenantId}/.`,
      undefined,
      challenge,
    );
  const version = req.url.searchParams.get('api-version');
  if (!version || !(KEY_VAULT_API_VERSIONS as readonly string[]).includes(version))
    return kvError(
      400,
      'BadParameter',
      `The specified version (${version ?? ''}) is not recognized. Consider using the latest supported version (${KEY_VAULT_API_VERSIONS.at(-1)}).`,
    );
  const name = p.name ?? '';
  const resource = `${found.id}/keys/${name}`;
  const actions = ACTIONS[operation];
  if (!actions.some((a) => allowed(found.sub, caller, resource, a)))
    return kvError(
      403,
      'Forbidden',
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=${caller.objectId};iss=https://sts.windows.net/${caller.tenantId}/\r\nAction: '${actions[0]}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'\r\nVault: ${found.vault.name};location=${found.vault.location}\r\n`,
      'ForbiddenByRbac',
    );
  const key = ctx.vaultKeys.find(found.vault.name, name, p.version ?? '');
  if (!key)
    return kvError(
      404,
      'KeyNotFound',
      `A key with (name/id) ${name}${p.version ? `/${p.version}` : ''} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    );
  return handler(found.vault.name, key, name);
}

/** The KeyBundle of a key version ("Get Key" response). */
function keyBundle(vault: string, name: string, key: KeyVersion): SandboxResponse {
  return {
    status: 200,
    body: {
      key: {
        kid: kidOf(vault, name, key.version),
        kty: 'RSA',
        key_ops: KEY_OPS,
        n: key.n,
        e: key.e,
      },
      attributes: {
        enabled: true,
        created: key.created,
        updated: key.created,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
    },
  };
}

/** Runs wrap (public key) or unwrap (private key) on a request body `{ alg, value }`. */
function keyOperation(
  req: SandboxRequest,
  vault: string,
  name: string,
  key: KeyVersion,
  operation: 'wrapKey' | 'unwrapKey',
): SandboxResponse {
  const body = (req.body ?? {}) as { alg?: unknown; value?: unknown };
  const hash = typeof body.alg === 'string' ? OAEP_HASH[body.alg] : undefined;
  if (!hash) return kvError(400, 'BadParameter', `Invalid algorithm: '${String(body.alg ?? '')}'.`);
  if (typeof body.value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(body.value))
    return kvError(400, 'BadParameter', 'Property value must be a base64url string.');
  const input = Buffer.from(body.value, 'base64url');
  const options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash };
  let output: Buffer;
  try {
    output =
      operation === 'wrapKey'
        ? publicEncrypt({ key: key.privateKey, ...options }, input)
        : privateDecrypt({ key: key.privateKey, ...options }, input);
  } catch {
    // Too long to wrap, or not wrapped with this key version: Key Vault refuses the parameter.
    return kvError(
      400,
      'BadParameter',
      `The ${operation === 'wrapKey' ? 'key' : 'ciphertext'} could not be processed with this key.`,
    );
  }
  return {
    status: 200,
    body: { kid: kidOf(vault, name, key.version), value: output.toString('base64url') },
  };
}

/** The Key Vault data-plane routes, below `/keyvault` (`/{vault}/keys/…`). */
export function keyVaultRoutes(ctx: SandboxContext): Router {
  const get = (req: SandboxRequest, p: Record<string, string>) =>
    authorized(ctx, req, p, 'get', (vault, key, name) => keyBundle(vault, name, key));
  const operation =
    (op: 'wrapKey' | 'unwrapKey') => (req: SandboxRequest, p: Record<string, string>) =>
      authorized(ctx, req, p, op, (vault, key, name) => keyOperation(req, vault, name, key, op));
  return new Router()
    .add('GET', '/:vault/keys/:name', get)
    .add('GET', '/:vault/keys/:name/:version', get)
    .add('POST', '/:vault/keys/:name/:version/wrapkey', operation('wrapKey'))
    .add('POST', '/:vault/keys/:name/:version/unwrapkey', operation('unwrapKey'));
}

/**
 * A pipeline policy for an Azure SDK client that sends requests for a vault
 * (`https://{vault}.vault.azure.net/…`) to the sandbox at `sandboxUrl` (`{sandboxUrl}/keyvault/{vault}/…`),
 * for tests and tools that talk to the sandbox's vaults with @azure/keyvault-keys. Add it per retry
 * (`additionalPolicies: [{ policy, position: 'perRetry' }]`): it runs after the Key Vault
 * authentication policy, which so sees and checks the vault's own host name against the
 * challenge's resource, and it puts the URL back once answered, because that policy checks the
 * request's URL after the first answer.
 */
export function sandboxVaultRoute(sandboxUrl: string): PipelinePolicy {
  return {
    name: 'sandboxVaultRoute',
    async sendRequest(request, next) {
      const original = request.url;
      const url = new URL(original);
      const vault = /^([a-z0-9-]+)\.vault\.azure\.net$/i.exec(url.hostname)?.[1];
      if (!vault) return next(request);
      request.url = `${sandboxUrl}/keyvault/${vault}${url.pathname}${url.search}`;
      try {
        return await next(request);
      } finally {
        request.url = original;
      }
    },
  };
}
