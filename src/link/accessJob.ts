import type { DirectoryPerson, PlannedWrite } from '../domain/model';
import type { GrantableRole } from '../domain/roles';
import { grantAccess, testAccess, type GrantResult } from './access';
import type { FlowRef, LinkProcedure } from './procedure';
import type { RestoreRun } from './restore';
import { restoreAndRecord, restoreToRun, type RestoreChoice } from './restoreRecord';

/**
 * Step 3 of the seeds: give Office 365 accounts access to the subscription (RBAC roles replace the
 * retired co-administrators), give back what the move removed, and test it.
 */

/** The grant card's answer. */
export interface AccessStage extends FlowRef {
  readonly role: GrantableRole;
  /** The chosen Office 365 users' object ids. */
  readonly principalIds: readonly string[];
  /** Whether to give back the access the move removed. */
  readonly restore: boolean;
  /** Which restorable assignments stay chosen (absent: all). */
  readonly restoreChoice?: RestoreChoice;
  /** Where an invited guest lands (the portal, at the Office 365 directory). */
  readonly redirectUrl: string;
}

/** How far the access job got (shown on the grant card while it runs). */
export interface AccessProgress {
  readonly granted: number;
  readonly grantTotal: number;
  readonly restored: number;
  readonly restoreTotal: number;
}

/** What the access job reports (JSON-safe: it crosses the background boundary). */
export interface AccessJobResult {
  readonly grants: GrantResult[];
  readonly tested: { readonly user: DirectoryPerson; readonly ok: boolean }[];
  /** The restore's run, when the admin asked to give back the removed access. */
  readonly restore?: RestoreRun;
  /** Chosen ids that are not users of the Office 365 directory (left out). */
  readonly missing: number;
}

/**
 * What the access job reports when run on recording ports (src/link/dryRun.ts `recordAccessJob`):
 * nothing granted, restored or tested; the writes that would have been made instead (JSON-safe).
 */
export interface RecordedAccessResult {
  readonly kind: 'recorded';
  /** The grants as Azure would have answered them (a recorded write answers as on success). */
  readonly grants: GrantResult[];
  /** The grant's and restore's writes, in order. */
  readonly writes: PlannedWrite[];
  /** Chosen ids that are not users of the Office 365 directory (left out). */
  readonly missing: number;
}

/**
 * Looks the chosen accounts up in the Office 365 directory, grants the role (idempotent: an
 * assignment held already is `existing`), gives back the removed access when asked (idempotent:
 * deterministic names, invitations reused), tests it and records every outcome in the change
 * record. A restart or a lost instance runs it again (the background runner's lease).
 * @param userId the Teams user whose Office 365 sign-in (Owner after the move) writes
 * @param progress called as items complete
 * @throws TenantlinkError from Graph or ARM, or Error from storage
 */
export async function giveAccessJob(
  procedure: LinkProcedure,
  userId: string,
  stage: AccessStage,
  progress: (p: AccessProgress) => void = () => undefined,
): Promise<AccessJobResult> {
  const { flowId, subscriptionId, role, initiatorId: by } = stage;
  const directory = procedure.directory(userId, 'office365');
  const users = await directory.usersById([...stage.principalIds]);
  const target = procedure.azure(userId, 'office365');
  const work = await restoreToRun(
    { get: (id) => procedure.changeRecord(id) },
    flowId,
    stage.restore,
    stage.restoreChoice,
  );
  const counts = {
    granted: 0,
    grantTotal: users.length,
    restored: 0,
    restoreTotal: work.entries.length,
  };
  const grants = await grantAccess(target, subscriptionId, users, role, (done) => {
    counts.granted = done;
    progress({ ...counts });
  });
  const restore =
    work.entries.length + work.customRoles.length > 0
      ? await restoreAndRecord(
          procedure,
          directory,
          target,
          flowId,
          by,
          subscriptionId,
          stage.redirectUrl,
          work,
          (done) => {
            counts.restored = done;
            progress({ ...counts });
          },
        )
      : undefined;
  const tested = await testAccess(target, subscriptionId, users, role);
  await procedure.updateRecord(flowId, (r) => {
    r.status = 'accessGranted';
    r.audit = [
      ...r.audit,
      ...grants.map((g) => ({
        at: new Date().toISOString(),
        by,
        action: `roleAssignment:${g.role}`,
        target: g.user.id,
        outcome: g.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
        code: g.errorCode ?? (g.outcome === 'existing' ? 'RoleAssignmentExists' : undefined),
        correlationId: g.correlationId,
      })),
    ];
  });
  return {
    grants,
    tested,
    ...(restore ? { restore } : {}),
    missing: stage.principalIds.length - users.length,
  };
}
