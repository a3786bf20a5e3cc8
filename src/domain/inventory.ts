/**
 * What the directory change does to the resources in a subscription, beyond role assignments:
 * each resource read from Azure Resource Graph is classified by the row of Microsoft's table
 * "Understand the impact of transferring a subscription" in "Transfer an Azure subscription to a
 * different Microsoft Entra directory"
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription; read from
 * MicrosoftDocs/azure-docs articles/role-based-access-control/transfer-subscription.md at commit
 * fac9df5f19dd40dc3c4b35ecb7349f0903e05697). Pure functions; no I/O.
 *
 * Severities:
 * - `blocks`: the table says the resource cannot be transferred ("Recoverable: No" with "You cannot
 *   transfer …"): the link stops before the confirm card;
 * - `breaks`: it is impacted and recoverable with actions after the move (the table's "What you can
 *   do"): the admin acknowledges each group before the confirm card;
 * - `check`: it may be impacted depending on how it is used (the table's rows whose impact the
 *   resource's properties cannot show, and the resources the doc's "List other known resources"
 *   query finds with no row of their own).
 *
 * Customer-managed keys: the doc warns twice (under the table and under "List key vaults"): "If you
 * are using encryption at rest for a resource, such as a storage account or SQL database, that has
 * a dependency on a key vault that is being transferred, it can lead to an unrecoverable scenario.
 * If you have this situation, you should take steps to use a different key vault or temporarily
 * disable customer-managed keys to avoid this unrecoverable scenario." A resource whose key is in
 * a key vault (or Managed HSM) of the subscription being moved is therefore `breaks`
 * (`customerKeyMoving`), one whose key is elsewhere `check` (`customerKey`). What names the key,
 * per resource type (Azure/azure-rest-api-specs, property names as the specs spell them):
 * - storage accounts: `properties.encryption.keySource` `Microsoft.Keyvault` and the vault's
 *   `properties.encryption.keyvaultproperties.keyvaulturi`
 *   (specification/storage/resource-manager/Microsoft.Storage/stable/2023-05-01/examples/
 *   StorageAccountEnableCMK.json at commit d64572e92b815d47de3ffcdbcc37c75fab0375da);
 * - SQL servers: the TDE protector's key, `properties.keyId` ("A CMK URI of the key to use for
 *   encryption", ServerProperties in specification/sql/resource-manager/Microsoft.Sql/stable/
 *   2021-11-01/Servers.json at commit 152c1a62d604952fea30dbf96949a317560392e7);
 * - disk encryption sets: `properties.activeKey.keyUrl` and `.sourceVault.id`
 *   (specification/compute/resource-manager/Microsoft.Compute/DiskRP/stable/2023-04-02/examples/
 *   diskEncryptionSetExamples/DiskEncryptionSet_Get.json at commit
 *   1fc7d717e7f0b4f991a1bb36e552281f09c1edab);
 * - Azure Disk Encryption: `properties.encryptionSettingsCollection.enabled == true`, the
 *   condition of the doc's own query, and the vaults of its `encryptionSettings[]`'
 *   `diskEncryptionKey.sourceVault.id` / `keyEncryptionKey.sourceVault.id` (same DiskRP folder,
 *   examples/diskExamples/Disk_Get.json at the same commit).
 * A key's vault is in the subscription when its URI's host is that of one of the subscription's
 * vaults (`properties.vaultUri`) or Managed HSMs (`properties.hsmUri`, ManagedHsm_Get.json of
 * specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01 at commit
 * 3873f33d7b91f28c55d7c98b6eb7da8aa5a5bda4), or the host's first label is one's name (vault names
 * are DNS names), or a `sourceVault.id` is one's id.
 *
 * The doc's "List other known resources" query is `resources | where type !=
 * "microsoft.azureactivedirectory/b2cdirectories" | where identity <> "" or properties.tenantId
 * <> "" or properties.encryptionSettingsCollection.enabled == true`: identities and Azure Disk
 * Encryption have their kinds; any other resource with a `properties.tenantId` and no row of its
 * own is `tenantBound` (`check`), and a Managed HSM (`microsoft.keyvault/managedhsms`, which has
 * one) is `managedHsm` (`check`). The doc at that commit names no Azure Stack registration.
 */

/** A resource as tenantlink's Resource Graph query projects it (see src/azure/resourceGraph.ts). */
export interface InventoryResource {
  /** ARM resource id. */
  readonly id: string;
  readonly name: string;
  /** Lower-case resource type, e.g. `microsoft.keyvault/vaults` (Resource Graph lower-cases it). */
  readonly type: string;
  readonly kind?: string | null;
  /** `identity.type`: `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned`, `None`. */
  readonly identityType?: string | null;
  /** `properties.tenantId` (key vaults, Synapse workspaces). */
  readonly tenantId?: string | null;
  /** `properties.isHnsEnabled` (a storage account with Data Lake Storage Gen2). */
  readonly isHnsEnabled?: boolean | null;
  /** `properties.administrators.administratorType` of a SQL server (`ActiveDirectory`). */
  readonly sqlAdministratorType?: string | null;
  /** A storage account's `properties.encryption.keySource` (`Microsoft.Storage`/`Microsoft.Keyvault`). */
  readonly keySource?: string | null;
  /** A storage account's `properties.encryption.keyvaultproperties.keyvaulturi`. */
  readonly keyVaultUri?: string | null;
  /** A SQL server's `properties.keyId`: the URI of its TDE protector's key in a key vault. */
  readonly sqlKeyId?: string | null;
  /** A disk encryption set's `properties.activeKey.keyUrl`. */
  readonly activeKeyUrl?: string | null;
  /** A disk encryption set's `properties.activeKey.sourceVault.id`. */
  readonly activeKeyVaultId?: string | null;
  /** A disk's `properties.encryptionSettingsCollection.enabled` (Azure Disk Encryption). */
  readonly adeEnabled?: boolean | null;
  /**
   * A disk's `properties.encryptionSettingsCollection.encryptionSettings`: each with
   * `diskEncryptionKey.sourceVault.id` and optionally `keyEncryptionKey.sourceVault.id`.
   */
  readonly adeSettings?: unknown;
  /** A key vault's `properties.vaultUri`. */
  readonly vaultUri?: string | null;
  /** A Managed HSM's `properties.hsmUri`. */
  readonly hsmUri?: string | null;
}

/** A policy object from Resource Graph's `policyresources` table. */
export interface InventoryPolicy {
  readonly id: string;
  readonly name: string;
  /**
   * `microsoft.authorization/policyassignments`, `…/policydefinitions`, `…/policysetdefinitions`
   * (initiatives) or `…/policyexemptions`.
   */
  readonly type: string;
}

/** How bad a kind of resource is hit by the move (see the module comment). */
export type InventorySeverity = 'blocks' | 'breaks' | 'check';

/**
 * Every kind of resource the doc names that tenantlink recognises, in the order the card lists
 * them within a severity (a key that can become unrecoverable first among those that break).
 */
export const INVENTORY_KINDS = [
  'aks',
  'domainServices',
  'sqlEntraAuth',
  'devCenter',
  'customerKeyMoving',
  'systemIdentity',
  'userIdentity',
  'keyVault',
  'dataLakeGen2',
  'dataLakeGen1',
  'diskEncryptionSet',
  'serviceBus',
  'synapse',
  'policy',
  'storageFiles',
  'fileSync',
  'mysqlServer',
  'customerKey',
  'managedHsm',
  'tenantBound',
] as const;

/** A kind of resource: one of {@link INVENTORY_KINDS}. */
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

/** The severity of each kind, from the transfer doc's table (row quoted). */
export const KIND_SEVERITY: Readonly<Record<InventoryKind, InventorySeverity>> = {
  // "Azure Kubernetes Service | Yes | No | … You cannot transfer your AKS cluster and its
  // associated resources to a different directory."
  aks: 'blocks',
  // "Microsoft Entra Domain Services | Yes | No | … You cannot transfer a Microsoft Entra Domain
  // Services managed domain to a different directory."
  domainServices: 'blocks',
  // "Azure SQL databases with Microsoft Entra authentication integration enabled | Yes | No | …
  // You cannot transfer an Azure SQL database with Microsoft Entra authentication enabled".
  sqlEntraAuth: 'blocks',
  // "Microsoft Dev Box | Yes | No | You cannot transfer a dev box …" and "Azure Deployment
  // Environments | Yes | No | You cannot transfer an environment …": both live in a dev center.
  devCenter: 'blocks',
  // "System-assigned managed identities | Yes | Yes | … You must disable and re-enable the managed
  // identities. You must re-create the role assignments."
  systemIdentity: 'breaks',
  // "User-assigned managed identities | Yes | Yes | … You must delete, re-create, and attach the
  // managed identities to the appropriate resource."
  userIdentity: 'breaks',
  // "Azure Key Vault | Yes | Yes | … You must update the tenant ID associated with the key vaults.
  // You must remove and add new access policies."
  keyVault: 'breaks',
  // "Azure Storage and Azure Data Lake Storage Gen2 | Yes | Yes | You must re-create any ACLs."
  dataLakeGen2: 'breaks',
  // "Azure Data Lake Storage Gen1 | Yes | Yes | You must re-create any ACLs."
  dataLakeGen1: 'breaks',
  // "Azure Managed Disks | Yes | Yes | If you are using Disk Encryption Sets … you must disable and
  // re-enable the system-assigned identities … again grant required permissions … in the Key Vaults."
  diskEncryptionSet: 'breaks',
  // "Azure Service Bus | Yes | Yes | You must delete, re-create, and attach the managed identities"
  serviceBus: 'breaks',
  // "Azure Synapse Analytics Workspace | Yes | Yes | You must update the tenant ID associated with
  // the Synapse Analytics Workspace."
  synapse: 'breaks',
  // "Azure Policy | Yes | No | All Azure Policy objects, including custom definitions, assignments,
  // exemptions, and compliance data. | You must export, import, and re-assign
  // definitions. Then, create new policy assignments and any needed policy exemptions."
  // Custom initiatives (policy set definitions, "policyType": "Custom") are custom definitions that
  // "group several related policy definitions" (Azure Policy initiative definition structure,
  // https://learn.microsoft.com/azure/governance/policy/concepts/initiative-definition-structure):
  // counted here too, and exported and imported like the definitions.
  policy: 'breaks',
  // "Azure Files | Yes | Yes | You must re-create any ACLs." (only if its shares use identity-based
  // ACLs, which the account's properties do not show)
  storageFiles: 'check',
  // "Azure File Sync | Yes | Yes | The storage sync service and/or storage account can be moved"
  fileSync: 'check',
  // "Azure database for MySQL with Microsoft Entra authentication integration enabled | Yes | No"
  // (Entra authentication is a sub-resource of the server: not visible in its properties)
  mysqlServer: 'check',
  // The doc's warning (module comment): a key in a key vault "that is being transferred … can
  // lead to an unrecoverable scenario … use a different key vault or temporarily disable
  // customer-managed keys": acknowledged before the move like every kind that breaks.
  customerKeyMoving: 'breaks',
  // The key is in a key vault that stays where it is: the resource's identity, which the move
  // breaks (rows "System-assigned/User-assigned managed identities"), must be given access to it
  // again, as the "Azure Managed Disks" row says for disk encryption sets.
  customerKey: 'check',
  // A Managed HSM is a key vault bound to its directory (`properties.tenantId`); the doc's query
  // lists it, its table has no row for it.
  managedHsm: 'check',
  // "List other known resources": `properties.tenantId <> ""`, with no row of its own.
  tenantBound: 'check',
};

const TRANSFER_DOC =
  'https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription';

/**
 * Where Microsoft says how to do each kind's work after the move: the transfer doc's "Step 3:
 * Re-create resources" sections, or the page its table row links to.
 */
export const KIND_GUIDE: Readonly<Record<InventoryKind, string>> = {
  aks: `${TRANSFER_DOC}#understand-the-impact-of-transferring-a-subscription`,
  domainServices: `${TRANSFER_DOC}#understand-the-impact-of-transferring-a-subscription`,
  sqlEntraAuth: 'https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-overview',
  devCenter: `${TRANSFER_DOC}#understand-the-impact-of-transferring-a-subscription`,
  systemIdentity: `${TRANSFER_DOC}#update-system-assigned-managed-identities`,
  userIdentity: `${TRANSFER_DOC}#update-user-assigned-managed-identities`,
  keyVault: 'https://learn.microsoft.com/azure/key-vault/general/move-subscription',
  dataLakeGen2: `${TRANSFER_DOC}#update-acls`,
  dataLakeGen1: `${TRANSFER_DOC}#update-acls`,
  diskEncryptionSet: `${TRANSFER_DOC}#understand-the-impact-of-transferring-a-subscription`,
  serviceBus: `${TRANSFER_DOC}#update-user-assigned-managed-identities`,
  synapse:
    'https://learn.microsoft.com/azure/synapse-analytics/how-to-recover-workspace-after-tenant-move',
  policy: 'https://learn.microsoft.com/azure/governance/policy/how-to/export-resources',
  storageFiles: `${TRANSFER_DOC}#update-acls`,
  fileSync: 'https://learn.microsoft.com/azure/storage/files/storage-files-faq#azure-file-sync',
  mysqlServer: `${TRANSFER_DOC}#understand-the-impact-of-transferring-a-subscription`,
  customerKeyMoving: `${TRANSFER_DOC}#list-key-vaults`,
  customerKey: `${TRANSFER_DOC}#list-key-vaults`,
  managedHsm: `${TRANSFER_DOC}#list-other-known-resources`,
  tenantBound: `${TRANSFER_DOC}#list-other-known-resources`,
};

/** The transfer doc's "Review other security methods" (access keys, certificates to rotate). */
export const ROTATE_CREDENTIALS_GUIDE = `${TRANSFER_DOC}#review-other-security-methods`;

/**
 * The subscription's key vaults and Managed HSMs, to tell whether a key is in one of them (see the
 * module comment): their ids, names and URI hosts, lower-case.
 */
export interface VaultIndex {
  readonly ids: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
  readonly hosts: ReadonlySet<string>;
}

const VAULT_TYPES = new Set(['microsoft.keyvault/vaults', 'microsoft.keyvault/managedhsms']);

/** The vault index of a subscription's resources. */
export function vaultIndexOf(resources: readonly InventoryResource[]): VaultIndex {
  const ids = new Set<string>();
  const names = new Set<string>();
  const hosts = new Set<string>();
  for (const r of resources) {
    if (!VAULT_TYPES.has(r.type.toLowerCase())) continue;
    ids.add(r.id.toLowerCase());
    names.add(r.name.toLowerCase());
    for (const uri of [r.vaultUri, r.hsmUri]) {
      const host = hostOf(uri);
      // Stryker disable next-line ConditionalExpression: an undefined host is never looked up
      if (host) hosts.add(host);
    }
  }
  return { ids, names, hosts };
}

/**
 * The lower-case host of a URI, or undefined when it is not a URI with a host (nor one at all:
 * `String(null)` and `String(undefined)` are no URLs).
 */
function hostOf(uri: string | null | undefined): string | undefined {
  const text = String(uri);
  return URL.canParse(text) ? new URL(text).hostname.toLowerCase() || undefined : undefined;
}

/**
 * Where a resource's customer-managed keys are: `undefined` when it has none (or none that
 * tenantlink can read), else whether one of them is in a vault of `vaults` (the subscription).
 */
export function customerKeyPlace(
  resource: InventoryResource,
  vaults: VaultIndex,
): 'moving' | 'elsewhere' | undefined {
  const type = resource.type.toLowerCase();
  // Stryker disable next-line ArrayDeclaration: a made-up first URI is no URI, so no vault's
  const uris: (string | null | undefined)[] = [];
  // Stryker disable next-line ArrayDeclaration: a made-up first id is no vault's id
  const vaultIds: string[] = [];
  if (
    type === 'microsoft.storage/storageaccounts' &&
    resource.keySource?.toLowerCase() === 'microsoft.keyvault'
  )
    uris.push(resource.keyVaultUri);
  else if (type === 'microsoft.sql/servers' && resource.sqlKeyId) uris.push(resource.sqlKeyId);
  else if (type === 'microsoft.compute/diskencryptionsets' && resource.activeKeyUrl) {
    uris.push(resource.activeKeyUrl);
    if (resource.activeKeyVaultId) vaultIds.push(resource.activeKeyVaultId);
  } else if (resource.adeEnabled === true) vaultIds.push(...adeVaultIds(resource.adeSettings));
  else return undefined;
  const moving =
    uris.some((uri) => {
      const host = hostOf(uri);
      return (
        host !== undefined && (vaults.hosts.has(host) || vaults.names.has(host.split('.')[0]!))
      );
    }) || vaultIds.some((id) => vaults.ids.has(id.toLowerCase()));
  return moving ? 'moving' : 'elsewhere';
}

/** The `sourceVault.id`s of Azure Disk Encryption settings (see {@link InventoryResource}). */
function adeVaultIds(settings: unknown): string[] {
  // Stryker disable next-line ArrayDeclaration: a made-up setting has no source vault either
  if (!Array.isArray(settings)) return [];
  // A setting that is not an object (null, a string) has no keys: reading them gives undefined.
  type Setting = Record<string, { sourceVault?: { id?: unknown } } | undefined> | null | undefined;
  return (settings as Setting[]).flatMap((setting) =>
    ['diskEncryptionKey', 'keyEncryptionKey']
      .map((key) => setting?.[key]?.sourceVault?.id)
      .filter((id): id is string => typeof id === 'string'),
  );
}

/**
 * The kinds a resource belongs to (one resource can be in two: a key vault with an identity).
 * @param vaults the subscription's key vaults and Managed HSMs, which tell whether a
 *   customer-managed key moves with it (none: every key counts as elsewhere)
 */
export function kindsOf(
  resource: InventoryResource,
  vaults: VaultIndex = vaultIndexOf([]),
): InventoryKind[] {
  const type = resource.type.toLowerCase();
  const kinds: InventoryKind[] = [];
  const byType: Record<string, InventoryKind> = {
    'microsoft.containerservice/managedclusters': 'aks',
    'microsoft.aad/domainservices': 'domainServices',
    'microsoft.devcenter/devcenters': 'devCenter',
    'microsoft.devcenter/projects': 'devCenter',
    'microsoft.managedidentity/userassignedidentities': 'userIdentity',
    'microsoft.keyvault/vaults': 'keyVault',
    'microsoft.keyvault/managedhsms': 'managedHsm',
    'microsoft.datalakestore/accounts': 'dataLakeGen1',
    'microsoft.compute/diskencryptionsets': 'diskEncryptionSet',
    'microsoft.servicebus/namespaces': 'serviceBus',
    'microsoft.synapse/workspaces': 'synapse',
    'microsoft.storagesync/storagesyncservices': 'fileSync',
    'microsoft.dbformysql/flexibleservers': 'mysqlServer',
    'microsoft.dbformysql/servers': 'mysqlServer',
  };
  const direct = byType[type];
  if (direct) kinds.push(direct);
  if (type === 'microsoft.sql/servers' && resource.sqlAdministratorType === 'ActiveDirectory')
    kinds.push('sqlEntraAuth');
  if (type === 'microsoft.storage/storageaccounts')
    kinds.push(resource.isHnsEnabled === true ? 'dataLakeGen2' : 'storageFiles');
  const keyPlace = customerKeyPlace(resource, vaults);
  if (keyPlace) kinds.push(keyPlace === 'moving' ? 'customerKeyMoving' : 'customerKey');
  // A resource's own identity breaks whatever its type (the doc's query: `identity has
  // 'SystemAssigned'`); a user-assigned one attached to it must be re-created and attached again.
  // (A user-assigned identity's own row is already `userIdentity`: kinds are kept once.)
  const identity = resource.identityType?.toLowerCase();
  if (identity?.includes('systemassigned')) kinds.push('systemIdentity');
  if (identity?.includes('userassigned')) kinds.push('userIdentity');
  // The doc's query: `properties.tenantId <> ""`, B2C directories left out; a resource whose
  // type has its own row (key vaults, Synapse workspaces, Managed HSMs) is counted there.
  if (
    typeof resource.tenantId === 'string' &&
    resource.tenantId !== '' &&
    !direct &&
    type !== 'microsoft.azureactivedirectory/b2cdirectories'
  )
    kinds.push('tenantBound');
  return [...new Set(kinds)];
}

/** One kind of resource found in the subscription. */
export interface InventoryGroup {
  readonly kind: InventoryKind;
  readonly severity: InventorySeverity;
  /** How many resources of the subscription are of this kind. */
  readonly count: number;
  /** The first names, sorted, at most {@link GROUP_NAMES_MAX} (the card and the record show these). */
  readonly names: readonly string[];
}

/** What the move does to a subscription's resources, grouped. */
export interface Inventory {
  /** Resources read (all of the subscription's). */
  readonly total: number;
  /** Groups in severity order (blocks, breaks, check), then by {@link INVENTORY_KINDS} order. */
  readonly groups: readonly InventoryGroup[];
}

/** Names kept per group: enough to recognise them, few enough for a card at any scale. */
export const GROUP_NAMES_MAX = 5;

const SEVERITY_ORDER: readonly InventorySeverity[] = ['blocks', 'breaks', 'check'];

/**
 * Groups the subscription's resources and policy objects by kind.
 * @param resources every row of the `resources` query
 * @param policies every row of the `policyresources` query (assignments, definitions,
 *   initiatives, exemptions)
 */
export function classifyInventory(
  resources: readonly InventoryResource[],
  policies: readonly InventoryPolicy[],
): Inventory {
  const found = new Map<InventoryKind, string[]>();
  const add = (kind: InventoryKind, name: string): void => {
    const names = found.get(kind) ?? [];
    names.push(name);
    found.set(kind, names);
  };
  const vaults = vaultIndexOf(resources);
  for (const r of resources) for (const kind of kindsOf(r, vaults)) add(kind, r.name);
  for (const p of policies) add('policy', p.name);
  const groups = [...found.entries()]
    .map(([kind, names]) => ({
      kind,
      severity: KIND_SEVERITY[kind],
      count: names.length,
      names: [...names].sort((a, b) => a.localeCompare(b)).slice(0, GROUP_NAMES_MAX),
    }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        INVENTORY_KINDS.indexOf(a.kind) - INVENTORY_KINDS.indexOf(b.kind),
    );
  return { total: resources.length, groups };
}

/** The groups of one severity. */
export function groupsOf(inventory: Inventory, severity: InventorySeverity): InventoryGroup[] {
  return inventory.groups.filter((g) => g.severity === severity);
}
