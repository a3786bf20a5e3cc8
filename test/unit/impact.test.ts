import type { CustomRoleDefinition, DirectoryPerson, RoleAssignment } from '../../src/domain/model';
import type {
  AzureManagementPort,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../../src/domain/ports';
import { TenantlinkError } from '../../src/errors';
import { reviewImpact } from '../../src/link/impact';
import { takeInventory } from '../../src/link/inventory';

/**
 * The impact review on fake ports (the fast layer of test/dialogs' impact cards): what the move
 * removes (the subscription's assignments, named), what it leaves behind (inherited ones), the
 * counts the card shows, and the old directory's users kept for the restore plan.
 */

const SUB = '7d3b6c11-0000-4000-8000-000000000001';
const SCOPE = `/subscriptions/${SUB}`;
const CUSTOM_GUID = 'c0ffee00-0000-4000-8000-000000000001';
const defId = (guid: string): string =>
  `${SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const assignment = (
  n: number,
  principalType: string,
  principalId: string,
  roleName: string,
  scope = SCOPE,
  guid = `role-${roleName}`,
): RoleAssignment => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/a${n}`,
  name: `a${n}`,
  scope,
  principalId,
  principalType,
  roleDefinitionId: defId(guid),
  roleName,
});
const customRole: CustomRoleDefinition = {
  id: CUSTOM_GUID,
  roleName: 'Backup Operator',
  description: '',
  assignableScopes: [SCOPE],
  permissions: [],
};
const person = (id: string, mail: string | null, displayName = id): DirectoryPerson => ({
  id,
  displayName,
  userPrincipalName: `${id}@old.example`,
  mail,
  otherMails: [],
});

const listed = [
  assignment(1, 'User', 'u1', 'Owner'),
  assignment(2, 'User', 'u2', 'Reader', `${SCOPE}/resourceGroups/rg`),
  assignment(3, 'Group', 'g1', 'Reader'),
  assignment(4, 'User', 'u1', '', SCOPE, CUSTOM_GUID),
  assignment(5, 'User', 'u3', 'Owner', '/providers/Microsoft.Management/managementGroups/mg'),
];

function arm(calls: string[] = []): AzureManagementPort {
  return {
    listRoleAssignments: async (scope: string) => {
      calls.push(`assignments ${scope}`);
      return listed;
    },
    listCustomRoles: async (id: string) => {
      calls.push(`roles ${id}`);
      return [customRole];
    },
  } as unknown as AzureManagementPort;
}

it('backs up the assignments at the subscription and below, named, and lists inherited ones apart', async () => {
  const asked: string[][] = [];
  const directory = {
    usersById: async (ids: readonly string[]) => {
      asked.push([...ids]);
      return [person('u1', 'u1@old.example'), person('u2', null, 'User Two')];
    },
  } as unknown as Office365DirectoryPort;
  const calls: string[] = [];
  const report = await reviewImpact(arm(calls), directory, SUB);
  expect(calls.sort()).toEqual([`assignments ${SCOPE}`, `roles ${SUB}`]);
  // One lookup of the distinct users of every listed assignment (inherited ones too).
  expect(asked).toEqual([['u1', 'u2', 'u3']]);
  expect(report.assignments.map((a) => [a.name, a.principalName, a.roleName])).toEqual([
    ['a1', 'u1@old.example', 'Owner'],
    ['a2', 'User Two', 'Reader'],
    ['a3', 'g1', 'Reader'],
    ['a4', 'u1@old.example', 'Backup Operator'],
  ]);
  expect(report.inherited.map((a) => [a.name, a.principalName])).toEqual([['a5', 'u3']]);
  expect(report.byPrincipalType).toEqual({ User: 3, Group: 1 });
  expect(report.byRole).toEqual({ Owner: 1, Reader: 2, 'Backup Operator': 1 });
  expect(report.formerUsers.map((p) => p.id)).toEqual(['u1', 'u2']);
  expect(report.customRoles).toEqual([customRole]);
});

it('names principals by object id when the old directory refuses, or cannot be read', async () => {
  const refusing = {
    usersById: async () => {
      throw new TenantlinkError('cloudForbidden');
    },
  } as unknown as Office365DirectoryPort;
  for (const directory of [refusing, undefined]) {
    const report = await reviewImpact(arm(), directory, SUB);
    expect(report.assignments.map((a) => a.principalName)).toEqual(['u1', 'u2', 'g1', 'u1']);
    expect(report.formerUsers).toEqual([]);
  }
});

it('does not ask the old directory when no user holds an assignment', async () => {
  const directory = {
    usersById: jest.fn(async () => []),
  } as unknown as Office365DirectoryPort;
  const azure = {
    listRoleAssignments: async () => [assignment(1, 'ServicePrincipal', 'sp', 'Contributor')],
    listCustomRoles: async () => [],
  } as unknown as AzureManagementPort;
  const report = await reviewImpact(azure, directory, SUB);
  expect(directory.usersById).not.toHaveBeenCalled();
  expect(report.byPrincipalType).toEqual({ ServicePrincipal: 1 });
  expect(report.byRole).toEqual({ Contributor: 1 });
  expect(report.inherited).toEqual([]);
  expect(report.customRoles).toEqual([]);
});

it("backs up only the subscription's own custom roles, and names assignments of any listed one", async () => {
  // RoleDefinitions_List at the subscription returns the custom roles applicable there, defined
  // above it too (https://learn.microsoft.com/rest/api/authorization/role-definitions/list).
  const above: CustomRoleDefinition = {
    ...customRole,
    id: 'c0ffee00-0000-4000-8000-000000000002',
    roleName: 'Group Auditor',
    assignableScopes: ['/providers/Microsoft.Management/managementGroups/mg'],
  };
  const both: CustomRoleDefinition = {
    ...customRole,
    id: 'c0ffee00-0000-4000-8000-000000000003',
    roleName: 'Shared Operator',
    assignableScopes: [SCOPE, '/subscriptions/another'],
  };
  const azure = {
    listRoleAssignments: async () => [
      assignment(1, 'User', 'u1', '', SCOPE, above.id),
      assignment(2, 'User', 'u1', '', SCOPE, CUSTOM_GUID),
    ],
    listCustomRoles: async () => [above, customRole, both],
  } as unknown as AzureManagementPort;
  const report = await reviewImpact(azure, undefined, SUB);
  expect(report.customRoles).toEqual([customRole]);
  expect(report.assignments.map((a) => a.roleName)).toEqual(['Group Auditor', 'Backup Operator']);
});

describe('takeInventory', () => {
  it("classifies the subscription's resources and policy objects as Resource Graph lists them", async () => {
    const asked: string[] = [];
    const port = {
      resources: async (id: string) => {
        asked.push(`resources ${id}`);
        return [{ id: '/x/aks', name: 'aks', type: 'microsoft.containerservice/managedclusters' }];
      },
      policies: async (id: string) => {
        asked.push(`policies ${id}`);
        return [{ id: '/x/p', name: 'p', type: 'microsoft.authorization/policyassignments' }];
      },
    } as unknown as ResourceInventoryPort;
    const inventory = await takeInventory(port, SUB);
    expect(asked.sort()).toEqual([`policies ${SUB}`, `resources ${SUB}`]);
    expect(inventory.total).toBe(1);
    expect(inventory.groups.map((g) => [g.kind, g.count, g.names])).toEqual([
      ['aks', 1, ['aks']],
      ['policy', 1, ['p']],
    ]);
  });
});
