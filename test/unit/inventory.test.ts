import {
  GROUP_NAMES_MAX,
  INVENTORY_KINDS,
  KIND_SEVERITY,
  classifyInventory,
  kindsOf,
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
  ['a virtual network', resource('Microsoft.Network/virtualNetworks'), []],
];

it.each(CASES)('classifies %s', (_what, r, kinds) => {
  expect(kindsOf(r)).toEqual(kinds);
});

it('recognises every kind it declares, with a severity', () => {
  const seen = new Set([...CASES.flatMap(([, , kinds]) => kinds), 'policy']);
  expect([...seen].sort()).toEqual([...INVENTORY_KINDS].sort());
  for (const kind of INVENTORY_KINDS)
    expect(['blocks', 'breaks', 'check']).toContain(KIND_SEVERITY[kind]);
  expect(KIND_SEVERITY.aks).toBe('blocks');
  expect(KIND_SEVERITY.keyVault).toBe('breaks');
  expect(KIND_SEVERITY.storageFiles).toBe('check');
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
});
