import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { cardAttachment, renderCard } from '../../cards/render';
import { summarizePlan } from '../../domain/restorePlan';
import { ERRORS, errorFromJson } from '../../errors';
import type { ImpactJobResult, ImpactStage } from '../../link/impactJob';
import type { LinkProcedure } from '../../link/procedure';
import { IMPACT_STAGE, readStage } from '../../link/stageSchemas';
import type { ChosenFlow, ConfirmedFlow } from '../../link/stages';
import { inLinkStep } from '../../telemetry/linkTrace';
import { answerInvoke, outcomeCard } from '../cardPrompt';
import { ackIds, blockerLines, inventoryPart } from '../inventoryCards';
import { jobResult, type BackgroundRunner } from '../waitForBackground';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';
import { VERB } from '../verbs';

/**
 * Seed step 2, the review before the change: the chosen subscription's lock (one link per
 * subscription at a time), the review of what the move removes and breaks (its job,
 * src/link/impactJob.ts, backs it up in the change record), the acknowledgements of the impact
 * card, and the confirmation by typing the subscription's name.
 */

/** Id of the stage. */
export const REVIEW_STAGE = 'linkStage.review';

/** What the stage uses. */
export interface ReviewPorts extends StagePorts {
  readonly procedure: Pick<LinkProcedure, 'setStatus' | 'unlock' | 'lock' | 'record'>;
  readonly background: BackgroundRunner;
  /** The impact review (src/link/impactJob.ts `reviewImpactJob`), as the Teams user `userId`. */
  readonly impactJob: (userId: string, stage: ImpactStage) => Promise<ImpactJobResult>;
}

/** The stage's background job. */
interface ReviewJobs {
  readonly impact: ImpactStage;
}

/** Lock, impact, acknowledgements, confirmation; ends with the confirmed subscription. */
export class ReviewDialog extends LinkStageDialog<ChosenFlow, ConfirmedFlow, ChosenFlow> {
  constructor(private readonly deps: ReviewPorts) {
    super(REVIEW_STAGE, deps);
    this.jobs<ReviewJobs>(deps.background, {
      // The stage is read back from the dialog state: checked first (src/link/stageSchemas.ts).
      impact: (userId, stage) => {
        const s = readStage(IMPACT_STAGE, stage, 'impact');
        return inLinkStep(this.traced(s), 'job.impact', () => deps.impactJob(userId, s));
      },
    });
    this.steps([
      ['impact.review', (step, flow) => this.review(step, flow)],
      ['impact.show', (step, flow) => this.showImpact(step, flow)],
      ['confirm', this.answered(VERB.continueImpact, (step, flow) => this.confirm(step, flow))],
      ['confirm.done', this.answered(VERB.confirmMove, (step, flow) => this.next(step, flow))],
    ]);
  }

  protected enter(_context: TurnContext, options: ChosenFlow): ChosenFlow {
    return options;
  }

  /** Takes the subscription's lock, then reviews and backs up what the move removes. */
  private async review(
    step: WaterfallStepContext<ChosenFlow>,
    flow: ChosenFlow,
  ): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const { flowId, initiatorId, initiatorName, subscription, org } = flow;
    const { subscriptionId } = subscription;
    // One link per subscription at a time (as the wiring's lock says: src/link/procedure.ts).
    const lock = await this.deps.procedure.lock({
      flowId,
      initiatorId,
      initiatorName,
      subscriptionId,
    });
    if (!lock.acquired) {
      const text = cards.t('lock.held', {
        subscription: subscription.displayName,
        name: lock.holder.holderName,
        since: Date.parse(lock.holder.since),
      });
      const code = ERRORS.subscriptionBusy.code;
      this.log.info(
        { code, flowId, holder: lock.holder.flowId },
        'subscription is being linked by another flow',
      );
      await answerInvoke(step.context, outcomeCard(text, code, 'Attention'));
      await step.context.sendActivity(text);
      return this.end(step, flow, 'subscriptionBusy');
    }
    const directory = flow.sourceName;
    const chosen = cards.t('choose.done', { subscription: subscription.displayName, directory });
    await answerInvoke(step.context, outcomeCard(chosen, '', 'Good'));
    return this.runJob<ReviewJobs, 'impact'>(step, 'impact', {
      flowId,
      initiatorId,
      subscriptionId,
      initiatorName,
      subscriptionName: subscription.displayName,
      sourceTenantId: subscription.tenantId,
      destinationTenantId: org.tenantId,
      // The names for the record (history): the source's only when discovery named it.
      ...(flow.directoryNames[subscription.tenantId]
        ? { sourceTenantName: flow.directoryNames[subscription.tenantId] }
        : {}),
      ...(org.displayName ? { destinationTenantName: org.displayName } : {}),
    });
  }

  /**
   * The review is done: a resource that cannot change directory stops the link here, recorded,
   * with nothing requested; otherwise the impact card, whose every kind that breaks must be
   * acknowledged before the confirm card.
   */
  private async showImpact(
    step: WaterfallStepContext<ChosenFlow>,
    flow: ChosenFlow,
  ): Promise<DialogTurnResult> {
    const result = jobResult<ImpactJobResult>(step);
    if (!result.ok) return this.fail(step, flow, errorFromJson(result.error));
    const { report, plan, inventory, inventoryError } = result.value;
    const cards = this.cards(step);
    const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
    const blockers = inventory ? blockerLines(t, inventory) : [];
    if (blockers.length > 0) {
      const names = {
        subscription: flow.subscription.displayName,
        directory: flow.org.displayName,
      };
      const card = renderCard('outcome', {
        title: t('inventory.blockedTitle', names),
        text: t('inventory.blockedText', names),
        color: 'Attention',
        facts: blockers.map((line, i) => ({ title: `${i + 1}.`, value: line })),
      });
      await step.context.sendActivity({ attachments: [cardAttachment(card)] });
      const code = ERRORS.moveBlocked.code;
      await this.deps.procedure.record(flow.flowId, flow.initiatorId, 'blocked', {
        action: 'inventoryBlocked',
        target: flow.subscription.subscriptionId,
        outcome: 'failed',
        code,
      });
      this.log.info({ code, flowId: flow.flowId }, 'link stopped by the inventory');
      return this.end(step, flow, 'blocked');
    }
    const ids = { flowId: flow.flowId, cardId: uuidv4() };
    const summary = plan && summarizePlan(plan);
    const part = inventoryPart(t, inventory, inventoryError);
    const acks = ackIds(part);
    const card = (ackError: string) =>
      renderCard(
        'impact',
        cards.impact(ids, flow.subscription, flow.sourceName, flow.org, report, summary, {
          ...part,
          ackError,
        }),
      );
    return this.ask(step, flow, {
      cardId: ids.cardId,
      card: card(''),
      verbs: [VERB.continueImpact],
      retryCard: card(t('inventory.ackMissing')),
      rules: {
        [VERB.continueImpact]: {
          required: acks,
          oneOf: Object.fromEntries(acks.map((id) => [id, ['true']])),
        },
      },
    });
  }

  /** Impact reviewed: asks to confirm by typing the subscription's name (initiator only). */
  private async confirm(
    step: WaterfallStepContext<ChosenFlow>,
    flow: ChosenFlow,
  ): Promise<DialogTurnResult> {
    const cards = this.cards(step);
    const { subscription, org } = flow;
    const name = subscription.displayName;
    await answerInvoke(
      step.context,
      outcomeCard(cards.t('impact.reviewed', { subscription: name }), '', 'Good'),
    );
    const ids = { flowId: flow.flowId, cardId: uuidv4() };
    const mismatch = cards.t('confirm.mismatch', { subscription: name });
    return this.ask(step, flow, {
      cardId: ids.cardId,
      card: renderCard('confirm', cards.confirm(ids, subscription, org)),
      verbs: [VERB.confirmMove],
      retryCard: renderCard('confirm', cards.confirm(ids, subscription, org, mismatch)),
      rules: { [VERB.confirmMove]: { required: ['typedName'], equals: { typedName: name } } },
    });
  }
}
