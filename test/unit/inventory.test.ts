import {
  GROUP_NAMES_MAX,
  INVENTORY_KINDS,
  KIND_SEVERITY,
  classifyInventory,
  groupsOf,
  kindsOf,
  vaultIndexOf,
  type InventoryKind,
  type InventoryResource,
} from '../../src/domain/inventory';

/**
 * Every kind of the transfer doc's table that tenantlink recognises, from the properties its
 * Resource Graph query projects (src/domain/inventory.ts cites each row).
 */

const resource = (type: string, extra: Partial<InventoryResource> = {}): InventoryResource => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/${type}/r`,
  name: 'r',
  type: type.toLowerCase(),
  ...extra,
});

const CASES: [string, InventoryResource, InventoryKind[]][] = [
  ['an AKS cluster', resource('Microsoft.ContainerService/managedClusters'), ['aks']],
  ['a managed domain', resource('Microsoft.AAD/domainServices'), ['domainServices']],
  [
    'a SQL server with a Microsoft Entra administrator',
    resource('Microsoft.Sql/servers', { sqlAdministratorType: 'ActiveDirectory' }),
    ['sqlEntraAuth'],
  ],
  ['a SQL server with SQL logins only', resource('Microsoft.Sql/servers'), []],
  ['a dev center', resource('Microsoft.DevCenter/devcenters'), ['devCenter']],
  ['a dev center project', resource('Microsoft.DevCenter/projects'), ['devCenter']],
  [
    'a VM with a system-assigned identity',
    resource('Microsoft.Compute/virtualMachines', { identityType: 'SystemAssigned' }),
    ['systemIdentity'],
  ],
  [
    'a VM with a user-assigned identity only',
    resource('Microsoft.Compute/virtualMachines', { identityType: 'UserAssigned' }),
    ['userIdentity'],
  ],
  [
    'a VM whose identity type is None',
    resource('Microsoft.Compute/virtualMachines', { identityType: 'None' }),
    [],
  ],
  [
    'a web app with both identities',
    resource('Microsoft.Web/sites', { identityType: 'SystemAssigned, UserAssigned' }),
    ['systemIdentity', 'userIdentity'],
  ],
  [
    'a user-assigned identity',
    resource('Microsoft.ManagedIdentity/userAssignedIdentities'),
    ['userIdentity'],
  ],
  ['a key vault', resource('Microsoft.KeyVault/vaults'), ['keyVault']],
  [
    'a Data Lake Storage Gen2 account',
    resource('Microsoft.Storage/storageAccounts', { isHnsEnabled: true }),
    ['dataLakeGen2'],
  ],
  [
    'a storage account without a hierarchical namespace',
    resource('Microsoft.Storage/storageAccounts', { isHnsEnabled: false }),
    ['storageFiles'],
  ],
  [
    'a Data Lake Storage Gen1 account',
    resource('Microsoft.DataLakeStore/accounts'),
    ['dataLakeGen1'],
  ],
  [
    'a disk encryption set',
    resource('Microsoft.Compute/diskEncryptionSets', { identityType: 'SystemAssigned' }),
    ['diskEncryptionSet', 'systemIdentity'],
  ],
  ['a Service Bus namespace', resource('Microsoft.ServiceBus/namespaces'), ['serviceBus']],
  ['a Synapse workspace', resource('Microsoft.Synapse/workspaces'), ['synapse']],
  ['a storage sync service', resource('Microsoft.StorageSync/storageSyncServices'), ['fileSync']],
  ['a MySQL flexible server', resource('Microsoft.DBforMySQL/flexibleServers'), ['mysqlServer']],
  ['a MySQL single server', resource('Microsoft.DBforMySQL/servers'), ['mysqlServer']],
  [
    'a resource of another type with an Entra administrator type (only SQL servers are read)',
    resource('Microsoft.Contoso/widgets', { sqlAdministratorType: 'ActiveDirectory' }),
    [],
  ],
  ['a virtual network', resource('Microsoft.Network/virtualNetworks'), []],
  // Customer-managed keys, with no key vault of the subscription known (see below for those).
  [
    'a storage account encrypted with a key in a key vault',
    resource('Microsoft.Storage/storageAccounts', {
      keySource: 'Microsoft.Keyvault',
      keyVaultUri: 'https://kv-elsewhere.vault.azure.net',
    }),
    ['storageFiles', 'customerKey'],
  ],
  [
    'a storage account encrypted with Microsoft-managed keys',
    resource('Microsoft.Storage/storageAccounts', {
      keySource: 'Microsoft.Storage',
      keyVaultUri: 'https://kv-elsewhere.vault.azure.net',
    }),
    ['storageFiles'],
  ],
  [
    "a SQL server whose TDE protector is a key vault's key",
    resource('Microsoft.Sql/servers', {
      sqlKeyId: 'https://kv-elsewhere.vault.azure.net/keys/tde/0123',
    }),
    ['customerKey'],
  ],
  [
    'a disk with Azure Disk Encryption',
    resource('Microsoft.Compute/disks', { adeEnabled: true }),
    ['customerKey'],
  ],
  [
    'a disk encryption set whose key names no source vault',
    resource('Microsoft.Compute/diskEncryptionSets', {
      activeKeyUrl: 'https://kv-elsewhere.vault.azure.net/keys/k',
    }),
    ['diskEncryptionSet', 'customerKey'],
  ],
  [
    'a disk with Azure Disk Encryption whose settings are partly empty or name no vault',
    resource('Microsoft.Compute/disks', {
      adeEnabled: true,
      adeSettings: [
        null,
        'x',
        { diskEncryptionKey: { secretUrl: 'https://kv.vault.azure.net/s' } },
      ],
    }),
    ['customerKey'],
  ],
  // The key properties are read only for the types that define them (Resource Graph projects the
  // same property paths for every row).
  [
    "a resource of another type with a storage account's key source",
    resource('Microsoft.Contoso/widgets', {
      keySource: 'Microsoft.Keyvault',
      keyVaultUri: 'https://kv-elsewhere.vault.azure.net',
    }),
    [],
  ],
  [
    "a resource of another type with a SQL server's key id",
    resource('Microsoft.Contoso/widgets', {
      sqlKeyId: 'https://kv-elsewhere.vault.azure.net/keys/tde/0123',
    }),
    [],
  ],
  [
    "a resource of another type with a disk encryption set's active key",
    resource('Microsoft.Contoso/widgets', {
      activeKeyUrl: 'https://kv-elsewhere.vault.azure.net/keys/k',
    }),
    [],
  ],
  [
    'a disk with Azure Disk Encryption turned off',
    resource('Microsoft.Compute/disks', { adeEnabled: false }),
    [],
  ],
  ['a Managed HSM', resource('Microsoft.KeyVault/managedHSMs', { tenantId: 't' }), ['managedHsm']],
  [
    'a resource of another type that names its directory',
    resource('Microsoft.Contoso/widgets', { tenantId: 't' }),
    ['tenantBound'],
  ],
  [
    'a resource whose tenant ID is empty (the doc\'s query: `properties.tenantId <> ""`)',
    resource('Microsoft.Contoso/widgets', { tenantId: '' }),
    [],
  ],
  [
    "an Azure AD B2C directory (left out by the doc's query)",
    resource('Microsoft.AzureActiveDirectory/b2cDirectories', { tenantId: 't' }),
    [],
  ],
  [
    'a key vault (its tenant ID is in its own row)',
    resource('Microsoft.KeyVault/vaults', { tenantId: 't' }),
    ['keyVault'],
  ],
];

it.each(CASES)('classifies %s', (_what, r, kinds) => {
  expect(kindsOf(r)).toEqual(kinds);
});

/**
 * The doc's warning: a key in a key vault "that is being transferred" can become unrecoverable.
 * The subscription's own key vault and Managed HSM, as Resource Graph projects them (indexed in
 * each test, so that a fault in the index fails that test).
 */
const SUB = '/subscriptions/s/resourceGroups/rg/providers';
const OWN_VAULT_ROWS: InventoryResource[] = [
  {
    id: `${SUB}/Microsoft.KeyVault/vaults/kv-own`,
    name: 'kv-own',
    type: 'microsoft.keyvault/vaults',
    vaultUri: 'https://kv-own.vault.azure.net/',
  },
  {
    id: `${SUB}/Microsoft.KeyVault/managedHSMs/hsm1`,
    name: 'hsm1',
    type: 'microsoft.keyvault/managedhsms',
    // ManagedHsm_Get.json's URI: its first label is the region, not the name.
    hsmUri: 'https://westus.hsm1.managedhsm.azure.net',
  },
  // Not a vault: its name does not make a key "moving".
  { id: `${SUB}/Microsoft.Web/sites/app-own`, name: 'app-own', type: 'microsoft.web/sites' },
];

const MOVING_CASES: [string, InventoryResource, InventoryKind[]][] = [
  [
    "a storage account keyed in the subscription's vault (URI's host is its name)",
    resource('Microsoft.Storage/storageAccounts', {
      isHnsEnabled: true,
      keySource: 'Microsoft.Keyvault',
      keyVaultUri: 'https://KV-OWN.vault.azure.net',
    }),
    ['dataLakeGen2', 'customerKeyMoving'],
  ],
  [
    "a SQL server whose TDE protector is in the subscription's Managed HSM (URI's host)",
    resource('Microsoft.Sql/servers', {
      sqlKeyId: 'https://westus.hsm1.managedhsm.azure.net/keys/tde/0123',
    }),
    ['customerKeyMoving'],
  ],
  [
    "a disk encryption set whose active key's source vault is the subscription's",
    resource('Microsoft.Compute/diskEncryptionSets', {
      identityType: 'SystemAssigned',
      activeKeyUrl: 'https://kv-own.vault-int.azure-int.net/keys/k',
      activeKeyVaultId: `${SUB}/Microsoft.KeyVault/vaults/kv-own`,
    }),
    ['diskEncryptionSet', 'customerKeyMoving', 'systemIdentity'],
  ],
  [
    "a disk with Azure Disk Encryption whose key encryption key is in the subscription's vault",
    resource('Microsoft.Compute/disks', {
      adeEnabled: true,
      adeSettings: [
        {
          diskEncryptionKey: { sourceVault: { id: '/subscriptions/other/x/vaults/kv-other' } },
          keyEncryptionKey: { sourceVault: { id: `${SUB}/Microsoft.KeyVault/vaults/KV-OWN` } },
        },
      ],
    }),
    ['customerKeyMoving'],
  ],
  [
    "a disk encryption set whose key URL names no vault but whose source vault is the subscription's",
    resource('Microsoft.Compute/diskEncryptionSets', {
      activeKeyUrl: 'https://alias.vault.azure.net/keys/k',
      activeKeyVaultId: `${SUB}/Microsoft.KeyVault/vaults/kv-own`,
    }),
    ['diskEncryptionSet', 'customerKeyMoving'],
  ],
  [
    "a disk with Azure Disk Encryption whose disk encryption key is in the subscription's vault",
    resource('Microsoft.Compute/disks', {
      adeEnabled: true,
      adeSettings: [
        { diskEncryptionKey: { sourceVault: { id: `${SUB}/Microsoft.KeyVault/vaults/kv-own` } } },
      ],
    }),
    ['customerKeyMoving'],
  ],
  [
    'a SQL server keyed in a vault named like another resource of the subscription',
    resource('Microsoft.Sql/servers', {
      sqlKeyId: 'https://app-own.vault.azure.net/keys/tde/0123',
    }),
    ['customerKey'],
  ],
  [
    'a disk with Azure Disk Encryption whose vaults are all in other subscriptions',
    resource('Microsoft.Compute/disks', {
      adeEnabled: true,
      adeSettings: [
        { diskEncryptionKey: { sourceVault: { id: '/subscriptions/other/x/vaults/kv-own' } } },
      ],
    }),
    ['customerKey'],
  ],
  [
    "a storage account keyed in a vault whose name only starts like the subscription's",
    resource('Microsoft.Storage/storageAccounts', {
      keySource: 'Microsoft.Keyvault',
      keyVaultUri: 'https://kv-own2.vault.azure.net',
    }),
    ['storageFiles', 'customerKey'],
  ],
  [
    'a storage account keyed in a vault named by no valid URI',
    resource('Microsoft.Storage/storageAccounts', {
      keySource: 'Microsoft.Keyvault',
      keyVaultUri: 'kv-own',
    }),
    ['storageFiles', 'customerKey'],
  ],
];

it.each(MOVING_CASES)("with the subscription's vaults, classifies %s", (_what, r, kinds) => {
  expect(kindsOf(r, vaultIndexOf(OWN_VAULT_ROWS))).toEqual(kinds);
});

it("classifies a key in the subscription's vault as one that breaks, read from the same rows", () => {
  const inventory = classifyInventory(
    [
      {
        ...resource('Microsoft.KeyVault/vaults'),
        id: `${SUB}/Microsoft.KeyVault/vaults/kv-own`,
        name: 'kv-own',
      },
      {
        ...resource('Microsoft.Storage/storageAccounts', {
          keySource: 'Microsoft.Keyvault',
          keyVaultUri: 'https://kv-own.vault.azure.net',
        }),
        name: 'st-cmk',
      },
    ],
    [],
  );
  expect(inventory.groups.map((g) => [g.kind, g.severity, g.names])).toEqual([
    ['customerKeyMoving', 'breaks', ['st-cmk']],
    ['keyVault', 'breaks', ['kv-own']],
    ['storageFiles', 'check', ['st-cmk']],
  ]);
});

it('recognises every kind it declares, with a severity', () => {
  const seen = new Set([
    ...CASES.flatMap(([, , kinds]) => kinds),
    ...MOVING_CASES.flatMap(([, , kinds]) => kinds),
    'policy',
  ]);
  expect([...seen].sort()).toEqual([...INVENTORY_KINDS].sort());
  for (const kind of INVENTORY_KINDS)
    expect(['blocks', 'breaks', 'check']).toContain(KIND_SEVERITY[kind]);
  expect(KIND_SEVERITY.aks).toBe('blocks');
  expect(KIND_SEVERITY.keyVault).toBe('breaks');
  expect(KIND_SEVERITY.storageFiles).toBe('check');
  expect(KIND_SEVERITY.customerKeyMoving).toBe('breaks');
  expect(KIND_SEVERITY.customerKey).toBe('check');
});

it('groups by kind in severity order, counts all and keeps the first names only', () => {
  const vaults = Array.from({ length: 12 }, (_, i) => ({
    ...resource('Microsoft.KeyVault/vaults'),
    name: `kv-${String(11 - i).padStart(2, '0')}`,
  }));
  const inventory = classifyInventory(
    [
      ...vaults,
      resource('Microsoft.ContainerService/managedClusters'),
      resource('Microsoft.Storage/storageAccounts'),
    ],
    [{ id: 'p', name: 'allowed-locations', type: 'microsoft.authorization/policyassignments' }],
  );
  expect(inventory.total).toBe(14);
  expect(inventory.groups.map((g) => [g.kind, g.severity, g.count])).toEqual([
    ['aks', 'blocks', 1],
    ['keyVault', 'breaks', 12],
    ['policy', 'breaks', 1],
    ['storageFiles', 'check', 1],
  ]);
  expect(inventory.groups[1]!.names).toEqual(['kv-00', 'kv-01', 'kv-02', 'kv-03', 'kv-04']);
  expect(inventory.groups[1]!.names).toHaveLength(GROUP_NAMES_MAX);
  expect(groupsOf(inventory, 'breaks').map((g) => g.kind)).toEqual(['keyVault', 'policy']);
  expect(groupsOf(inventory, 'check').map((g) => g.kind)).toEqual(['storageFiles']);
});
