import { randomUUID } from 'node:crypto';
import { BUILT_IN_ROLES } from '../src/domain/roles';
import { DEFAULT_SEED, IDS, type Seed } from '../src/sandbox';

/**
 * Larger worlds for the benchmarks, built from the default seed: extra Contoso users (the Office
 * 365 side) and extra role assignments on Pay-As-You-Go held by extra Default Directory users.
 */
export function scaledSeed(options: { contosoUsers: number; assignments: number }): Seed {
  const seed = structuredClone(DEFAULT_SEED) as {
    -readonly [K in keyof Seed]: Seed[K] extends readonly (infer U)[] ? U[] : Seed[K];
  };
  const tenants = seed.tenants.map((t) => ({ ...t, users: [...t.users] }));
  const contoso = tenants.find((t) => t.id === IDS.tenants.contoso)!;
  for (let i = 0; i < options.contosoUsers; i++) {
    contoso.users.push({
      id: randomUUID(),
      accountId: `bench-o365-${i}`,
      displayName: `Bench User ${i}`,
      givenName: 'Bench',
      surname: `User ${i}`,
      userPrincipalName: `bench.user${i}@contoso.onmicrosoft.com`,
      mail: `bench.user${i}@contoso.onmicrosoft.com`,
      otherMails: [],
      userType: 'Member',
      jobTitle: null,
    });
  }
  const source = tenants.find((t) => t.id === IDS.tenants.defaultDirectory)!;
  const subscriptions = seed.subscriptions.map((s) => ({
    ...s,
    roleAssignments: [...s.roleAssignments],
  }));
  const payg = subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!;
  for (let i = 0; i < options.assignments; i++) {
    const id = randomUUID();
    source.users.push({
      id,
      accountId: `bench-guest-${i}`,
      displayName: `Guest ${i}`,
      givenName: 'Guest',
      surname: String(i),
      userPrincipalName: `guest${i}_example.com#EXT#@kelleywalloutlook.onmicrosoft.com`,
      mail: `guest${i}@example.com`,
      otherMails: [],
      userType: 'Guest',
      jobTitle: null,
    });
    payg.roleAssignments.push({
      name: randomUUID(),
      principalId: id,
      principalType: 'User',
      roleDefinitionId: i % 3 === 0 ? BUILT_IN_ROLES.Contributor : BUILT_IN_ROLES.Reader,
      scope: i % 2 === 0 ? '' : `/resourceGroups/rg-${i % 40}`,
    });
  }
  return { ...seed, tenants, subscriptions };
}

/** Resource types of the inventory benchmark, with the identity each one has. */
const INVENTORY_TYPES: readonly [string, string | undefined][] = [
  ['Microsoft.Compute/virtualMachines', 'SystemAssigned'],
  ['Microsoft.Network/networkInterfaces', undefined],
  ['Microsoft.Compute/disks', undefined],
  ['Microsoft.KeyVault/vaults', undefined],
  ['Microsoft.ManagedIdentity/userAssignedIdentities', undefined],
  ['Microsoft.Storage/storageAccounts', undefined],
  ['Microsoft.Web/sites', 'SystemAssigned, UserAssigned'],
  ['Microsoft.Network/virtualNetworks', undefined],
];

/**
 * `seed` with Pay-As-You-Go holding `count` resources of eight types (issue 17's inventory
 * benchmark): virtual machines and web apps with managed identities, storage accounts with and
 * without Data Lake Storage Gen2, key vaults, in 40 resource groups.
 */
export function withResources(seed: Seed, count: number): Seed {
  const subscriptions = seed.subscriptions.map((s) =>
    s.subscriptionId !== IDS.subscriptions.payAsYouGo
      ? s
      : {
          ...s,
          resources: Array.from({ length: count }, (_, i) => {
            const [type, identity] = INVENTORY_TYPES[i % INVENTORY_TYPES.length]!;
            return {
              name: `contoso-workload-${String(i).padStart(5, '0')}`,
              type,
              resourceGroup: `rg-${i % 40}`,
              location: 'westeurope',
              ...(identity ? { identity: { type: identity } } : {}),
              ...(type === 'Microsoft.Storage/storageAccounts'
                ? { properties: { isHnsEnabled: i % 2 === 0 } }
                : {}),
            };
          }),
        },
  );
  return { ...seed, subscriptions };
}
