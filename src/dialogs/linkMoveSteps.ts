import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { errorFromJson } from '../errors';
import { WriteRecorder } from '../link/dryRun';
import { changeDirectoryByApi } from '../link/move';
import type { MoveJobResult } from '../link/moveJob';
import { answerInvoke, outcomeCard } from './cardPrompt';
import type { GuidedMoveOptions } from './guidedMoveDialog';
import { GUIDED_MOVE_DIALOG, type LinkStepKit } from './linkSteps';
import { assertChosen, type LinkState } from '../link/stages';

export { LINK_WAIT_DIALOG } from './linkSteps';
import { jobResult } from './waitForBackground';

/**
 * Step 2 of the seeds, second half: change the subscription's directory (changeTenantRequest then
 * acceptChangeTenant, or the guided portal path) and verify it.
 */

/**
 * Confirmed: answers the card at once and starts the directory change in the background (Teams
 * resends an invoke that takes more than 15 s); a dry run only lists the writes.
 */
export async function startMoveStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  const sub = s.subscription;
  await kit.procedure.setStatus(s.flowId, 'confirmed');
  await answerInvoke(
    step.context,
    outcomeCard(
      cards.t('confirm.done', { subscription: sub.displayName, directory: s.org.displayName }),
      '',
      'Good',
    ),
  );
  if (s.dryRun) {
    // The move's own code on recording ports: the writes a real run would make now, in order.
    const recorder = new WriteRecorder();
    const outcome = await changeDirectoryByApi(
      recorder.azure(kit.azureAs(step, 'azure')),
      recorder.azure(kit.azureAs(step, 'office365')),
      sub.subscriptionId,
      s.org.tenantId,
      s.office365.objectId,
    );
    if (outcome.kind === 'refused') throw outcome.error;
    s.plan = recorder.writes;
    return step.next(DRY_RUN);
  }
  return kit.runJob(step, 'move', {
    ...kit.flowRef(s),
    destinationTenantId: s.org.tenantId,
    destinationOwnerId: s.office365.objectId,
  });
}

/**
 * The move's outcome: on to verify, or the guided portal path when Azure refused. A move job that
 * failed (a cloud error left after retries) ends the flow as failed, recorded in the change record
 * with the error told to the admin, so that no record is left in flight.
 */
export async function afterMoveStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  if (step.result === DRY_RUN) return step.next(true);
  const result = jobResult<MoveJobResult>(step);
  if (!result.ok) {
    // A request made but never accepted is withdrawn before the flow ends as failed.
    if ((await kit.deps.changes.get(s.flowId))?.status === 'moveRequested')
      await kit.procedure.withdrawDirectoryChange(kit.flowRef(s), kit.azureAs(step, 'azure'));
    return kit.fail(step, s, errorFromJson(result.error));
  }
  const outcome = result.value;
  if (outcome.kind === 'moved') return step.next(outcome.visible === false ? NOT_VISIBLE : true);
  const sub = s.subscription;
  const error = errorFromJson(outcome.error);
  const guided: GuidedMoveOptions = {
    flowId: s.flowId,
    initiatorId: s.initiatorId,
    initiatorName: s.initiatorName,
    subscriptionId: sub.subscriptionId,
    subscriptionName: sub.displayName,
    sourceTenantId: sub.tenantId,
    destinationTenantId: s.org.tenantId,
    destinationName: s.org.displayName,
    reason: String(error.params.serviceMessage || error.serviceCode || error.code),
  };
  return step.beginDialog(GUIDED_MOVE_DIALOG, guided);
}

/** Marks the dry run's way through the move steps. */
const DRY_RUN = 'dryRun';
/** Marks a move the new directory did not show before the propagation wait ran out. */
const NOT_VISIBLE = 'notVisible';

/**
 * Verifies that the subscription answers in the Office 365 directory. A move that Azure accepted
 * but the new directory did not show within the propagation wait is not a failure: the admin is
 * told it moved and to check later; the record stays `moveAccepted`.
 */
export async function verifyStep(
  kit: LinkStepKit,
  step: WaterfallStepContext,
  s: LinkState,
): Promise<DialogTurnResult> {
  assertChosen(s);
  const cards = kit.cards(step);
  const sub = s.subscription;
  if (step.result === NOT_VISIBLE) {
    await step.context.sendActivity(
      cards.t('move.propagating', { subscription: sub.displayName, directory: s.org.displayName }),
    );
    return kit.end(step, s, 'awaitingDirectory');
  }
  if (step.result !== true) return kit.cancel(step, s);
  if (s.dryRun) return step.next();
  const userId = step.context.activity.from.id;
  if (!(await kit.procedure.verify(userId, kit.flowRef(s), s.org.tenantId))) {
    await step.context.sendActivity(
      cards.t('error.moveNotVerified', { subscription: sub.displayName }),
    );
    return kit.end(step, s, 'failed');
  }
  await step.context.sendActivity(
    cards.t('verify.done', { subscription: sub.displayName, directory: s.org.displayName }),
  );
  return step.next();
}
