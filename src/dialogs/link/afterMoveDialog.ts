import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { cardAttachment, renderCard } from '../../cards/render';
import type { AccessedFlow } from '../../link/stages';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { checklistFacts } from '../inventoryCards';
import { baseView, isShared } from '../userSpecificViews';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';

/**
 * After the move: the checklist of what the inventory found (Microsoft's "Step 3: Re-create
 * resources"), with, when the subscription has key vaults, the offer to update them to the new
 * directory. The link ends with the card; its **Update the key vaults** button is answered by
 * the checklist's one handler (checklistDialog.ts) once the link has ended.
 */

/** Id of the stage. */
export const AFTER_MOVE_STAGE = 'linkStage.afterMove';

/** What the stage uses. */
export interface AfterMovePorts extends StagePorts {
  readonly changes: Pick<ChangeRecordStore, 'get' | 'update'>;
}

/** The checklist; the link ends `linked`. */
export class AfterMoveDialog extends LinkStageDialog<AccessedFlow, never, AccessedFlow> {
  constructor(private readonly deps: AfterMovePorts) {
    super(AFTER_MOVE_STAGE, deps);
    this.steps([['checklist', (step, flow) => this.checklist(step, flow)]]);
  }

  protected enter(_context: TurnContext, options: AccessedFlow): AccessedFlow {
    return options;
  }

  /** Shows the checklist (with the key vault offer when there is one to make) and ends the link. */
  private async checklist(
    step: WaterfallStepContext<AccessedFlow>,
    flow: AccessedFlow,
  ): Promise<DialogTurnResult> {
    const { flowId, initiatorId, initiatorName } = flow;
    const inventory = (await this.deps.changes.get(flowId))?.inventory;
    const cards = this.cards(step);
    const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
    const facts = inventory ? checklistFacts(t, inventory) : [];
    if (facts.length === 0) return this.end(step, flow, 'linked');
    const directory = flow.org.displayName;
    const title = t('checklist.title', { subscription: flow.subscription.displayName });
    const text = t('checklist.text', { directory });
    const vaults = inventory?.groups.find((g) => g.kind === 'keyVault')?.count ?? 0;
    const cardId = uuidv4();
    const offered = vaults > 0;
    const card = !offered
      ? renderCard('outcome', { title, text, color: 'Default', facts })
      : renderCard('checklist', {
          flowId,
          cardId,
          title,
          text,
          facts,
          offerText: t('checklist.offer', { count: vaults, directory }),
          offerLabel: t('checklist.fix'),
          confirmLabel: t('checklist.confirmLabel', { directory }),
          requiredMessage: t('checklist.confirmMissing'),
          fixLabel: t('checklist.fix'),
          laterLabel: t('checklist.later'),
        });
    if (offered && isShared(step.context.activity)) {
      // A shared card's buttons would be everyone's: the message is read-only, and the
      // initiator's client gets the offer with a refresh (ChecklistDialog.refresh).
      await this.deps.changes.update(flowId, (r) => void (r.checklist = { cardId, card }));
      const note = t('card.onlyInitiator', { name: initiatorName });
      const ids = { flowId, cardId, standing: 'checklist' } as const;
      await step.context.sendActivity({
        attachments: [cardAttachment(baseView(card, note, ids, initiatorId))],
      });
    } else await step.context.sendActivity({ attachments: [cardAttachment(card)] });
    return this.end(step, flow, 'linked');
  }
}
