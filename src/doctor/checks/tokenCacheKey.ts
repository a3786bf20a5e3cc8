import type { TokenCredential } from '@azure/core-auth';
import { sanitizeBlobKey } from 'botbuilder-azure-blobs/lib/sanitizeBlobKey';
import { botCredential } from '../../app';
import { RECORD_REPLACEABLE, WRAPPED_KEY_RECORD, verifyWrappedKey } from '../../auth/wrappedKey';
import { parseKeyId } from '../../configFormats';
import { TenantlinkError } from '../../errors';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check, DoctorContext, Finding } from '../types';

/**
 * The cloud's token cache key opens (src/auth/wrappedKey.ts): the wrapped data key in the bot's
 * store unwraps with the Key Vault key `TOKEN_CACHE_KEY_ID`, or, before the bot's first start
 * made it, the key exists and the credential may wrap and unwrap with it
 * (`verifyWrappedKey`, read-only: nothing is written to the store or the vault). On App Service
 * the bot's own managed identity is used (src/app.ts `botCredential`; App Service sets
 * `IDENTITY_ENDPOINT`, https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference);
 * elsewhere the operator's sign-in. A refusal (403) is fixed with a data role on the vault, "Key
 * Vault Crypto User" in the Azure RBAC permission model
 * (https://learn.microsoft.com/azure/key-vault/general/rbac-guide), assigned with
 * `az role assignment create --role --assignee --scope`
 * (https://learn.microsoft.com/cli/azure/role/assignment#az-role-assignment-create).
 */
export const tokenCacheKeyCheck: Check = async (ctx) => {
  const { t, config } = ctx;
  const keyId = config.adminSignIn.cacheKeyId;
  if (config.mode === 'local') return [skip('tokenCacheKey', t('doctor.skip.tokenCacheKeyLocal'))];
  if (!keyId) return [skip('tokenCacheKey', t('doctor.skip.tokenCacheKeyNotSet'))];
  if (!ctx.storage) return [skip('tokenCacheKey', t('doctor.skip.tokenCacheKeyNoStore'))];
  let credential: TokenCredential;
  if (ctx.onAzure) {
    credential = ctx.botCredential ?? botCredential(config);
  } else {
    if (!ctx.operator) return [skip('tokenCacheKey', t('doctor.reason.noOperator'))];
    credential = ctx.operator;
    try {
      // An operator who is not signed in is not a finding about the key.
      await credential.getToken(vaultScope(keyId));
    } catch {
      return [skip('tokenCacheKey', t('doctor.reason.noOperator'))];
    }
  }
  const who = ctx.onAzure
    ? t('doctor.credential.bot', { clientId: botClientId(ctx) })
    : t('doctor.credential.operator');
  try {
    const found = await verifyWrappedKey({
      storage: ctx.storage,
      keyId,
      credential,
      ...(ctx.keyVaultClientOptions ? { clientOptions: ctx.keyVaultClientOptions } : {}),
    });
    return [
      pass(
        'tokenCacheKey',
        found.state === 'unwrapped'
          ? t('doctor.pass.tokenCacheKey', { credential: who, kid: found.kid })
          : t('doctor.pass.tokenCacheKeyAbsent', { credential: who, kid: found.kid }),
      ),
    ];
  } catch (err) {
    if (!(err instanceof TenantlinkError)) throw err;
    return [keyFailure(ctx, err, who, keyId)];
  }
};

/** A failure of {@link verifyWrappedKey} as a finding with its exact fix. */
function keyFailure(ctx: DoctorContext, err: TenantlinkError, who: string, keyId: string): Finding {
  const { t } = ctx;
  if (err.code === 'TL-TOKEN-CACHE-KEY-FORBIDDEN') {
    const command = roleCommand(ctx, keyId, botClientId(ctx));
    return fail(
      'tokenCacheKey',
      'tokenCacheKeyForbidden',
      t('doctor.fail.tokenCacheKeyForbidden', { credential: who, key: keyId }),
      ctx.onAzure
        ? t('doctor.fix.tokenCacheKeyRole', { command })
        : t('doctor.fix.tokenCacheKeyRoleOperator', {
            command,
            own: roleCommand(ctx, keyId, '"$(az ad signed-in-user show --query id -o tsv)"'),
          }),
    );
  }
  // Anything else (a configuration error the configuration check let through) is the runner's.
  if (err.code !== 'TL-TOKEN-CACHE-KEY-UNAVAILABLE') throw err;
  const reason = reasonOf(err).replace(/^TL-[A-Z-]+: /, '');
  return fail(
    'tokenCacheKey',
    'tokenCacheKeyUnavailable',
    t('doctor.fail.tokenCacheKeyUnavailable', { credential: who, key: keyId, reason }),
    err.params.record === RECORD_REPLACEABLE
      ? t('doctor.fix.tokenCacheKeyRecord', { how: deleteRecord(ctx) })
      : t('doctor.fix.tokenCacheKeyUnavailable', {
          command: `az keyvault key show --id ${keyId}`,
        }),
  );
}

/**
 * The token scope of the key's vault: Key Vault's resource is `https://{DNS suffix}`
 * (`https://vault.azure.net` in the public cloud; "Azure Key Vault authentication",
 * https://learn.microsoft.com/azure/key-vault/general/authentication).
 */
function vaultScope(keyId: string): string {
  const host = new URL(keyId).hostname;
  return `https://${host.slice(host.indexOf('.') + 1)}/.default`;
}

/** The bot's managed identity's client id: `AZURE_CLIENT_ID`, else the bot's app id. */
function botClientId(ctx: DoctorContext): string {
  return (
    ctx.config.storage.managedIdentityClientId ||
    ctx.deployment.botId ||
    '<managed identity client id>'
  );
}

/**
 * `az role assignment create` of "Key Vault Crypto User" for `assignee` on the key's vault: its
 * resource id when the deployment names subscription and resource group (the vault of
 * infra/main.bicep is in the deployment's group), else looked up by name (`az keyvault show`).
 */
function roleCommand(ctx: DoctorContext, keyId: string, assignee: string): string {
  const parsed = parseKeyId(keyId);
  const vault = 'problem' in parsed ? '<vault>' : new URL(parsed.vaultUrl).hostname.split('.')[0]!;
  const { subscriptionId: sub, resourceGroup: rg } = ctx.deployment;
  const scope =
    sub && rg
      ? `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${vault}`
      : `"$(az keyvault show --name ${vault} --query id -o tsv)"`;
  return `az role assignment create --role "Key Vault Crypto User" --assignee ${assignee} --scope ${scope}`;
}

/**
 * How to delete the stored record: on Blob Storage by account URL, the `az storage blob delete`
 * command for its blob (named as src/state/cloudStorage.ts names it, botbuilder's
 * `sanitizeBlobKey`); elsewhere the record's key in the store.
 */
function deleteRecord(ctx: DoctorContext): string {
  const s = ctx.config.storage;
  if (s.kind === 'blob' && s.blobAccountUrl && !s.blobConnectionString) {
    const account = new URL(s.blobAccountUrl).hostname.split('.')[0]!;
    return (
      `az storage blob delete --auth-mode login --account-name ${account} ` +
      `--container-name ${s.blobContainer} --name "${sanitizeBlobKey(WRAPPED_KEY_RECORD)}"`
    );
  }
  return WRAPPED_KEY_RECORD;
}
