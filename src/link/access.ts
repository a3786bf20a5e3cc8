import type { DirectoryPerson } from '../domain/model';
import type { AzureManagementPort } from '../domain/ports';
import { BUILT_IN_ROLES, type GrantableRole, roleGuid } from '../domain/roles';
import { TenantlinkError, asTenantlinkError } from '../errors';

/**
 * Step 3 of the seeds: give Office 365 organisation accounts access to the subscription (then
 * co-administrators; now an RBAC role assignment: Owner, Contributor or Reader at subscription
 * scope) and test that they can reach it. Grants are idempotent (deterministic names, 409 is
 * success) and reported per user.
 */

/** Outcome of one grant. */
export interface GrantResult {
  readonly user: DirectoryPerson;
  readonly role: GrantableRole;
  /** `granted` (created now), `existing` (already held) or `failed`. */
  readonly outcome: 'granted' | 'existing' | 'failed';
  readonly errorCode?: string;
  /** ARM's correlation id of the grant (or of its failure). */
  readonly correlationId?: string;
}

/**
 * Grants `role` at subscription scope to each user, one after another.
 * @param target ARM as the destination (Office 365) admin, Owner after the move
 */
export async function grantAccess(
  target: AzureManagementPort,
  subscriptionId: string,
  users: readonly DirectoryPerson[],
  role: GrantableRole,
): Promise<GrantResult[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  const results: GrantResult[] = [];
  for (const user of users) {
    try {
      const { created, correlationId } = await target.grantRole({
        scope,
        principalId: user.id,
        principalType: 'User',
        role,
      });
      results.push({ user, role, outcome: created ? 'granted' : 'existing', correlationId });
    } catch (err) {
      const e = asTenantlinkError(err);
      results.push({
        user,
        role,
        outcome: 'failed',
        errorCode: e.code,
        correlationId: e.correlationId,
      });
    }
  }
  return results;
}

/**
 * Tests access: each user's role assignment is listed at the subscription scope.
 * @returns per user whether the role is there
 * @throws TenantlinkError when ARM cannot be read
 */
export async function testAccess(
  target: AzureManagementPort,
  subscriptionId: string,
  users: readonly DirectoryPerson[],
  role: GrantableRole,
): Promise<{ user: DirectoryPerson; ok: boolean }[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  const out: { user: DirectoryPerson; ok: boolean }[] = [];
  for (const user of users) {
    const assignments = await target.listRoleAssignments(scope, { assignedTo: user.id });
    out.push({
      user,
      ok: assignments.some(
        (a) =>
          roleGuid(a.roleDefinitionId) === BUILT_IN_ROLES[role] &&
          a.scope.toLowerCase() === scope.toLowerCase(),
      ),
    });
  }
  return out;
}

/** Throws when any grant failed (used to stop before claiming success). */
export function assertAllGranted(results: readonly GrantResult[]): void {
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) {
    throw new TenantlinkError('cloudBadRequest', {
      detail: `grants failed: ${failed.map((f) => f.errorCode).join(',')}`,
    });
  }
}
