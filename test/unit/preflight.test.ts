import type { SignedInAccount } from '../../src/auth/signIn';
import type { AzureSubscription, DirectoryPerson, RoleAssignment } from '../../src/domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../../src/domain/ports';
import { BUILT_IN_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';
import { ownedSubscriptions, runPreflight } from '../../src/link/preflight';

/**
 * The preflight on fake ports (the fast layer of the dialogs' before-you-begin tests): which
 * subscriptions the Azure admin owns (Owner at subscription scope, not below, not another role),
 * and the facts R1–R5 are evaluated on.
 */

const sub = (n: number): AzureSubscription => ({
  subscriptionId: `0000000${n}-0000-0000-0000-000000000000`,
  displayName: `Sub ${n}`,
  tenantId: 'source',
  state: 'Enabled',
});
const at = (scope: string, role: string, principalId = 'admin'): RoleAssignment => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
  name: 'x',
  scope,
  principalId,
  principalType: 'User',
  roleDefinitionId: `/subscriptions/any/providers/Microsoft.Authorization/roleDefinitions/${role}`,
  roleName: '',
});
const scopeOf = (s: AzureSubscription): string => `/subscriptions/${s.subscriptionId}`;

/** ARM where each subscription has the given assignments at its scope (filtered as ARM would not). */
function arm(
  subscriptions: AzureSubscription[],
  assignments: Record<string, RoleAssignment[]>,
  calls: unknown[] = [],
): AzureManagementPort {
  return {
    listSubscriptions: async () => subscriptions,
    listRoleAssignments: async (scope: string, filter: unknown) => {
      calls.push([scope, filter]);
      return assignments[scope] ?? [];
    },
  } as unknown as AzureManagementPort;
}

describe('ownedSubscriptions', () => {
  it('keeps the subscriptions where the admin is Owner at the subscription itself', async () => {
    const [s1, s2, s3, s4] = [sub(1), sub(2), sub(3), sub(4)];
    const calls: unknown[] = [];
    const owned = await ownedSubscriptions(
      arm(
        [s1, s2, s3, s4],
        {
          // Owner, scope spelled in another case: owned.
          [scopeOf(s1)]: [at(scopeOf(s1).toUpperCase(), BUILT_IN_ROLES.Owner.toUpperCase())],
          // Contributor only: not owned.
          [scopeOf(s2)]: [at(scopeOf(s2), BUILT_IN_ROLES.Contributor)],
          // Owner of a resource group only: not owned.
          [scopeOf(s3)]: [at(`${scopeOf(s3)}/resourceGroups/rg`, BUILT_IN_ROLES.Owner)],
          // Reader then Owner: owned.
          [scopeOf(s4)]: [
            at(scopeOf(s4), BUILT_IN_ROLES.Reader),
            at(scopeOf(s4), BUILT_IN_ROLES.Owner),
          ],
        },
        calls,
      ),
      'admin-oid',
    );
    expect(owned).toEqual([s1, s4]);
    expect(calls[0]).toEqual([scopeOf(s1), { atScope: true, assignedTo: 'admin-oid' }]);
    expect(calls).toHaveLength(4);
  });
});

describe('runPreflight', () => {
  const person = (id: string, mail: string): DirectoryPerson => ({
    id,
    displayName: id,
    userPrincipalName: mail,
    mail,
    otherMails: [],
  });
  const admin: SignedInAccount = {
    email: 'kelley@outlook.example',
    identityProvider: 'live.com',
    objectId: 'admin-oid',
  } as SignedInAccount;

  function office365(
    roles: string[],
    eligible: string[] | undefined,
    asked: { eligible: number; emails: string[] },
  ): Office365DirectoryPort {
    return {
      myDirectoryRoles: async () => roles.map((roleTemplateId) => ({ roleTemplateId })),
      myEligibleRoleTemplateIds: async () => {
        asked.eligible++;
        return eligible;
      },
      usersWithEmail: async (email: string) => {
        asked.emails.push(email);
        return [person('same', email)];
      },
      globalAdministrators: async () => [person('ga', 'ga@contoso.example')],
    } as unknown as Office365DirectoryPort;
  }

  it('evaluates R1–R5 on the facts gathered for the two accounts', async () => {
    const s1 = sub(1);
    const asked = { eligible: 0, emails: [] as string[] };
    const realms: string[] = [];
    const report = await runPreflight(
      office365(
        [DIRECTORY_ROLES.BillingAdministrator, DIRECTORY_ROLES.GlobalAdministrator],
        undefined,
        asked,
      ),
      arm([s1], { [scopeOf(s1)]: [at(scopeOf(s1), BUILT_IN_ROLES.Owner)] }),
      async (email) => {
        realms.push(email);
        return 'Managed';
      },
      admin,
    );
    expect(report.ownedSubscriptions).toEqual([s1]);
    const byRule = Object.fromEntries(report.results.map((r) => [r.rule, r]));
    expect(byRule.R1).toMatchObject({ passed: true, params: { count: 1, email: admin.email } });
    expect(byRule.R2).toMatchObject({ passed: true, params: { eligible: 'no' } });
    // An Office 365 user has the admin's email.
    expect(byRule.R3).toMatchObject({ passed: false, params: { name: 'same' } });
    expect(byRule.R4?.passed).toBe(true);
    // A Microsoft account whose email's domain is a work-account realm.
    expect(byRule.R5?.passed).toBe(false);
    expect(asked).toEqual({ eligible: 0, emails: [admin.email] });
    expect(realms).toEqual([admin.email]);
  });

  it('asks PIM only when the Office 365 admin lacks the active role, and tells R2 what it found', async () => {
    const asked = { eligible: 0, emails: [] as string[] };
    const report = await runPreflight(
      office365(
        [DIRECTORY_ROLES.BillingAdministrator],
        [DIRECTORY_ROLES.GlobalAdministrator],
        asked,
      ),
      arm([], {}),
      async () => 'Unknown',
      { ...admin, identityProvider: undefined } as SignedInAccount,
    );
    const byRule = Object.fromEntries(report.results.map((r) => [r.rule, r]));
    expect(asked.eligible).toBe(1);
    expect(byRule.R1).toMatchObject({ passed: false, params: { count: 0 } });
    expect(byRule.R2).toMatchObject({ passed: false, params: { eligible: 'yes' } });
    expect(byRule.R5?.passed).toBe(true);
  });
});
