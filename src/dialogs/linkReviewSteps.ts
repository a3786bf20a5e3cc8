import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { cardAttachment, renderCard } from '../cards/render';
import { summarizePlan } from '../domain/restorePlan';
import { ERRORS, TenantlinkError, errorFromJson } from '../errors';
import type { ImpactJobResult } from '../link/impactJob';
import { answerInvoke, outcomeCard } from './cardPrompt';
import type { VerbInputs } from './cardInputs';
import { ackIds, blockerLines, inventoryPart } from './inventoryCards';
import { LINK_CARD_PROMPT, type LinkStepKit } from './linkSteps';
import { assertChosen, assertOffered, type LinkState } from '../link/stages';
import { jobResult } from './waitForBackground';

/**
 * Step 2 of the seeds, first half: the chosen subscription's lock, the review of what the move
 * removes (with its backup in the change record), and the typed confirmation.
 */

/** The subscription is chosen: takes its lock, reviews and backs up what the move removes. */
export async function reviewImpactStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
  { subscriptionId }: VerbInputs<'subscription.choose'>,
): Promise<DialogTurnResult> {
  assertOffered(s);
  const cards = kit.cards(step);
  // The card's rules accept only an offered subscription (see preflightStep in linkStartSteps.ts).
  const chosen = s.owned.find((x) => x.subscriptionId === subscriptionId);
  if (!chosen) throw new TenantlinkError('cardInvalid', { detail: 'subscription not offered' });
  // One link per subscription at a time (a dry run changes nothing and takes no lock).
  const lock = s.dryRun
    ? ({ acquired: true } as const)
    : await kit.procedure.lock({
        flowId: s.flowId,
        initiatorId: s.initiatorId,
        initiatorName: s.initiatorName,
        subscriptionId: chosen.subscriptionId,
      });
  if (!lock.acquired) {
    const text = cards.t('lock.held', {
      subscription: chosen.displayName,
      name: lock.holder.holderName,
      since: Date.parse(lock.holder.since),
    });
    kit.log.info(
      { code: ERRORS.subscriptionBusy.code, flowId: s.flowId, holder: lock.holder.flowId },
      'subscription is being linked by another flow',
    );
    await answerInvoke(step.context, outcomeCard(text, ERRORS.subscriptionBusy.code, 'Attention'));
    await step.context.sendActivity(text);
    return kit.end(step, s, 'subscriptionBusy');
  }
  s.subscription = chosen;
  s.sourceName = s.directoryNames?.[s.subscription.tenantId] ?? s.subscription.tenantId;
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('choose.done', {
        subscription: s.subscription.displayName,
        directory: s.sourceName,
      }),
      '',
      'Good',
    ),
  );
  return kit.runJob(step, 'impact', {
    ...kit.flowRef(s),
    initiatorName: s.initiatorName,
    subscriptionName: s.subscription.displayName,
    sourceTenantId: s.subscription.tenantId,
    destinationTenantId: s.org.tenantId,
  });
}

/**
 * The review is done: a resource that cannot change directory stops the link here, recorded,
 * with nothing requested; otherwise the impact card, whose every kind that breaks must be
 * acknowledged before the confirm card.
 */
export async function showImpactStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const result = jobResult<ImpactJobResult>(step);
  if (!result.ok) return kit.fail(step, s, errorFromJson(result.error));
  const { report, plan, inventory, inventoryError } = result.value;
  const cards = kit.cards(step);
  const t = (k: string, p?: Record<string, string | number>): string => cards.t(k, p);
  const blockers = inventory ? blockerLines(t, inventory) : [];
  if (blockers.length > 0) {
    const names = { subscription: s.subscription.displayName, directory: s.org.displayName };
    await step.context.sendActivity({
      attachments: [
        cardAttachment(
          renderCard('outcome', {
            title: cards.t('inventory.blockedTitle', names),
            text: cards.t('inventory.blockedText', names),
            color: 'Attention',
            facts: blockers.map((line, i) => ({ title: `${i + 1}.`, value: line })),
          }),
        ),
      ],
    });
    await kit.record(s, 'blocked', {
      action: 'inventoryBlocked',
      target: s.subscription.subscriptionId,
      outcome: 'failed',
      code: ERRORS.moveBlocked.code,
    });
    kit.log.info(
      { code: ERRORS.moveBlocked.code, flowId: s.flowId },
      'link stopped by the inventory',
    );
    return kit.end(step, s, 'blocked');
  }
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const summary = plan && summarizePlan(plan);
  const part = inventoryPart(t, inventory, inventoryError);
  const acks = ackIds(part);
  const card = (ackError: string) =>
    renderCard(
      'impact',
      cards.impact(ids, s.subscription, s.sourceName, s.org, report, summary, {
        ...part,
        ackError,
      }),
    );
  return step.beginDialog(LINK_CARD_PROMPT, {
    ...kit.prompt(s, ids.cardId, card(''), ['impact.continue']),
    retryCard: card(cards.t('inventory.ackMissing')),
    rules: {
      'impact.continue': {
        required: acks,
        oneOf: Object.fromEntries(acks.map((id) => [id, ['true']])),
      },
    },
  });
}

/** Impact reviewed: asks to confirm by typing the subscription's name (initiator only). */
export async function confirmStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('impact.reviewed', { subscription: s.subscription.displayName }),
      '',
      'Good',
    ),
  );
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const name = s.subscription.displayName;
  return step.beginDialog(LINK_CARD_PROMPT, {
    ...kit.prompt(s, ids.cardId, renderCard('confirm', cards.confirm(ids, s.subscription, s.org)), [
      'move.confirm',
    ]),
    retryCard: renderCard(
      'confirm',
      cards.confirm(
        ids,
        s.subscription,
        s.org,
        cards.t('confirm.mismatch', { subscription: name }),
      ),
    ),
    rules: { 'move.confirm': { required: ['typedName'], equals: { typedName: name } } },
  });
}
