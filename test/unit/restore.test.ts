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
  // One invitation per address, however many assignments it carries.
  expect(invited.sort()).toEqual(['blocked@example.com', 'ok@example.com']);
});
