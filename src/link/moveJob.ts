import type { PlannedWrite } from '../domain/model';
import { errorToJson, type TenantlinkErrorJson } from '../errors';
import { changeDirectoryByApi } from './move';
import type { FlowRef, LinkProcedure } from './procedure';

/**
 * Step 2 of the seeds, the change itself: the subscription's directory changed by API.
 */

/** The confirmed subscription and where it goes. */
export interface MoveStage extends FlowRef {
  /** The Office 365 directory the subscription is to trust. */
  readonly destinationTenantId: string;
  /** The Office 365 admin's object id there (the Owner after the move). */
  readonly destinationOwnerId: string;
}

/** What the move reports (JSON-safe: it crosses the background boundary). */
export type MoveJobResult =
  | {
      readonly kind: 'moved';
      readonly alreadyThere: boolean;
      /** Whether the new directory showed the subscription before the propagation wait ran out. */
      readonly visible: boolean;
    }
  | {
      readonly kind: 'refused';
      readonly stage: 'request' | 'accept';
      readonly error: TenantlinkErrorJson;
    };

/** What the move reports when run on recording ports (src/link/dryRun.ts `recordMoveJob`). */
export interface RecordedMoveResult {
  /** Nothing moved. */
  readonly kind: 'recorded';
  /** The writes the move would have made, in order. */
  readonly writes: PlannedWrite[];
}

/**
 * The directory change by API (changeTenantRequest, then acceptChangeTenant, then the wait for the
 * new directory to show the subscription), recording each write in the change record as it
 * happens. Idempotent: a pending request is accepted rather than made again, an acceptance made
 * before a restart is not repeated, a subscription already in the directory is left alone. A
 * refusal is recorded (and a request refused at its acceptance withdrawn) and reported, not thrown.
 * @param userId the Teams user whose Azure sign-in requests and Office 365 sign-in accepts
 * @throws TenantlinkError from ARM when a call fails after its retries; Error before any call to
 *   Azure when the flow has no change record (made by the impact review, with the backup)
 */
export async function changeDirectoryJob(
  procedure: LinkProcedure,
  userId: string,
  stage: MoveStage,
): Promise<MoveJobResult> {
  const { flowId, initiatorId: by, subscriptionId, destinationTenantId } = stage;
  const target = procedure.azure(userId, 'office365');
  const record = await procedure.changeRecord(flowId);
  // No record, no backup of the assignments the move removes, and no audit of its writes: refused
  // with the error the first audit write would give, but before any call to Azure.
  if (!record) throw new Error(`no change record ${flowId}`);
  const before = record.status;
  const outcome = await changeDirectoryByApi(
    procedure.azure(userId, 'azure'),
    target,
    subscriptionId,
    destinationTenantId,
    stage.destinationOwnerId,
    (requested) =>
      procedure.record(flowId, by, 'moveRequested', {
        action: 'changeTenantRequest',
        target: subscriptionId,
        outcome: 'ok',
        correlationId: requested.correlationId,
      }),
    before === 'moveRequested' || before === 'moveAccepted',
  );
  if (outcome.kind === 'moved') {
    // Recorded once: again only if this run accepted again (the record said accepted, Azure did not).
    if (before !== 'moveAccepted' || outcome.change !== undefined)
      await procedure.record(flowId, by, 'moveAccepted', {
        action: outcome.alreadyThere ? 'verifyDirectory' : 'acceptChangeTenant',
        target: subscriptionId,
        outcome: 'ok',
        correlationId: outcome.change?.correlationId,
      });
    const visible =
      outcome.alreadyThere ||
      (await procedure.waitForDirectory(target, subscriptionId, destinationTenantId));
    return { kind: 'moved', alreadyThere: outcome.alreadyThere, visible };
  }
  await procedure.recordRefusal(stage, outcome.error, outcome.stage);
  // Refused at the acceptance: the request made (or reused) stays pending unless withdrawn.
  if (outcome.stage === 'accept')
    await procedure.withdrawDirectoryChange(stage, procedure.azure(userId, 'azure'));
  return { kind: 'refused', stage: outcome.stage, error: errorToJson(outcome.error) };
}
