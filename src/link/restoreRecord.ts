import type { CustomRoleDefinition } from '../domain/model';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import type { RestorePlanEntry } from '../domain/restorePlan';
import type { ChangeRecordStore } from '../state/changeRecords';
import type { LinkProcedure } from './procedure';
import { planEntries, restoreAccess, type RestoreRun } from './restore';

/**
 * The restore part of step 3 (issue 9): the flow's restore plan from its change record, the
 * admin's choice on the grant card, and the restore itself with its report, audit and record.
 */

/** A restore to run: plan entries and the custom roles to create again. */
export interface RestoreWork {
  readonly entries: RestorePlanEntry[];
  readonly customRoles: CustomRoleDefinition[];
}

/**
 * Which of the restorable assignments the admin left checked on the grant card: the indices
 * (among the restorable entries, in plan order) of those checked, out of the first `listed`.
 */
export interface RestoreChoice {
  readonly chosen: readonly number[];
  /** How many restorable entries the card listed (those beyond it follow the toggle: kept). */
  readonly listed: number;
}

/** The flow's restore plan (from its change record): its entries and the custom roles to re-create. */
export async function restoreWork(
  changes: Pick<ChangeRecordStore, 'get'>,
  flowId: string,
): Promise<RestoreWork> {
  const record = await changes.get(flowId);
  return {
    entries: record?.restorePlan ? planEntries(record.backup, record.restorePlan) : [],
    customRoles: record?.customRoles ?? [],
  };
}

/**
 * The admin's choice applied: the listed restorable assignments left unchecked become `skipped`
 * (not chosen); those beyond the list are kept. No choice at all (a client that sent only the
 * toggle) keeps every one.
 */
export function chosenRestore(
  restore: RestoreWork,
  choice: RestoreChoice | undefined,
): RestoreWork {
  if (choice === undefined) return restore;
  const keep = new Set(choice.chosen);
  let i = 0;
  const entries = restore.entries.map((e): RestorePlanEntry => {
    if (e.action.kind === 'skip') return e;
    const index = i++;
    if (index >= choice.listed || keep.has(index)) return e;
    return { ...e, action: { kind: 'skip', reason: 'notChosen' } };
  });
  return { ...restore, entries };
}

/**
 * The restore the admin asked for on the grant card: nothing when its toggle is off, otherwise the
 * flow's restore plan with their choice applied ({@link chosenRestore}).
 * @throws Error from storage
 */
export async function restoreToRun(
  changes: Pick<ChangeRecordStore, 'get'>,
  flowId: string,
  restore: boolean,
  choice: RestoreChoice | undefined,
): Promise<RestoreWork> {
  if (!restore) return { entries: [], customRoles: [] };
  return chosenRestore(await restoreWork(changes, flowId), choice);
}

/**
 * Gives back the access the move removed (restore plan) and records every outcome in the change
 * record (audit and report). Runs in the access job, after the card click was answered.
 * @param by the initiator's Teams user id (the audit's `by`)
 * @param subscriptionId the moved subscription (where custom roles are re-created)
 * @param redirectUrl where an invited guest lands (the portal, at the Office 365 directory)
 * @param onProgress called after each plan entry with how many are done
 * @returns the run, for the report card
 * @throws Error from storage when the record cannot be written
 */
export async function restoreAndRecord(
  procedure: LinkProcedure,
  directory: Office365DirectoryPort,
  target: AzureManagementPort,
  flowId: string,
  by: string,
  subscriptionId: string,
  redirectUrl: string,
  restore: RestoreWork,
  onProgress?: (done: number) => void,
): Promise<RestoreRun> {
  const run = await restoreAccess(
    directory,
    target,
    subscriptionId,
    restore.entries,
    redirectUrl,
    restore.customRoles,
    onProgress,
  );
  const results = run.assignments;
  await procedure.updateRecord(flowId, (r) => {
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
  // Stryker disable next-line ObjectLiteral,StringLiteral,ArrowFunction: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
  procedure.log.info({ flowId, outcomes: results.map((x) => x.outcome) }, 'access carried across');
  return run;
}
