import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogReason,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogInstance,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { SEARCH_RESULTS_MAX } from './cardSearch';
import { userChoice } from './linkCards';
import { asTenantlinkError } from '../errors';
import { createLogger } from '../log';
import { reviewImpactJob } from '../link/impactJob';
import { changeDirectoryJob } from '../link/moveJob';
import { IMPACT_STAGE, MOVE_STAGE, readStage } from '../link/stageSchemas';
import { CardPrompt } from './cardPrompt';
import { inLinkStep, linkEnded, linkStarted } from '../telemetry/linkTrace';
import { accessJob, afterAccessStep, grantAccessStep, startAccessStep } from './linkAccessSteps';
import { confirmStep, reviewImpactStep, showImpactStep } from './linkReviewSteps';
import { LINK_WAIT_DIALOG, afterMoveStep, startMoveStep, verifyStep } from './linkMoveSteps';
import { preflightStep, signInAzureStep, signInOffice365Step, welcomeStep } from './linkStartSteps';
import { WaitForBackgroundDialog } from './waitForBackground';
import {
  LINK_CARD_PROMPT,
  LINK_DIALOG,
  LinkStepKit,
  type LinkDialogDeps,
  type LinkJobStages,
  type LinkStep,
  type LinkOptions,
} from './linkSteps';
import type { LinkState } from '../link/stages';

export {
  type LinkOptions,
  GRANT_PAGE_SIZE,
  GUIDED_MOVE_DIALOG,
  LINK_CARD_PROMPT,
  LINK_DIALOG,
  type LinkDialogDeps,
} from './linkSteps';

/**
 * The link procedure of the seeds as a waterfall: welcome → sign in to Office 365 → sign in to
 * Azure → preflight (R1–R5) and choose the subscription → review who loses access (backup) →
 * confirm (typed name, initiator only) → change the directory (API, or the guided path) and
 * verify → grant access to Office 365 accounts → test access and tell the team's channel.
 * Steps call ports (src/link, src/domain/ports), never HTTP.
 */

/** The link waterfall. */
export class LinkDialog extends ComponentDialog {
  private readonly kit: LinkStepKit;

  constructor(deps: LinkDialogDeps) {
    super(LINK_DIALOG);
    const kit = new LinkStepKit(deps, createLogger('link-dialog'));
    this.kit = kit;
    this.addDialog(
      new CardPrompt(LINK_CARD_PROMPT, deps.localizer, {
        // The grant card's typeahead: Office 365 users by name, as the Office 365 admin.
        users: async (context, request) =>
          (
            await kit.directoryAs({ context }, 'office365').listUsers({
              search: request.queryText.trim() || undefined,
              pageSize: SEARCH_RESULTS_MAX,
            })
          ).users.map(userChoice),
      }),
    );
    const access = accessJob(kit);
    this.addDialog(
      new WaitForBackgroundDialog<LinkJobStages>(
        LINK_WAIT_DIALOG,
        deps.background,
        {
          // Stages are read back from the dialog state: checked first (src/link/stageSchemas.ts).
          impact: (userId, stage) => {
            const s = readStage(IMPACT_STAGE, stage, 'impact');
            return inLinkStep(s, 'job.impact', () => reviewImpactJob(kit.procedure, userId, s));
          },
          move: (userId, stage) => {
            const s = readStage(MOVE_STAGE, stage, 'move');
            return inLinkStep(s, 'job.move', () => changeDirectoryJob(kit.procedure, userId, s));
          },
          access: (userId, stage, ...rest) =>
            inLinkStep(stage, 'job.access', () => access(userId, stage, ...rest)),
        },
        deps.localizer,
      ),
    );
    // The seeds' procedure, in order, each step with its name in the link's trace
    // (src/telemetry/linkTrace.ts); a step after a card reads that card's answer by its verb.
    const steps: [string, LinkStep][] = [
      ['welcome', (step, s) => welcomeStep(kit, step, s)],
      [
        'signIn.office365',
        kit.answer('link.start', (step, s) => signInOffice365Step(kit, step, s)),
      ],
      ['signIn.azure', (step, s) => signInAzureStep(kit, step, s)],
      ['preflight', (step, s) => preflightStep(kit, step, s)],
      [
        'impact.review',
        kit.answer('subscription.choose', (step, s, a) => reviewImpactStep(kit, step, s, a)),
      ],
      ['impact.show', (step, s) => showImpactStep(kit, step, s)],
      ['confirm', kit.answer('impact.continue', (step, s) => confirmStep(kit, step, s))],
      ['move.start', kit.answer('move.confirm', (step, s) => startMoveStep(kit, step, s))],
      ['move.after', (step, s) => afterMoveStep(kit, step, s)],
      ['move.verify', (step, s) => verifyStep(kit, step, s)],
      ['access.grant', (step, s) => grantAccessStep(kit, step, s)],
      [
        'access.start',
        kit.answer('access.grant', (step, s, a) => startAccessStep(kit, step, s, a)),
      ],
      ['access.after', (step, s) => afterAccessStep(kit, step, s)],
    ];
    this.addDialog(
      new WaterfallDialog(
        `${LINK_DIALOG}.steps`,
        steps.map(([name, step]) => this.guard(name, step)),
      ),
    );
    this.initialDialogId = `${LINK_DIALOG}.steps`;
  }

  /**
   * When the flow is cancelled from outside (the `cancel` command), before the inner dialogs are
   * cancelled (which empties their state), releases the subscription's
   * lock and marks the change record cancelled, as the Cancel button does.
   */
  override async endDialog(
    context: TurnContext,
    instance: DialogInstance,
    reason: DialogReason,
  ): Promise<void> {
    if (reason === DialogReason.cancelCalled) {
      const inner = (instance.state as { dialogs?: DialogState }).dialogs?.dialogStack ?? [];
      const steps = inner.find((d) => d.id === `${LINK_DIALOG}.steps`);
      const s = (steps?.state as { values?: { link?: LinkState } } | undefined)?.values?.link;
      if (s) {
        await this.kit.releaseLock(s);
        await this.kit.procedure.setStatus(s.flowId, 'cancelled');
        linkEnded('cancelled');
      }
    }
    await super.endDialog(context, instance, reason);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Wraps a step: state in `step.values`, and any failure ends the flow with a clear message. */
  private guard(name: string, fn: LinkStep) {
    return async (step: WaterfallStepContext): Promise<DialogTurnResult> => {
      const values = step.values as { link?: LinkState };
      if (!values.link) {
        const from = step.context.activity.from;
        values.link = {
          flowId: uuidv4(),
          initiatorId: from.id,
          initiatorName: from.name ?? from.id,
          dryRun: (step.options as LinkOptions | undefined)?.dryRun === true,
        } satisfies LinkState;
        linkStarted(values.link);
      }
      const s = values.link as LinkState;
      const result = await inLinkStep(s, name, async () => {
        try {
          return await fn(step, s);
        } catch (err) {
          return this.kit.fail(step, s, asTenantlinkError(err));
        }
      });
      // However the link ended (linked, failed, preflight failed, nothing to link…).
      if (result.status === DialogTurnStatus.complete)
        linkEnded((result.result as { outcome?: string } | undefined)?.outcome ?? 'ended');
      return result;
    };
  }
}
