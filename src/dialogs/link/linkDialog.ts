import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogReason,
  WaterfallDialog,
  type DialogInstance,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { TenantlinkError } from '../../errors';
import type {
  AccessedFlow,
  ApprovedFlow,
  AzureSignedInFlow,
  ChosenFlow,
  ConfirmedFlow,
  MovedFlow,
  SignedInFlow,
  StageEnd,
} from '../../link/stages';
import type { LinkStage } from './linkStageDialog';
import type { LinkOptions } from './signInOffice365Dialog';

/**
 * The link of the seeds as a list of stage dialogs, one file each in src/dialogs/link/: sign in
 * to Office 365 → sign in to Azure → before you begin (R1–R5, the choice) → review (lock, impact,
 * acknowledgements, confirm) → approval (issue 29: only under a tenant's policy) → move (job, guided path, verify) → access (grant, restore, test,
 * the channels told) → after the move (checklist, key vaults). Each stage takes the one before as
 * its options and ends with the next one's, or with how the link ended (src/link/stages.ts).
 */

/** Id of the dialog. */
export const LINK_DIALOG = 'linkDialog';
/** Id of the guided move dialog registered beside it. */
export const GUIDED_MOVE_DIALOG = 'guidedMoveDialog';

/** The stages, each typed by the stage before it and its own. */
export interface LinkStages {
  readonly signInOffice365: LinkStage<LinkOptions, SignedInFlow>;
  readonly signInAzure: LinkStage<SignedInFlow, AzureSignedInFlow>;
  readonly beforeYouBegin: LinkStage<AzureSignedInFlow, ChosenFlow>;
  readonly review: LinkStage<ChosenFlow, ConfirmedFlow>;
  /** Four eyes before the move (issue 29): passes through without a policy. */
  readonly approval: LinkStage<ConfirmedFlow, ApprovedFlow>;
  readonly move: LinkStage<ApprovedFlow, MovedFlow>;
  readonly access: LinkStage<MovedFlow, AccessedFlow>;
  readonly afterMove: LinkStage<AccessedFlow, never>;
}

/**
 * How a stage ended (a step's `result` after a stage, typed `any` by botbuilder).
 * @throws TenantlinkError internal when it is not a {@link StageEnd} (a bug)
 */
function stageEnd(result: unknown): StageEnd<object> {
  if (typeof result === 'object' && result !== null && ('next' in result || 'ended' in result))
    return result as StageEnd<object>;
  throw new TenantlinkError('internal', { detail: 'a link stage ended without its result' });
}

/** The link: its stages in order (see the module comment). */
export class LinkDialog extends ComponentDialog {
  private readonly stages: readonly LinkStage<never, unknown>[];

  /**
   * @param id the dialog's id: {@link LINK_DIALOG}, or another for the same link on other ports
   *   (the composition root wires each; the command that begins one chooses it)
   */
  constructor(stages: LinkStages, id: string = LINK_DIALOG) {
    super(id);
    const { signInOffice365, signInAzure, beforeYouBegin, review, approval, move } = stages;
    const { access, afterMove } = stages;
    const order = [
      signInOffice365,
      signInAzure,
      beforeYouBegin,
      review,
      approval,
      move,
      access,
      afterMove,
    ];
    this.stages = order;
    for (const stage of order) this.addDialog(stage);
    const [first, ...rest] = order;
    this.addDialog(
      new WaterfallDialog<LinkOptions>(`${id}.steps`, [
        (step: WaterfallStepContext<LinkOptions>) => step.beginDialog(first.id, step.options ?? {}),
        ...rest.map((stage) => (step: WaterfallStepContext<LinkOptions>) => {
          const end = stageEnd(step.result);
          return 'ended' in end ? step.endDialog(end.ended) : step.beginDialog(stage.id, end.next);
        }),
        (step: WaterfallStepContext<LinkOptions>) => {
          const end = stageEnd(step.result);
          return step.endDialog('ended' in end ? end.ended : undefined);
        },
      ]),
    );
    this.initialDialogId = `${id}.steps`;
  }

  /**
   * When the link is cancelled from outside (the `cancel` command), before the inner dialogs are
   * cancelled (which empties their state), the running stage releases the subscription's lock and
   * marks the change record cancelled, as the Cancel button does.
   */
  override async endDialog(
    context: TurnContext,
    instance: DialogInstance,
    reason: DialogReason,
  ): Promise<void> {
    if (reason === DialogReason.cancelCalled) {
      const inner = (instance.state as { dialogs?: DialogState }).dialogs?.dialogStack ?? [];
      for (const active of inner)
        await this.stages.find((s) => s.id === active.id)?.cancelled(active);
    }
    await super.endDialog(context, instance, reason);
  }
}

export type { LinkOptions } from './signInOffice365Dialog';
