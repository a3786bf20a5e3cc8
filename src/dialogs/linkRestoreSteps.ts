import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { RESTORE_CHOICE_LIMIT, cardAttachment } from '../cards/render';
import type { CustomRoleDefinition } from '../domain/model';
import type { AzureManagementPort } from '../domain/ports';
import type { RestorePlanEntry } from '../domain/restorePlan';
import { planEntries, restoreAccess } from '../link/restore';
import type { LinkState, LinkStepKit } from './linkSteps';
import { restoreKey, restoreReportCard } from './restoreCards';

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
export async function restoreEntries(kit: LinkStepKit, s: LinkState): Promise<RestoreWork> {
  const record = await kit.deps.changes.get(s.flowId);
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
 * Gives back the access the move removed (restore plan), records every outcome in the change
 * record (audit and report) and shows the report.
 */
export async function restoreAndReport(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
  target: AzureManagementPort,
  restore: RestoreWork,
): Promise<void> {
  const directory = kit.deps.clients.directory(kit.credential(step, 'office365', 'graph'));
  const redirectUrl = `${kit.portalUrl(step)}/#@${s.org!.tenantId}`;
  const run = await restoreAccess(
    directory,
    target,
    restore.entries,
    redirectUrl,
    restore.customRoles,
  );
  const results = run.assignments;
  await kit.deps.changes.update(s.flowId, (r) => {
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
        by: s.initiatorId,
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
          by: s.initiatorId,
          action: `restore:${x.roleName}`,
          target: x.assignmentId,
          outcome: x.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
          code: x.errorCode ?? (x.outcome === 'invitedRestored' ? 'GuestInvited' : undefined),
          correlationId: x.correlationId,
        })),
    ];
  });
  kit.log.info(
    { flowId: s.flowId, outcomes: results.map((x) => x.outcome) },
    'access carried across',
  );
  await step.context.sendActivity({
    attachments: [cardAttachment(restoreReportCard((k, p) => kit.cards(step).t(k, p), run))],
  });
}
