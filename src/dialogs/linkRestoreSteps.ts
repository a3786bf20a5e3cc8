import { RESTORE_CHOICE_LIMIT } from '../cards/render';
import type { CustomRoleDefinition } from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import type { RestorePlanEntry } from '../domain/restorePlan';
import { planEntries, restoreAccess, type RestoreRun } from '../link/restore';
import type { LinkStepKit } from './linkSteps';
import { restoreKey } from './restoreCards';

/**
 * The restore part of step 3 (issue 9): the flow's restore plan from its change record, the
 * admin's choice on the grant card, and the restore itself with its report, audit and record.
 */

/** A restore to run: plan entries and the custom roles to create again. */
export interface RestoreWork {
  readonly entries: RestorePlanEntry[];
  readonly customRoles: CustomRoleDefinition[];
}

/** The flow's restore plan (from its change record): its entries and the custom roles to re-create. */
export async function restoreEntries(kit: LinkStepKit, flowId: string): Promise<RestoreWork> {
  const record = await kit.deps.changes.get(flowId);
  return {
    entries: record?.restorePlan ? planEntries(record.backup, record.restorePlan) : [],
    customRoles: record?.customRoles ?? [],
  };
}

/**
 * The admin's choice on the grant card: the listed restorable assignments left unchecked become
 * `skipped` (not chosen); those beyond the list follow the toggle. No `restoreIds` at all (a
 * client that sent only the toggle) keeps every one.
 */
export function chosenRestore(restore: RestoreWork, restoreIds: string | undefined): RestoreWork {
  if (restoreIds === undefined) return restore;
  const keep = new Set(restoreIds.split(',').filter((v) => v !== ''));
  let i = 0;
  const entries = restore.entries.map((e): RestorePlanEntry => {
    if (e.action.kind === 'skip') return e;
    const index = i++;
    if (index >= RESTORE_CHOICE_LIMIT || keep.has(restoreKey(index))) return e;
    return { ...e, action: { kind: 'skip', reason: 'notChosen' } };
  });
  return { ...restore, entries };
}

/**
 * Gives back the access the move removed (restore plan) and records every outcome in the change
 * record (audit and report). Runs in the access job, after the card click was answered.
 * @param by the initiator's Teams user id (the audit's `by`)
 * @param redirectUrl where an invited guest lands (the portal, at the Office 365 directory)
 * @param onProgress called after each plan entry with how many are done
 * @returns the run, for the report card
 */
export async function restoreAndRecord(
  kit: LinkStepKit,
  directory: Office365DirectoryPort,
  target: AzureManagementPort,
  flowId: string,
  by: string,
  redirectUrl: string,
  restore: RestoreWork,
  onProgress?: (done: number) => void,
): Promise<RestoreRun> {
  const run = await restoreAccess(
    directory,
    target,
    restore.entries,
    redirectUrl,
    restore.customRoles,
    onProgress,
  );
  const results = run.assignments;
  await kit.deps.changes.update(flowId, (r) => {
    r.restoreReport = results.map(
      ({ assignmentId, outcome, reason, errorCode, correlationId }) => ({
        assignmentId,
        outcome,
        ...(reason ? { reason } : {}),
        ...(errorCode ? { errorCode } : {}),
        ...(correlationId ? { correlationId } : {}),
      }),
    );
    r.audit = [
      ...r.audit,
      ...run.customRoles.map((x) => ({
        at: new Date().toISOString(),
        by,
        action: 'customRole',
        target: x.roleName,
        outcome: x.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
        code: x.errorCode,
      })),
    ];
    r.audit = [
      ...r.audit,
      ...results
        .filter((x) => x.outcome !== 'skipped')
        .map((x) => ({
          at: new Date().toISOString(),
          by,
          action: `restore:${x.roleName}`,
          target: x.assignmentId,
          outcome: x.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
          code: x.errorCode ?? (x.outcome === 'invitedRestored' ? 'GuestInvited' : undefined),
          correlationId: x.correlationId,
        })),
    ];
  });
  kit.log.info({ flowId, outcomes: results.map((x) => x.outcome) }, 'access carried across');
  return run;
}
