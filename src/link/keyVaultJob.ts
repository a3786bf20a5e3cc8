import {
  fixKeyVaults,
  principalsGivenBack,
  removedAssignments,
  type KeyVaultFixResult,
} from './keyVaults';
import type { FlowRef, LinkProcedure } from './procedure';

/** The key vault update after the move (the after-move checklist's offer). */

/** The moved subscription and its new directory. */
export interface KeyVaultStage extends FlowRef {
  /** The Office 365 directory the subscription trusts now. */
  readonly tenantId: string;
}

/** What the key vault job reports (JSON-safe). */
export interface KeyVaultJobResult {
  readonly results: KeyVaultFixResult[];
}

/**
 * The key vault update, as the Office 365 admin (Owner after the move): each vault's tenant ID
 * and its access policies carried to the people whose access was given back, or for an RBAC-mode
 * vault its role assignments counted from the backup and the restore report (given back by the
 * restore, not granted again here); every vault's outcome in the audit trail.
 * @throws TenantlinkError from Graph or ARM, or Error from storage; Error before any vault is
 *   read or changed when the flow has no change record (its writes could not be audited)
 */
export async function fixKeyVaultsJob(
  procedure: LinkProcedure,
  userId: string,
  stage: KeyVaultStage,
): Promise<KeyVaultJobResult> {
  const { flowId } = stage;
  const record = await procedure.changeRecord(flowId);
  // The same refusal as the audit's update below would give, but before any vault is changed.
  if (!record) throw new Error(`no change record ${flowId}`);
  const principals = await principalsGivenBack(
    record.backup,
    record.restorePlan ?? [],
    record.restoreReport ?? [],
    procedure.directory(userId, 'office365'),
  );
  const results = await fixKeyVaults(
    procedure.inventory(userId, 'office365'),
    procedure.keyVaults(userId, 'office365'),
    stage.subscriptionId,
    stage.tenantId,
    principals,
    removedAssignments(record.backup, record.restoreReport ?? []),
  );
  await procedure.updateRecord(flowId, (r) => {
    r.audit = [
      ...r.audit,
      ...results.map((x) => ({
        at: new Date().toISOString(),
        by: stage.initiatorId,
        action: 'keyVaultTenant',
        target: x.id,
        outcome: x.outcome === 'failed' ? ('failed' as const) : ('ok' as const),
        code: x.errorCode ?? (x.outcome === 'alreadyDone' ? 'AlreadyDone' : undefined),
        correlationId: x.correlationId,
      })),
    ];
  });
  return { results };
}
