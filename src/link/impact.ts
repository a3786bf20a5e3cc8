import type {
  BackedUpAssignment,
  CustomRoleDefinition,
  DirectoryPerson,
  RoleAssignment,
} from '../domain/model';
import { isInheritedScope, isSubscriptionCustomRole, roleGuid } from '../domain/roles';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';

/**
 * Step "review who loses access": moving a subscription to another directory deletes all of its
 * role assignments, at every scope, and its custom roles
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription). This lists
 * them, with principal names where the source directory can tell them, as the backup that the
 * change record keeps. Assignments inherited from a management group or the root are listed apart:
 * they are not the subscription's to delete or to re-create. So are custom roles defined above the
 * subscription (RoleDefinitions_List returns those "applicable at scope and above"): only those whose
 * assignable scopes are all in the subscription are backed up ({@link isSubscriptionCustomRole}).
 */

export type { BackedUpAssignment } from '../domain/model';

/** What the move removes. */
export interface ImpactReport {
  /** The assignments at the subscription or below it: the move deletes them (backed up, restorable). */
  readonly assignments: BackedUpAssignment[];
  /**
   * The assignments inherited from a management group or the root: not deleted where they are,
   * but no longer applying after the move, and not re-creatable at their scope (never restored).
   */
  readonly inherited: BackedUpAssignment[];
  /** Count per principal type (User, Group, ServicePrincipal). */
  readonly byPrincipalType: Record<string, number>;
  /** Count per role name. */
  readonly byRole: Record<string, number>;
  /** The users of the old directory that hold the assignments, as it could read them (for the restore plan). */
  readonly formerUsers: DirectoryPerson[];
  /**
   * The subscription's own custom role definitions (every assignable scope in it), which the move
   * deletes (backed up, re-created by the restore); roles defined at a management group are not.
   */
  readonly customRoles: CustomRoleDefinition[];
}

/**
 * Lists the role assignments the move removes and names their principals.
 * @param azure ARM as the Azure admin
 * @param sourceDirectory Graph of the subscription's current directory, when a token for it is
 *   available; names fall back to object ids when it is not or refuses
 * @param subscriptionId the subscription to move
 */
export async function reviewImpact(
  azure: AzureManagementPort,
  sourceDirectory: Office365DirectoryPort | undefined,
  subscriptionId: string,
): Promise<ImpactReport> {
  const [listed, applicableRoles] = await Promise.all([
    azure.listRoleAssignments(`/subscriptions/${subscriptionId}`),
    azure.listCustomRoles(subscriptionId),
  ]);
  const assignments = listed.filter((a) => !isInheritedScope(a.scope, subscriptionId));
  // Every listed custom role names assignments; only the subscription's own are backed up.
  const customNames = new Map(applicableRoles.map((r) => [r.id, r.roleName]));
  const customRoles = applicableRoles.filter((r) => isSubscriptionCustomRole(r, subscriptionId));
  const userIds = [
    ...new Set(listed.filter((a) => a.principalType === 'User').map((a) => a.principalId)),
  ];
  let people: DirectoryPerson[] = [];
  if (sourceDirectory && userIds.length > 0) {
    people = await sourceDirectory.usersById(userIds).catch(() => []);
  }
  const names = new Map(people.map((p) => [p.id, p.mail ?? p.displayName]));
  const named = (a: RoleAssignment): BackedUpAssignment => ({
    ...a,
    roleName: customNames.get(roleGuid(a.roleDefinitionId)) ?? a.roleName,
    principalName: names.get(a.principalId) ?? a.principalId,
  });
  const backedUp = assignments.map(named);
  const count = (key: (a: RoleAssignment) => string): Record<string, number> =>
    backedUp.reduce<Record<string, number>>(
      (acc, a) => ({ ...acc, [key(a)]: (acc[key(a)] ?? 0) + 1 }),
      {},
    );
  return {
    assignments: backedUp,
    inherited: listed.filter((a) => isInheritedScope(a.scope, subscriptionId)).map(named),
    byPrincipalType: count((a) => a.principalType),
    byRole: count((a) => a.roleName),
    formerUsers: people,
    customRoles,
  };
}
