import type { AzureManagementPort, Office365DirectoryPort } from '../../src/domain/ports';
import type { RestorePlanEntry } from '../../src/domain/restorePlan';
import { TenantlinkError } from '../../src/errors';
import { restoreAccess } from '../../src/link/restore';

/** The restore's failure handling, with the two ports mocked: one failure stops nothing else. */

const SUB = '/subscriptions/s1';
const entry = (n: number, action: RestorePlanEntry['action']): RestorePlanEntry => ({
  assignmentId: `a${n}`,
  scope: SUB,
  roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
  roleName: 'Reader',
  principalType: 'User',
  formerPrincipal: `p${n}`,
  action,
});

it('reports a refused invitation and a refused assignment as failed, and does the rest', async () => {
  const invited: string[] = [];
  const directory = {
    inviteGuest: jest.fn(async (email: string) => {
      invited.push(email);
      if (email === 'blocked@example.com')
        throw new TenantlinkError('cloudForbidden', { detail: 'external collaboration off' });
      return {
        id: `guest-${email}`,
        displayName: email,
        userPrincipalName: email,
        mail: email,
        otherMails: [],
      };
    }),
  } as unknown as Office365DirectoryPort;
  const azure = {
    grantRole: jest.fn(async (grant: { principalId: string }) => {
      if (grant.principalId === 'broken')
        throw new TenantlinkError('cloudConflict', { serviceCode: 'RoleAssignmentLimitExceeded' });
      return { assignment: {}, created: true };
    }),
  } as unknown as AzureManagementPort;
  const { assignments: results } = await restoreAccess(
    directory,
    azure,
    '00000000-0000-0000-0000-000000000001',
    [
      entry(1, { kind: 'invite', email: 'blocked@example.com' }),
      entry(2, { kind: 'invite', email: 'ok@example.com' }),
      entry(3, { kind: 'invite', email: 'ok@example.com' }),
      entry(4, { kind: 'restore', principalId: 'broken', principalName: 'x' }),
      entry(5, { kind: 'restore', principalId: 'fine', principalName: 'y' }),
      entry(6, { kind: 'skip', reason: 'group' }),
    ],
    'https://portal.azure.com',
  );
  expect(results.map((r) => [r.outcome, r.errorCode ?? r.reason ?? ''])).toEqual([
    ['failed', 'TL-CLOUD-FORBIDDEN'],
    ['invitedRestored', ''],
    ['invitedRestored', ''],
    ['failed', 'RoleAssignmentLimitExceeded'],
    ['restored', ''],
    ['skipped', 'group'],
  ]);
  // One invitation per address, however many assignments it carries; none for the others.
  expect(invited.sort()).toStrictEqual(['blocked@example.com', 'ok@example.com']);
  // An invited guest is granted under its new id, a restored account under its own.
  const granted = jest.mocked(azure.grantRole).mock.calls.map(([g]) => g.principalId);
  expect(granted.sort()).toEqual([
    'broken',
    'fine',
    'guest-ok@example.com',
    'guest-ok@example.com',
  ]);
});

it('re-creates the custom roles first; an assignment of one that failed fails with its code, the others are granted as users', async () => {
  const S = '00000000-0000-0000-0000-000000000001';
  const role = (guid: string, name: string, scopes = [`/subscriptions/${S}`]) => ({
    id: guid,
    roleName: name,
    description: name,
    permissions: [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }],
    assignableScopes: scopes,
  });
  const MG = '/providers/Microsoft.Management/managementGroups/mg';
  const put: string[] = [];
  const granted: unknown[] = [];
  const azure = {
    putCustomRole: jest.fn(async (_s: string, r: { id: string }) => {
      put.push(r.id);
      if (r.id === 'bbbbbbbb-0000-0000-0000-000000000002')
        throw new TenantlinkError('cloudConflict', { serviceCode: 'RoleDefinitionLimitExceeded' });
      return { created: r.id === 'aaaaaaaa-0000-0000-0000-000000000001' };
    }),
    grantRole: jest.fn(async (grant: unknown) => {
      granted.push(grant);
      return { assignment: {}, created: true };
    }),
  } as unknown as AzureManagementPort;
  const ofRole = (n: number, guid: string): RestorePlanEntry => ({
    ...entry(n, { kind: 'restore', principalId: `new-${n}`, principalName: `p${n}` }),
    roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    roleName: `role ${n}`,
  });
  const run = await restoreAccess(
    {} as Office365DirectoryPort,
    azure,
    S,
    [
      ofRole(1, 'aaaaaaaa-0000-0000-0000-000000000001'),
      ofRole(2, 'BBBBBBBB-0000-0000-0000-000000000002'),
      ofRole(3, 'cccccccc-0000-0000-0000-000000000003'),
    ],
    'https://portal.azure.com',
    [
      role('aaaaaaaa-0000-0000-0000-000000000001', 'Deployer'),
      role('bbbbbbbb-0000-0000-0000-000000000002', 'Operator'),
      role('cccccccc-0000-0000-0000-000000000003', 'Reader+'),
      role('dddddddd-0000-0000-0000-000000000004', 'Platform', [MG]),
    ],
  );
  expect(put).toEqual([
    'aaaaaaaa-0000-0000-0000-000000000001',
    'bbbbbbbb-0000-0000-0000-000000000002',
    'cccccccc-0000-0000-0000-000000000003',
  ]);
  expect(run.customRoles).toEqual([
    { id: 'aaaaaaaa-0000-0000-0000-000000000001', roleName: 'Deployer', outcome: 'created' },
    {
      id: 'bbbbbbbb-0000-0000-0000-000000000002',
      roleName: 'Operator',
      outcome: 'failed',
      errorCode: 'RoleDefinitionLimitExceeded',
    },
    { id: 'cccccccc-0000-0000-0000-000000000003', roleName: 'Reader+', outcome: 'existing' },
  ]);
  expect(run.assignments.map((r) => [r.assignmentId, r.outcome, r.errorCode])).toEqual([
    ['a1', 'restored', undefined],
    ['a2', 'failed', 'RoleDefinitionLimitExceeded'],
    ['a3', 'restored', undefined],
  ]);
  expect(granted).toEqual([
    {
      scope: SUB,
      principalId: 'new-1',
      principalType: 'User',
      role: { definitionGuid: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'role 1' },
    },
    {
      scope: SUB,
      principalId: 'new-3',
      principalType: 'User',
      role: { definitionGuid: 'cccccccc-0000-0000-0000-000000000003', name: 'role 3' },
    },
  ]);
});
