import pLimit from 'p-limit';
import type { PlannedWrite, RoleGrant } from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import type { RestoreAction, RestorePlanEntry, SkipReason } from '../domain/restorePlan';
import { roleGuid } from '../domain/roles';
import { asTenantlinkError } from '../errors';
import { GRANT_CONCURRENCY } from './access';
import type { BackedUpAssignment } from './impact';

/**
 * Carries access across the move (issue 9): after the directory change, each removed role
 * assignment of the restore plan is re-created at its original scope with its original role, for
 * the same person's Office 365 account or for a guest invited now (Graph `POST /invitations`).
 * ARM's PrincipalNotFound while a new guest replicates is retried by the ARM client. Idempotent
 * and resumable: invitations return the existing guest, and role assignment names are
 * deterministic, so a second run re-creates only what is missing.
 */

/** Outcome of one removed assignment. */
export interface RestoreResult {
  readonly assignmentId: string;
  readonly scope: string;
  readonly roleName: string;
  readonly formerPrincipal: string;
  /**
   * `restored` (created now), `invitedRestored` (guest invited, then created), `existing` (already
   * there), `skipped` (not carried: `reason`), `failed` (`errorCode`).
   */
  readonly outcome: 'restored' | 'invitedRestored' | 'existing' | 'skipped' | 'failed';
  readonly reason?: SkipReason;
  readonly errorCode?: string;
  readonly correlationId?: string;
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
    return action
      ? [
          {
            assignmentId: a.id,
            scope: a.scope,
            roleDefinitionId: a.roleDefinitionId,
            roleName: a.roleName,
            principalType: a.principalType,
            formerPrincipal: a.principalName,
            action,
          },
        ]
      : [];
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
 * Runs the plan: invitations first (one per address), then the role assignments, at most
 * {@link GRANT_CONCURRENCY} at a time. One failure does not stop the others.
 * @param directory Graph of the Office 365 directory as its Global Administrator
 * @param target ARM as the Office 365 admin (Owner of the subscription after the move)
 * @param redirectUrl where invited guests land (the Azure portal of the directory)
 * @returns one result per entry, in plan order
 */
export async function restoreAccess(
  directory: Office365DirectoryPort,
  target: AzureManagementPort,
  entries: readonly RestorePlanEntry[],
  redirectUrl: string,
): Promise<RestoreResult[]> {
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
  return Promise.all(
    entries.map((entry) =>
      limit(async (): Promise<RestoreResult> => {
        const base = {
          assignmentId: entry.assignmentId,
          scope: entry.scope,
          roleName: entry.roleName,
          formerPrincipal: entry.formerPrincipal,
        };
        const action = entry.action;
        if (action.kind === 'skip') return { ...base, outcome: 'skipped', reason: action.reason };
        const guest = action.kind === 'invite' ? invited.get(action.email) : undefined;
        if (guest?.errorCode) return { ...base, outcome: 'failed', errorCode: guest.errorCode };
        const principalId = action.kind === 'restore' ? action.principalId : guest!.id!;
        try {
          const { created, correlationId } = await target.grantRole(grantFor(entry, principalId));
          const done = action.kind === 'invite' ? 'invitedRestored' : 'restored';
          return { ...base, outcome: created ? done : 'existing', correlationId };
        } catch (err) {
          const e = asTenantlinkError(err);
          return {
            ...base,
            outcome: 'failed',
            errorCode: e.serviceCode ?? e.code,
            correlationId: e.correlationId,
          };
        }
      }),
    ),
  );
}

/**
 * The writes {@link restoreAccess} makes, in order, without making them (dry run). An invited
 * guest's object id is known only once invited, so its assignment's path names the address.
 */
export function planRestoreWrites(
  directory: Office365DirectoryPort,
  target: AzureManagementPort,
  entries: readonly RestorePlanEntry[],
): PlannedWrite[] {
  const emails = [
    ...new Set(entries.flatMap((e) => (e.action.kind === 'invite' ? [e.action.email] : []))),
  ];
  const writes: PlannedWrite[] = emails.map((email) => directory.planInvite(email));
  for (const entry of entries) {
    const action = entry.action;
    if (action.kind === 'skip') continue;
    const principal = action.kind === 'restore' ? action.principalId : `(guest ${action.email})`;
    writes.push(target.planGrant(grantFor(entry, principal)));
  }
  return writes;
}
