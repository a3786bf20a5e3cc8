import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { errorFromJson } from '../../errors';
import type { MoveJobResult, MoveStage, RecordedMoveResult } from '../../link/moveJob';
import type { FlowRef, LinkProcedure } from '../../link/procedure';
import { MOVE_STAGE, readStage } from '../../link/stageSchemas';
import type { ConfirmedFlow, MovedFlow } from '../../link/stages';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { inLinkStep } from '../../telemetry/linkTrace';
import { answerInvoke, outcomeCard } from '../cardPrompt';
import type { GuidedMoveOptions } from '../guidedMoveDialog';
import { jobResult, type BackgroundRunner } from '../waitForBackground';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';

/**
 * Seed step 2, the change itself: the subscription's directory changed by API (its job,
 * src/link/moveJob.ts: changeTenantRequest, then acceptChangeTenant, then the propagation wait),
 * or the guided portal path when Azure refuses; then verified in the Office 365 directory. A
 * move job that records (src/link/ `recordMoveJob`) answers with the writes it listed:
 * they go on the flow's plan, and the next stage follows (nothing moved, nothing to verify).
 */

/** Id of the stage. */
export const MOVE_STAGE_DIALOG = 'linkStage.move';

/** What the stage uses. */
export interface MovePorts extends StagePorts {
  readonly procedure: Pick<
    LinkProcedure,
    'setStatus' | 'unlock' | 'azure' | 'verify' | 'withdrawDirectoryChange'
  >;
  readonly changes: Pick<ChangeRecordStore, 'get'>;
  readonly background: BackgroundRunner;
  /** The directory change (src/link/moveJob.ts `changeDirectoryJob`), as the Teams user `userId`. */
  readonly moveJob: (userId: string, stage: MoveStage) => Promise<MoveOutcome>;
  /** Id of the guided portal path's dialog (registered beside the link dialog). */
  readonly guidedMoveDialogId: string;
}

/** What the stage's move job answers: the move's outcome, or its writes recorded. */
export type MoveOutcome = MoveJobResult | RecordedMoveResult;

/** The stage's background job. */
interface MoveJobs {
  readonly move: MoveStage;
}

/** The flow's part of every job's stage. */
function flowRef(flow: ConfirmedFlow): FlowRef {
  const { flowId, initiatorId } = flow;
  return { flowId, initiatorId, subscriptionId: flow.subscription.subscriptionId };
}

/** Change directory, or the guided path; verify; ends with the moved subscription. */
export class MoveDialog extends LinkStageDialog<ConfirmedFlow, MovedFlow, ConfirmedFlow> {
  constructor(private readonly deps: MovePorts) {
    super(MOVE_STAGE_DIALOG, deps);
    this.jobs<MoveJobs>(deps.background, {
      // The stage is read back from the dialog state: checked first (src/link/stageSchemas.ts).
      move: (userId, stage) => {
        const s = readStage(MOVE_STAGE, stage, 'move');
        return inLinkStep(this.traced(s), 'job.move', () => deps.moveJob(userId, s));
      },
    });
    this.steps([
      ['move.start', (step, flow) => this.start(step, flow)],
      ['move.after', (step, flow) => this.afterMove(step, flow)],
      ['move.guided', (step, flow) => this.afterGuided(step, flow)],
    ]);
  }

  protected enter(_context: TurnContext, options: ConfirmedFlow): ConfirmedFlow {
    return options;
  }

  /**
   * Confirmed: answers the card at once and starts the directory change in the background (Teams
   * resends an invoke that takes more than 15 s).
   */
  private async start(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    const { subscription: sub, org } = flow;
    await this.deps.procedure.setStatus(flow.flowId, 'confirmed');
    const text = this.cards(step).t('confirm.done', {
      subscription: sub.displayName,
      directory: org.displayName,
    });
    await answerInvoke(step.context, outcomeCard(text, '', 'Good'));
    return this.runJob<MoveJobs, 'move'>(step, 'move', {
      ...flowRef(flow),
      destinationTenantId: org.tenantId,
      destinationOwnerId: flow.office365.objectId,
    });
  }

  /**
   * The move's outcome: verified, or the guided portal path when Azure refused; writes recorded
   * instead of made go on the flow's plan. A move job that
   * failed (a cloud error left after retries) ends the link as failed, recorded in the change
   * record with the error told to the admin, so that no record is left in flight. A move that
   * Azure accepted but the new directory did not show within the propagation wait is not a
   * failure: the admin is told it moved and to check later; the record stays `moveAccepted`.
   */
  private async afterMove(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    const result = jobResult<MoveOutcome>(step);
    const { subscription: sub, org } = flow;
    if (!result.ok) {
      // A request made but never accepted is withdrawn before the flow ends as failed.
      if ((await this.deps.changes.get(flow.flowId))?.status === 'moveRequested') {
        const source = this.deps.procedure.azure(flow.initiatorId, 'azure');
        await this.deps.procedure.withdrawDirectoryChange(flowRef(flow), source);
      }
      return this.fail(step, flow, errorFromJson(result.error));
    }
    const outcome = result.value;
    if (outcome.kind === 'recorded')
      return this.next(step, { ...flow, plan: [...(flow.plan ?? []), ...outcome.writes] });
    if (outcome.kind === 'moved' && !outcome.visible) {
      await step.context.sendActivity(
        this.cards(step).t('move.propagating', {
          subscription: sub.displayName,
          directory: org.displayName,
        }),
      );
      return this.end(step, flow, 'awaitingDirectory');
    }
    if (outcome.kind === 'moved') return this.verify(step, flow);
    const error = errorFromJson(outcome.error);
    const guided: GuidedMoveOptions = {
      flowId: flow.flowId,
      initiatorId: flow.initiatorId,
      initiatorName: flow.initiatorName,
      subscriptionId: sub.subscriptionId,
      subscriptionName: sub.displayName,
      sourceTenantId: sub.tenantId,
      destinationTenantId: org.tenantId,
      destinationName: org.displayName,
      reason: String(error.params.serviceMessage || error.serviceCode || error.code),
    };
    return step.beginDialog(this.deps.guidedMoveDialogId, guided);
  }

  /** The guided path ended: moved (`true`, verified here) or cancelled. */
  private async afterGuided(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    // GuidedMoveDialog ends with `true` when moved, `false` when cancelled.
    return step.result === true ? this.verify(step, flow) : this.cancel(step, flow);
  }

  /** Verifies that the subscription answers in the Office 365 directory; then the next stage. */
  private verify(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    return inLinkStep(flow, 'move.verify', async () => {
      const cards = this.cards(step);
      const names = { subscription: flow.subscription.displayName };
      const verified = await this.deps.procedure.verify(
        flow.initiatorId,
        flowRef(flow),
        flow.org.tenantId,
      );
      if (!verified) {
        await step.context.sendActivity(cards.t('error.moveNotVerified', names));
        return this.end(step, flow, 'failed');
      }
      await step.context.sendActivity(
        cards.t('verify.done', { ...names, directory: flow.org.displayName }),
      );
      return this.next(step, flow);
    });
  }
}
