import type { TokenCredential } from '@azure/core-auth';
import type { KeyClientOptions } from '@azure/keyvault-keys';
import { IDS, type SandboxCloud } from '../../src/sandbox';
import { sandboxVaultRoute } from '../../src/sandbox/keyVaultKeys';

import { editedSeed } from './seeds';

/**
 * A key vault in the sandbox for the token cache key's tests (test/auth/wrappedKey.test.ts,
 * test/doctor/tokenCacheKey.test.ts): Contoso's managed identities, their role assignments, a
 * subscription that holds the vault (Azure RBAC model), and credentials and client options that
 * reach the sandbox's Key Vault data plane over HTTPS.
 */

/** The vault the seed holds. */
export interface SandboxVault {
  readonly vault: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  /** Contoso's managed identities (service principals), by a name used in the tests. */
  readonly identities: Readonly<Record<string, string>>;
  /** Role assignments: principal id, role definition id, scope below the subscription. */
  readonly assignments: readonly (readonly [string, string, string])[];
}

/** The seed: the sandbox's own with the vault, its subscription, identities and assignments. */
export function vaultSeed(v: SandboxVault): ReturnType<typeof editedSeed> {
  return editedSeed((draft) => {
    const contoso = draft.tenants.find((t) => t.id === IDS.tenants.contoso)!;
    for (const [name, id] of Object.entries(v.identities))
      contoso.principals.push({ id, displayName: `id-${name}`, principalType: 'ServicePrincipal' });
    draft.subscriptions.push({
      subscriptionId: v.subscriptionId,
      displayName: `${v.vault} hosting`,
      tenantId: IDS.tenants.contoso,
      changeTenant: 'allowed',
      roleAssignments: v.assignments.map(([principalId, roleDefinitionId, scope], i) => ({
        name: `0000000${i + 1}-1111-4222-8333-444455556666`,
        principalId,
        principalType: 'ServicePrincipal' as const,
        roleDefinitionId,
        scope,
      })),
      resources: [
        {
          name: v.vault,
          type: 'Microsoft.KeyVault/vaults',
          resourceGroup: v.resourceGroup,
          location: 'westeurope',
          properties: { tenantId: IDS.tenants.contoso, enableRbacAuthorization: true },
        },
      ],
    });
  });
}

/** The Contoso managed identity `principalId` as a credential: Key Vault tokens from the sandbox. */
export function sandboxIdentity(sandbox: SandboxCloud, principalId: string): TokenCredential {
  return {
    getToken: async (scopes) => ({
      token: await sandbox.keyVault.managedIdentityToken(
        IDS.tenants.contoso,
        principalId,
        [scopes].flat()[0] ?? '',
      ),
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
  };
}

/** The Key Vault clients' options: the sandbox's TLS and its route, no retries. */
export function sandboxKeyVaultOptions(sandbox: SandboxCloud): KeyClientOptions {
  return {
    tlsOptions: { ca: sandbox.caCertificatePem },
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ policy: sandboxVaultRoute(sandbox.url), position: 'perRetry' }],
  };
}
