import pLimit from 'p-limit';
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

/** How many role assignments are written at once (ARM allows far more; this keeps 429s rare). */
export const GRANT_CONCURRENCY = 8;

/**
 * Grants `role` at subscription scope to each user, at most {@link GRANT_CONCURRENCY} at a time;
 * a failure of one grant does not stop the others. Re-granting is idempotent (deterministic
 * assignment names; 409 RoleAssignmentExists counts as held).
 * @param target ARM as the destination (Office 365) admin, Owner after the move
 * @param onProgress called after each grant with how many are done (of `users.length`)
 * @returns one result per user, in the order of `users`
 */
export async function grantAccess(
  target: AzureManagementPort,
  subscriptionId: string,
  users: readonly DirectoryPerson[],
  role: GrantableRole,
  onProgress: (done: number) => void = () => undefined,
): Promise<GrantResult[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  const limit = pLimit(GRANT_CONCURRENCY);
  let done = 0;
  const counted = async (grant: Promise<GrantResult>): Promise<GrantResult> => {
    const result = await grant;
    onProgress(++done);
    return result;
  };
  return Promise.all(
    users.map((user) =>
      limit(async (): Promise<GrantResult> => counted(grantOne(target, scope, user, role))),
    ),
  );
}

/** One grant; a failure is a result, not an exception. */
async function grantOne(
  target: AzureManagementPort,
  scope: string,
  user: DirectoryPerson,
  role: GrantableRole,
): Promise<GrantResult> {
  try {
    const { created, correlationId } = await target.grantRole({
      scope,
      principalId: user.id,
      principalType: 'User',
      role,
    });
    return { user, role, outcome: created ? 'granted' : 'existing', correlationId };
  } catch (err) {
    const e = asTenantlinkError(err);
    return {
      user,
      role,
      outcome: 'failed',
      errorCode: e.code,
      correlationId: e.correlationId,
    };
  }
}

/**
 * Tests access: each user's role is listed among the role assignments at the subscription scope
 * (one paged list for all users, not a call per user).
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
  const assignments = await target.listRoleAssignments(scope, { atScope: true });
  const holders = new Set(
    assignments
      .filter(
        (a) =>
          roleGuid(a.roleDefinitionId) === BUILT_IN_ROLES[role] &&
          a.scope.toLowerCase() === scope.toLowerCase(),
      )
      .map((a) => a.principalId.toLowerCase()),
  );
  return users.map((user) => ({ user, ok: holders.has(user.id.toLowerCase()) }));
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
