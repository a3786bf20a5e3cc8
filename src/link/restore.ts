import pLimit from 'p-limit';
import type { CustomRoleDefinition, RoleGrant } from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import {
  planEntry,
  type RestoreAction,
  type RestorePlanEntry,
  type RestoreResult,
} from '../domain/restorePlan';
import { roleGuid, scopesWithinSubscription } from '../domain/roles';
import { asTenantlinkError } from '../errors';
import { GRANT_CONCURRENCY } from './access';
import type { BackedUpAssignment } from './impact';

/**
 * Carries access across the move (issue 9): after the directory change, the custom roles the move
 * deleted are created again with their GUIDs, and each removed role
 * assignment of the restore plan is re-created at its original scope with its original role, for
 * the same person's Office 365 account or for a guest invited now (Graph `POST /invitations`).
 * ARM's PrincipalNotFound while a new guest replicates is retried by the ARM client. Idempotent
 * and resumable: invitations return the existing guest, and role assignment names are
 * deterministic, so a second run re-creates only what is missing.
 */

export type { RestoreResult } from '../domain/restorePlan';

/** Outcome of re-creating one custom role. */
export interface CustomRoleResult {
  readonly id: string;
  readonly roleName: string;
  readonly outcome: 'created' | 'existing' | 'failed';
  readonly errorCode?: string;
}

/** What a restore did. */
export interface RestoreRun {
  /** One per plan entry, in plan order. */
  readonly assignments: RestoreResult[];
  /** One per backed-up custom role, re-created before the assignments that use them. */
  readonly customRoles: CustomRoleResult[];
}

/**
 * The plan entries of a change record: its compact plan joined with its backup.
 * @returns entries in backup order; assignments without a plan entry are left out
 */
export function planEntries(
  backup: readonly BackedUpAssignment[],
  plan: readonly { assignmentId: string; action: RestoreAction }[],
): RestorePlanEntry[] {
  const actions = new Map(plan.map((p) => [p.assignmentId, p.action]));
  return backup.flatMap((a) => {
    const action = actions.get(a.id);
    return action ? [planEntry(a, action)] : [];
  });
}

/** The grant that re-creates an entry's assignment for `principalId`. */
function grantFor(entry: RestorePlanEntry, principalId: string): RoleGrant {
  return {
    scope: entry.scope,
    principalId,
    principalType: 'User',
    role: { definitionGuid: roleGuid(entry.roleDefinitionId), name: entry.roleName },
  };
}

/**
 * Runs the plan: the custom roles first (same GUIDs), then invitations (one per address), then
 * the role assignments, at most {@link GRANT_CONCURRENCY} at a time. One failure does not stop the
 * others; an assignment of a custom role that could not be re-created fails with its code.
 * @param directory Graph of the Office 365 directory as its Global Administrator
 * @param target ARM as the Office 365 admin (Owner of the subscription after the move)
 * @param subscriptionId the moved subscription: custom roles are re-created there, with their
 *   assignable scopes trimmed to it ({@link scopesWithinSubscription}); a backed-up role with no
 *   scope in it (a management group's, in a change record written before issue 27) is left out
 * @param redirectUrl where invited guests land (the Azure portal of the directory)
 * @param customRoles the custom roles the move deleted (the change record's backup)
 * @param onProgress called after each plan entry with how many are done (of `entries.length`)
 */
export async function restoreAccess(
  directory: Office365DirectoryPort,
  target: AzureManagementPort,
  subscriptionId: string,
  entries: readonly RestorePlanEntry[],
  redirectUrl: string,
  customRoles: readonly CustomRoleDefinition[] = [],
  onProgress: (done: number) => void = () => undefined,
): Promise<RestoreRun> {
  const roles: CustomRoleResult[] = [];
  let done = 0;
  for (const backedUp of customRoles) {
    const assignableScopes = scopesWithinSubscription(backedUp.assignableScopes, subscriptionId);
    if (assignableScopes.length === 0) continue;
    const role = { ...backedUp, assignableScopes };
    try {
      const { created } = await target.putCustomRole(subscriptionId, role);
      roles.push({
        id: role.id,
        roleName: role.roleName,
        outcome: created ? 'created' : 'existing',
      });
    } catch (err) {
      const e = asTenantlinkError(err);
      roles.push({
        id: role.id,
        roleName: role.roleName,
        outcome: 'failed',
        errorCode: e.serviceCode ?? e.code,
      });
    }
  }
  const brokenRoles = new Map(
    roles.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.errorCode]),
  );
  const emails = [
    ...new Set(entries.flatMap((e) => (e.action.kind === 'invite' ? [e.action.email] : []))),
  ];
  const invited = new Map<string, { id?: string; errorCode?: string }>();
  const inviteLimit = pLimit(4);
  await Promise.all(
    emails.map((email) =>
      inviteLimit(async () => {
        try {
          invited.set(email, { id: (await directory.inviteGuest(email, redirectUrl)).id });
        } catch (err) {
          invited.set(email, { errorCode: asTenantlinkError(err).code });
        }
      }),
    ),
  );
  const limit = pLimit(GRANT_CONCURRENCY);
  const assignments = await Promise.all(
    entries.map((entry) =>
      limit(async (): Promise<RestoreResult> => {
        const result = await restoreOne(entry);
        onProgress(++done);
        return result;
      }),
    ),
  );
  return { assignments, customRoles: roles };

  /** One plan entry; a failure is a result, not an exception. */
  async function restoreOne(entry: RestorePlanEntry): Promise<RestoreResult> {
    const base = {
      assignmentId: entry.assignmentId,
      scope: entry.scope,
      roleName: entry.roleName,
      formerPrincipal: entry.formerPrincipal,
    };
    const action = entry.action;
    if (action.kind === 'skip') return { ...base, outcome: 'skipped', reason: action.reason };
    const roleError = brokenRoles.get(roleGuid(entry.roleDefinitionId));
    if (roleError !== undefined) return { ...base, outcome: 'failed', errorCode: roleError };
    const guest = action.kind === 'invite' ? invited.get(action.email) : undefined;
    if (guest?.errorCode) return { ...base, outcome: 'failed', errorCode: guest.errorCode };
    const principalId = action.kind === 'restore' ? action.principalId : guest!.id!;
    try {
      const { created, correlationId } = await target.grantRole(grantFor(entry, principalId));
      const given = action.kind === 'invite' ? 'invitedRestored' : 'restored';
      return { ...base, outcome: created ? given : 'existing', correlationId };
    } catch (err) {
      const e = asTenantlinkError(err);
      return {
        ...base,
        outcome: 'failed',
        errorCode: e.serviceCode ?? e.code,
        correlationId: e.correlationId,
      };
    }
  }
}
