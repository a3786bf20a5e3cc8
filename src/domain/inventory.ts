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
 *   resource's properties cannot show, and the doc's warning on encryption keys in key vaults).
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

/** Every kind of resource the table names that tenantlink recognises. */
export const INVENTORY_KINDS = [
  'aks',
  'domainServices',
  'sqlEntraAuth',
  'devCenter',
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
};

/** The transfer doc's "Review other security methods" (access keys, certificates to rotate). */
export const ROTATE_CREDENTIALS_GUIDE = `${TRANSFER_DOC}#review-other-security-methods`;

/** The kinds a resource belongs to (one resource can be in two: a key vault with an identity). */
export function kindsOf(resource: InventoryResource): InventoryKind[] {
  const type = resource.type.toLowerCase();
  const kinds: InventoryKind[] = [];
  const byType: Record<string, InventoryKind> = {
    'microsoft.containerservice/managedclusters': 'aks',
    'microsoft.aad/domainservices': 'domainServices',
    'microsoft.devcenter/devcenters': 'devCenter',
    'microsoft.devcenter/projects': 'devCenter',
    'microsoft.managedidentity/userassignedidentities': 'userIdentity',
    'microsoft.keyvault/vaults': 'keyVault',
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
  // A resource's own identity breaks whatever its type (the doc's query: `identity has
  // 'SystemAssigned'`); a user-assigned one attached to it must be re-created and attached again.
  const identity = (resource.identityType ?? '').toLowerCase();
  if (identity.includes('systemassigned')) kinds.push('systemIdentity');
  if (
    identity.includes('userassigned') &&
    type !== 'microsoft.managedidentity/userassignedidentities'
  )
    kinds.push('userIdentity');
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
  for (const r of resources) for (const kind of kindsOf(r)) add(kind, r.name);
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
