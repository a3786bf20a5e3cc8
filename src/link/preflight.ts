import type { AzureSubscription } from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import { BUILT_IN_ROLES, roleGuid } from '../domain/roles';
import { evaluateRules, type RuleResult } from '../domain/rules';
import type { SignedInAccount } from '../auth/signIn';
import { DIRECTORY_ROLES } from '../domain/roles';

/**
 * Step "before you begin": gathers the facts for R1–R5 from Graph (Office 365 admin's token), ARM
 * (Azure admin's token) and the user-realm lookup, then evaluates the rules. Graph lookups go in
 * one `$batch` (users by email) plus one role-assignment query, so the call count does not grow
 * with the number of users.
 */

/** Result of the preflight: each rule and the subscriptions the Azure admin owns. */
export interface PreflightReport {
  readonly results: RuleResult[];
  /** Subscriptions where the Azure admin holds Owner at subscription scope (R1). */
  readonly ownedSubscriptions: AzureSubscription[];
}

/**
 * Subscriptions on which `objectId` is Owner at subscription scope.
 * @param azure ARM as the Azure admin
 * @param objectId the Azure admin's object id in the token's directory
 */
export async function ownedSubscriptions(
  azure: AzureManagementPort,
  objectId: string,
): Promise<AzureSubscription[]> {
  const subscriptions = await azure.listSubscriptions();
  const owned: AzureSubscription[] = [];
  for (const s of subscriptions) {
    const scope = `/subscriptions/${s.subscriptionId}`;
    const assignments = await azure.listRoleAssignments(scope, {
      atScope: true,
      assignedTo: objectId,
    });
    if (
      assignments.some(
        (a) =>
          roleGuid(a.roleDefinitionId) === BUILT_IN_ROLES.Owner &&
          a.scope.toLowerCase() === scope.toLowerCase(),
      )
    ) {
      owned.push(s);
    }
  }
  return owned;
}

/**
 * Runs the preflight.
 * @param office365 Graph as the Office 365 admin
 * @param azure ARM as the Azure admin
 * @param userRealm realm lookup for R5
 * @param azureAdmin who signed in to Azure (claims)
 * @throws TenantlinkError from any client
 */
export async function runPreflight(
  office365: Office365DirectoryPort,
  azure: AzureManagementPort,
  userRealm: (email: string) => Promise<'Managed' | 'Federated' | 'Unknown'>,
  azureAdmin: SignedInAccount,
): Promise<PreflightReport> {
  const [roles, sameEmail, globalAdmins, realm, owned] = await Promise.all([
    office365.myDirectoryRoles(),
    office365.usersWithEmail(azureAdmin.email),
    office365.globalAdministrators(),
    userRealm(azureAdmin.email),
    ownedSubscriptions(azure, azureAdmin.objectId),
  ]);
  // Only an account without the active role is asked whether PIM could give it (rule R2's fix).
  const eligible = roles.some((r) => r.roleTemplateId === DIRECTORY_ROLES.GlobalAdministrator)
    ? []
    : await office365.myEligibleRoleTemplateIds();
  const results = evaluateRules({
    azureAdmin: {
      email: azureAdmin.email,
      identityProvider: azureAdmin.identityProvider,
      ownedSubscriptions: owned.map((s) => s.displayName),
    },
    office365AdminRoleTemplateIds: roles.map((r) => r.roleTemplateId),
    office365AdminEligibleRoleTemplateIds: eligible,
    office365UsersWithAdminEmail: sameEmail,
    office365GlobalAdmins: globalAdmins,
    emailRealm: realm,
  });
  return { results, ownedSubscriptions: owned };
}
