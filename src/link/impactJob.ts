import type { Inventory } from '../domain/inventory';
import { emailsOf, planRestore, type RestorePlanEntry } from '../domain/restorePlan';
import { asTenantlinkError } from '../errors';
import { reviewImpact, type ImpactReport } from './impact';
import { takeInventory } from './inventory';
import type { FlowRef, LinkProcedure } from './procedure';

/**
 * Step 2 of the seeds, the review (before the confirmation): what the move removes and breaks.
 */

/** The chosen subscription and the two directories, as the impact review needs them. */
export interface ImpactStage extends FlowRef {
  readonly initiatorName: string;
  readonly subscriptionName: string;
  /** The directory the subscription trusts now. */
  readonly sourceTenantId: string;
  /** The Office 365 directory it is to trust. */
  readonly destinationTenantId: string;
  /** The display name of the directory it trusts now (tenant discovery), when known. */
  readonly sourceTenantName?: string;
  /** The Office 365 directory's display name (Graph `organization`), when known. */
  readonly destinationTenantName?: string;
}

/** What the impact review reports (JSON-safe: it crosses the background boundary). */
export interface ImpactJobResult {
  readonly report: ImpactReport;
  readonly plan?: RestorePlanEntry[];
  /** What else the move breaks; absent when Resource Graph could not be read. */
  readonly inventory?: Inventory;
  /** The error code when it could not be read. */
  readonly inventoryError?: string;
}

/**
 * The review of what the move removes and breaks: the subscription's role assignments and custom
 * roles (backed up in the change record), the restore plan, and the inventory of its resources
 * from Azure Resource Graph. Reads only, then one write of the change record (created here when
 * missing): running it again after a restart gives the same record.
 * @param userId the Teams user whose sign-ins read (Azure: the subscription; Office 365: its users)
 * @throws TenantlinkError from ARM or Graph (the inventory's and restore plan's own failures are
 *   reported in the result instead: the review goes on without them)
 */
export async function reviewImpactJob(
  procedure: LinkProcedure,
  userId: string,
  stage: ImpactStage,
): Promise<ImpactJobResult> {
  const { flowId, subscriptionId } = stage;
  const report = await reviewImpact(
    procedure.azure(userId, 'azure'),
    procedure.directory(userId, 'azure'),
    subscriptionId,
  );
  const plan = await restorePlanFor(procedure, userId, report);
  let inventory: Inventory | undefined;
  let inventoryError: string | undefined;
  try {
    inventory = await takeInventory(procedure.inventory(userId, 'azure'), subscriptionId);
  } catch (err) {
    // The review goes on: the admin is asked to check the resources by hand.
    const e = asTenantlinkError(err);
    inventoryError = e.code;
    // Stryker disable next-line ObjectLiteral,StringLiteral: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
    procedure.log.warn({ code: e.code, flowId, err: e }, 'resource inventory unavailable');
  }
  const now = new Date().toISOString();
  await procedure.updateRecord(
    flowId,
    (r) => {
      r.status = 'impactReviewed';
      r.backup = report.assignments;
      r.customRoles = report.customRoles;
      // This review's restore plan, inventory or inventory error replaces an earlier review's
      // (never both, never stale): the restore follows the plan the admin was last shown, and a
      // review that could not plan restores nothing, as its card said.
      if (plan)
        r.restorePlan = plan.map((e) => ({ assignmentId: e.assignmentId, action: e.action }));
      else delete r.restorePlan;
      if (inventory) r.inventory = inventory;
      else delete r.inventory;
      if (inventoryError) r.inventoryError = inventoryError;
      else delete r.inventoryError;
    },
    () => ({
      flowId,
      initiatorId: stage.initiatorId,
      initiatorName: stage.initiatorName,
      subscriptionId,
      subscriptionName: stage.subscriptionName,
      sourceTenantId: stage.sourceTenantId,
      destinationTenantId: stage.destinationTenantId,
      ...(stage.sourceTenantName ? { sourceTenantName: stage.sourceTenantName } : {}),
      ...(stage.destinationTenantName
        ? { destinationTenantName: stage.destinationTenantName }
        : {}),
      status: 'requested',
      backup: [],
      audit: [],
      createdAt: now,
      updatedAt: now,
    }),
  );
  return {
    report,
    ...(plan ? { plan } : {}),
    ...(inventory ? { inventory } : {}),
    ...(inventoryError ? { inventoryError } : {}),
  };
}

/**
 * The restore plan of the removed assignments: their users' emails looked up in the Office 365
 * directory (as its admin). Undefined when the lookup fails: the review goes on without a plan.
 */
async function restorePlanFor(
  procedure: LinkProcedure,
  userId: string,
  report: ImpactReport,
): Promise<RestorePlanEntry[] | undefined> {
  try {
    const emails = report.formerUsers.flatMap(emailsOf);
    const office365 = procedure.directory(userId, 'office365');
    const matches = emails.length > 0 ? await office365.usersWithEmails(emails) : [];
    return planRestore(report.assignments, report.formerUsers, matches);
  } catch (err) {
    const e = asTenantlinkError(err);
    // Stryker disable next-line ObjectLiteral,StringLiteral: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
    procedure.log.warn({ code: e.code, err: e }, 'restore plan unavailable');
    return undefined;
  }
}
