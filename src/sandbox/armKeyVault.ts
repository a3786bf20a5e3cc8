import { armAuthed, armFail, isResponse, ownedSubscriptionFor, subscriptionFor } from './armAccess';
import type { SandboxContext } from './context';
import type { Router, SandboxRequest, SandboxResponse } from './router';
import type { SeedResource } from './seed';
import type { SubscriptionRecord } from './state';

/**
 * Azure Key Vault's management API in the sandbox, the two operations tenantlink uses after a move
 * (Microsoft.KeyVault 2023-07-01 `keyvault.json`, read from a mirror of Azure/azure-rest-api-specs:
 * check-spelling-sandbox/azure-rest-api-specs at commit 5feb5d02c0c11bcd3aac75673d4a42943f05dbf4;
 * example updateVault.json from Azure/azure-rest-api-specs at commit
 * c2367fa1ca7c1d3508f7d9a41965287ac69664d2):
 * - `Vaults_Get`: `GET …/providers/Microsoft.KeyVault/vaults/{vaultName}` → 200 `Vault`
 *   (`properties.tenantId`, `sku`, `accessPolicies`, `vaultUri`);
 * - `Vaults_Update`: `PATCH` the same path with `VaultPatchParameters` (`properties.tenantId`,
 *   `properties.accessPolicies`, `properties.enableRbacAuthorization`, …) → 200 `Vault`; a
 *   property "null or not specified" does not change.
 * A vault's permission model is the seed's `properties.enableRbacAuthorization` (`VaultProperties`:
 * "If null or not specified, the vault is created with the default value of false"). In RBAC mode
 * "the access policies specified in vault properties will be ignored": they are kept and returned
 * as written, and grant nothing (the sandbox's Key Vault data plane, src/sandbox/keyVaultKeys.ts,
 * authorizes by role assignments only).
 * The vaults are the subscription's seeded resources of type `Microsoft.KeyVault/vaults`, the same
 * records Resource Graph lists. Reading needs a role on the subscription, patching Owner.
 */

const VERSIONS = ['2023-07-01'];
const PATH =
  '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.KeyVault/vaults/:vaultName';

type VaultResource = SeedResource & { properties?: Record<string, unknown> };

function vaultOf(sub: SubscriptionRecord, group: string, name: string): VaultResource | undefined {
  return (sub.resources ?? []).find(
    (r) =>
      r.type.toLowerCase() === 'microsoft.keyvault/vaults' &&
      r.name.toLowerCase() === name.toLowerCase() &&
      r.resourceGroup.toLowerCase() === group.toLowerCase(),
  ) as VaultResource | undefined;
}

function vaultJson(sub: SubscriptionRecord, v: VaultResource): Record<string, unknown> {
  const p = v.properties ?? {};
  return {
    id: `/subscriptions/${sub.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.KeyVault/vaults/${v.name}`,
    name: v.name,
    type: 'Microsoft.KeyVault/vaults',
    location: v.location,
    tags: {},
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: p.tenantId ?? sub.tenantId,
      accessPolicies: p.accessPolicies ?? [],
      enabledForDeployment: false,
      enableRbacAuthorization: p.enableRbacAuthorization === true,
      vaultUri: `https://${v.name}.vault.azure.net/`,
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
    },
  };
}

const notFound = (name: string): SandboxResponse =>
  armFail(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group was not found.`,
  );

/** Adds the Key Vault routes to the ARM router. */
export function keyVaultRoutes(ctx: SandboxContext, router: Router): void {
  router.add(
    'GET',
    PATH,
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const sub = subscriptionFor(
        ctx,
        p.subscriptionId ?? '',
        caller,
        'Microsoft.KeyVault/vaults/read',
      );
      if (isResponse(sub)) return sub;
      const vault = vaultOf(sub, p.resourceGroupName ?? '', p.vaultName ?? '');
      return vault ? { status: 200, body: vaultJson(sub, vault) } : notFound(p.vaultName ?? '');
    }),
  );
  router.add(
    'PATCH',
    PATH,
    armAuthed(ctx, VERSIONS, (req: SandboxRequest, p, caller) => {
      const sub = ownedSubscriptionFor(
        ctx,
        p.subscriptionId ?? '',
        caller,
        'Microsoft.KeyVault/vaults/write',
      );
      if (isResponse(sub)) return sub;
      const vault = vaultOf(sub, p.resourceGroupName ?? '', p.vaultName ?? '');
      if (!vault) return notFound(p.vaultName ?? '');
      const patch = (req.body as { properties?: Record<string, unknown> } | undefined)?.properties;
      if (!patch || typeof patch !== 'object')
        return armFail(400, 'BadRequest', "The request body must contain 'properties'.");
      if (patch.accessPolicies !== undefined && !Array.isArray(patch.accessPolicies))
        return armFail(400, 'BadRequest', "'properties.accessPolicies' must be an array.");
      const rbac = patch.enableRbacAuthorization;
      if (rbac !== undefined && rbac !== null && typeof rbac !== 'boolean')
        return armFail(
          400,
          'BadRequest',
          "'properties.enableRbacAuthorization' must be a boolean.",
        );
      const properties = { ...(vault.properties ?? {}) };
      if (typeof patch.tenantId === 'string') properties.tenantId = patch.tenantId.toLowerCase();
      if (Array.isArray(patch.accessPolicies)) properties.accessPolicies = patch.accessPolicies;
      if (typeof rbac === 'boolean') properties.enableRbacAuthorization = rbac;
      (vault as { properties?: Record<string, unknown> }).properties = properties;
      return { status: 200, body: vaultJson(sub, vault) };
    }),
  );
}
