import type { TokenCredential } from '@azure/core-auth';
import type { KeyVaultAccessPolicy, KeyVaultPort, KeyVaultState } from '../domain/ports';
import { ArmClient, type ArmClientOptions } from './armClient';

/**
 * Key vaults through Azure Resource Manager (Microsoft.KeyVault 2023-07-01: `Vaults_Get`,
 * `Vaults_Update` PATCH with `VaultPatchParameters`), for updating a vault's tenant ID and access
 * policies after the subscription changed directory ("Moving an Azure Key Vault to another
 * subscription", https://learn.microsoft.com/azure/key-vault/general/move-subscription).
 *
 * A vault's permission model is `properties.enableRbacAuthorization` (`VaultProperties`, default
 * false): "When true, the key vault will use Role Based Access Control (RBAC) for authorization of
 * data actions, and the access policies specified in vault properties will be ignored"; in the
 * PATCH body, "If null or not specified, the value of this property will not change", as for every
 * `VaultPatchProperties` property (keyvault.json 2023-07-01, read from a mirror of
 * Azure/azure-rest-api-specs: check-spelling-sandbox/azure-rest-api-specs at commit
 * 5feb5d02c0c11bcd3aac75673d4a42943f05dbf4). So an RBAC-mode vault's PATCH carries the tenant ID
 * only, and its access policies are left as they are.
 */

/** The Key Vault management api-version used. */
export const KEY_VAULT_API = '2023-07-01';

interface Vault {
  readonly id: string;
  readonly name: string;
  readonly properties: {
    readonly tenantId: string;
    readonly accessPolicies?: KeyVaultAccessPolicy[];
    readonly enableRbacAuthorization?: boolean | null;
  };
}

/** Key Vault management client for one credential. */
export class ArmKeyVaults implements KeyVaultPort {
  private readonly arm: ArmClient;

  constructor(credential: TokenCredential, options: ArmClientOptions) {
    this.arm = new ArmClient(credential, options);
  }

  async get(vaultId: string): Promise<KeyVaultState> {
    const { body } = await this.arm.send<Vault>('GET', `${vaultId}?api-version=${KEY_VAULT_API}`);
    return this.state(body);
  }

  async update(
    vaultId: string,
    tenantId: string,
    accessPolicies: readonly KeyVaultAccessPolicy[] | undefined,
  ): Promise<{ state: KeyVaultState; correlationId: string | undefined }> {
    const { body, correlationId } = await this.arm.send<Vault>(
      'PATCH',
      `${vaultId}?api-version=${KEY_VAULT_API}`,
      { properties: accessPolicies ? { tenantId, accessPolicies } : { tenantId } },
    );
    return { state: this.state(body), correlationId };
  }

  private state(vault: Vault): KeyVaultState {
    return {
      id: vault.id,
      name: vault.name,
      tenantId: vault.properties.tenantId,
      accessPolicies: vault.properties.accessPolicies ?? [],
      rbacAuthorization: vault.properties.enableRbacAuthorization === true,
    };
  }
}
