import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { renderCard } from '../cards/render';
import { emailsOf, planRestore, summarizePlan, type RestorePlanEntry } from '../domain/restorePlan';
import { ERRORS, asTenantlinkError } from '../errors';
import { reviewImpact, type ImpactReport } from '../link/impact';
import { answerInvoke, outcomeCard, type CardAction } from './cardPrompt';
import { LINK_CARD_PROMPT, type LinkState, type LinkStepKit } from './linkSteps';

/**
 * Step 2 of the seeds, first half: the chosen subscription's lock, the review of what the move
 * removes (with its backup in the change record), and the typed confirmation.
 */

/** The subscription is chosen: takes its lock, reviews and backs up what the move removes. */
export async function reviewImpactStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  const action = step.result as CardAction;
  if (action.verb === 'link.cancel') return kit.cancel(step, s);
  const cards = kit.cards(step);
  const chosen = s.owned!.find((x) => x.subscriptionId === action.inputs.subscriptionId)!;
  // One link per subscription at a time (a dry run changes nothing and takes no lock).
  const lock = s.dryRun
    ? ({ acquired: true } as const)
    : await kit.deps.locks.acquire({
        subscriptionId: chosen.subscriptionId,
        flowId: s.flowId,
        holderId: s.initiatorId,
        holderName: s.initiatorName,
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
  const sourceGraph = kit.deps.clients.directory(kit.credential(step, 'azure', 'graph'));
  const report = await reviewImpact(
    kit.azureAs(step, 'azure'),
    sourceGraph,
    s.subscription.subscriptionId,
  );
  const plan = await restorePlanFor(kit, step, report);
  const now = new Date().toISOString();
  await kit.deps.changes.update(
    s.flowId,
    (r) => {
      r.status = 'impactReviewed';
      r.backup = report.assignments;
      r.customRoles = report.customRoles;
      if (plan)
        r.restorePlan = plan.map((e) => ({ assignmentId: e.assignmentId, action: e.action }));
    },
    () => ({
      flowId: s.flowId,
      initiatorId: s.initiatorId,
      initiatorName: s.initiatorName,
      subscriptionId: s.subscription!.subscriptionId,
      subscriptionName: s.subscription!.displayName,
      sourceTenantId: s.subscription!.tenantId,
      destinationTenantId: s.org!.tenantId,
      status: 'requested',
      backup: [],
      audit: [],
      createdAt: now,
      updatedAt: now,
    }),
  );
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const card = renderCard(
    'impact',
    cards.impact(ids, s.subscription, s.sourceName, s.org!, report, plan && summarizePlan(plan)),
  );
  return step.beginDialog(LINK_CARD_PROMPT, kit.prompt(s, ids.cardId, card, ['impact.continue']));
}

/**
 * The restore plan of the removed assignments: their users' emails looked up in the Office 365
 * directory (as its admin). Undefined when the lookup fails: the review goes on without a plan.
 */
async function restorePlanFor(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  report: ImpactReport,
): Promise<RestorePlanEntry[] | undefined> {
  try {
    const emails = report.formerUsers.flatMap(emailsOf);
    const office365 = kit.deps.clients.directory(kit.credential(step, 'office365', 'graph'));
    const matches = emails.length > 0 ? await office365.usersWithEmails(emails) : [];
    return planRestore(report.assignments, report.formerUsers, matches);
  } catch (err) {
    const e = asTenantlinkError(err);
    kit.log.warn({ code: e.code, err: e }, 'restore plan unavailable');
    return undefined;
  }
}

/** Impact reviewed: asks to confirm by typing the subscription's name (initiator only). */
export async function confirmStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  const action = step.result as CardAction;
  if (action.verb === 'link.cancel') return kit.cancel(step, s);
  const cards = kit.cards(step);
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('impact.reviewed', { subscription: s.subscription!.displayName }),
      '',
      'Good',
    ),
  );
  const ids = { flowId: s.flowId, cardId: uuidv4() };
  const name = s.subscription!.displayName;
  return step.beginDialog(LINK_CARD_PROMPT, {
    ...kit.prompt(
      s,
      ids.cardId,
      renderCard('confirm', cards.confirm(ids, s.subscription!, s.org!)),
      ['move.confirm'],
    ),
    retryCard: renderCard(
      'confirm',
      cards.confirm(
        ids,
        s.subscription!,
        s.org!,
        cards.t('confirm.mismatch', { subscription: name }),
      ),
    ),
    rules: { 'move.confirm': { required: ['typedName'], equals: { typedName: name } } },
  });
}
