import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { PlannedWrite } from '../domain/model';
import { changeDirectoryByApi, isInDirectory } from '../link/move';
import { answerInvoke, outcomeCard, type CardAction } from './cardPrompt';
import type { GuidedMoveOptions } from './guidedMoveDialog';
import { GUIDED_MOVE_DIALOG, type LinkState, type LinkStepKit } from './linkSteps';

/**
 * Step 2 of the seeds, second half: change the subscription's directory (changeTenantRequest then
 * acceptChangeTenant, or the guided portal path) and verify it.
 */

/** Confirmed: changes the directory by API, or starts the guided portal path when Azure refuses. */
export async function changeDirectoryStep(
  kit: LinkStepKit,

  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  const action = step.result as CardAction;
  if (action.verb === 'link.cancel') return kit.cancel(step, s);
  const cards = kit.cards(step);
  const sub = s.subscription!;
  await kit.deps.changes.update(s.flowId, (r) => void (r.status = 'confirmed'));
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('confirm.done', { subscription: sub.displayName, directory: s.org!.displayName }),
      '',
      'Good',
    ),
  );
  await step.context.sendActivity({ type: 'typing' });
  if (s.dryRun) {
    s.plan = await planDirectoryChange(kit, step, s);
    return step.next(true);
  }
  const outcome = await changeDirectoryByApi(
    kit.azureAs(step, 'azure'),
    kit.azureAs(step, 'office365'),
    sub.subscriptionId,
    s.org!.tenantId,
    s.office365!.objectId,
    (requested) =>
      kit.record(s, 'moveRequested', {
        action: 'changeTenantRequest',
        target: sub.subscriptionId,
        outcome: 'ok',
        correlationId: requested.correlationId,
      }),
  );
  if (outcome.kind === 'moved') {
    await kit.record(s, 'moveAccepted', {
      action: outcome.alreadyThere ? 'verifyDirectory' : 'acceptChangeTenant',
      target: sub.subscriptionId,
      outcome: 'ok',
      correlationId: outcome.change?.correlationId,
    });
    return step.next(true);
  }
  await kit.recordRefusal(s, outcome.error, outcome.stage);
  const guided: GuidedMoveOptions = {
    flowId: s.flowId,
    initiatorId: s.initiatorId,
    initiatorName: s.initiatorName,
    subscriptionId: sub.subscriptionId,
    subscriptionName: sub.displayName,
    sourceTenantId: sub.tenantId,
    destinationTenantId: s.org!.tenantId,
    destinationName: s.org!.displayName,
    reason: String(
      outcome.error.params.serviceMessage || outcome.error.serviceCode || outcome.error.code,
    ),
  };
  return step.beginDialog(GUIDED_MOVE_DIALOG, guided);
}

/** Verifies that the subscription answers in the Office 365 directory. */
export async function verifyStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  if (step.result !== true) return kit.cancel(step, s);
  const cards = kit.cards(step);
  const sub = s.subscription!;
  if (s.dryRun) return step.next();
  const target = kit.azureAs(step, 'office365');
  if (!(await isInDirectory(target, sub.subscriptionId, s.org!.tenantId))) {
    await step.context.sendActivity(
      cards.t('error.moveNotVerified', { subscription: sub.displayName }),
    );
    await kit.deps.changes.update(s.flowId, (r) => void (r.status = 'failed'));
    return kit.end(step, s, 'failed');
  }
  await kit.deps.changes.update(s.flowId, (r) => void (r.status = 'verified'));
  await step.context.sendActivity(
    cards.t('verify.done', { subscription: sub.displayName, directory: s.org!.displayName }),
  );
  return step.next();
}

/**
 * The writes the API path would make now, found with the same reads (dry run): none when the
 * subscription already trusts the directory, only the acceptance when a request is pending.
 */
async function planDirectoryChange(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<PlannedWrite[]> {
  const sub = s.subscription!;
  const source = kit.azureAs(step, 'azure');
  if (await isInDirectory(kit.azureAs(step, 'office365'), sub.subscriptionId, s.org!.tenantId))
    return [];
  const writes = source.planDirectoryChange(sub.subscriptionId, s.org!.tenantId);
  const pending = await source.getDirectoryChange(sub.subscriptionId);
  return pending?.status === 'Pending' && pending.destinationTenantId === s.org!.tenantId
    ? writes.filter((w) => w.method === 'POST')
    : writes;
}
