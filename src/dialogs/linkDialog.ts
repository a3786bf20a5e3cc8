import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogReason,
  WaterfallDialog,
  type DialogInstance,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignedInAccount } from '../auth/signIn';
import { cardAttachment, renderCard } from '../cards/render';
import { allPassed } from '../domain/rules';
import { SEARCH_RESULTS_MAX } from './cardSearch';
import { screenSubscriptions } from './chooseEligibility';
import { userChoice } from './linkCards';
import { asTenantlinkError } from '../errors';
import { createLogger } from '../log';
import { reviewImpactJob } from '../link/impactJob';
import { changeDirectoryJob } from '../link/moveJob';
import { runPreflight } from '../link/preflight';
import { CardPrompt, answerInvoke, outcomeCard } from './cardPrompt';
import { accessJob, afterAccessStep, grantAccessStep, startAccessStep } from './linkAccessSteps';
import { confirmStep, reviewImpactStep, showImpactStep } from './linkReviewSteps';
import { LINK_WAIT_DIALOG, afterMoveStep, startMoveStep, verifyStep } from './linkMoveSteps';
import { WaitForBackgroundDialog } from './waitForBackground';
import {
  LINK_CARD_PROMPT,
  LINK_DIALOG,
  LinkStepKit,
  type LinkDialogDeps,
  type LinkJobStages,
  type LinkStep,
  type LinkOptions,
  type LinkResult,
} from './linkSteps';
import { assertSignedIn, type LinkState } from '../link/stages';

export {
  type LinkOptions,
  GRANT_PAGE_SIZE,
  GUIDED_MOVE_DIALOG,
  LINK_CARD_PROMPT,
  LINK_DIALOG,
  type LinkDialogDeps,
  type LinkResult,
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
            await deps.clients
              .directory(deps.tokens.credential(context.activity.from.id, 'office365', 'graph'))
              .listUsers({
                search: request.queryText.trim() || undefined,
                pageSize: SEARCH_RESULTS_MAX,
              })
          ).users.map(userChoice),
      }),
    );
    this.addDialog(
      new WaitForBackgroundDialog<LinkJobStages>(
        LINK_WAIT_DIALOG,
        deps.background,
        {
          impact: (userId, stage) => reviewImpactJob(this.kit.procedure, userId, stage),
          move: (userId, stage) => changeDirectoryJob(this.kit.procedure, userId, stage),
          access: accessJob(this.kit),
        },
        deps.localizer,
      ),
    );
    // The seeds' procedure, in order; a step after a card reads that card's answer by its verb.
    const steps: LinkStep[] = [
      (step, s) => this.welcome(step, s),
      kit.answer('link.start', (step, s) => this.signInOffice365(step, s)),
      (step, s) => this.signInAzure(step, s),
      (step, s) => this.preflight(step, s),
      kit.answer('subscription.choose', (step, s, a) => reviewImpactStep(kit, step, s, a)),
      (step, s) => showImpactStep(kit, step, s),
      kit.answer('impact.continue', (step, s) => confirmStep(kit, step, s)),
      kit.answer('move.confirm', (step, s) => startMoveStep(kit, step, s)),
      (step, s) => afterMoveStep(kit, step, s),
      (step, s) => verifyStep(kit, step, s),
      (step, s) => grantAccessStep(kit, step, s),
      kit.answer('access.grant', (step, s, a) => startAccessStep(kit, step, s, a)),
      (step, s) => afterAccessStep(kit, step, s),
    ];
    this.addDialog(
      new WaterfallDialog(
        `${LINK_DIALOG}.steps`,
        steps.map((s) => this.guard(s)),
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
      }
    }
    await super.endDialog(context, instance, reason);
  }

  // ---- steps -----------------------------------------------------------------------------

  private async welcome(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    return step.beginDialog(
      LINK_CARD_PROMPT,
      this.kit.prompt(s, ids.cardId, this.kit.cards(step).welcome(ids, s.dryRun === true), [
        'link.start',
      ]),
    );
  }

  private async signInOffice365(
    step: WaterfallStepContext,
    s: LinkState,
  ): Promise<DialogTurnResult> {
    await answerInvoke(
      step.context,
      outcomeCard(this.kit.cards(step).t('welcome.started'), '', 'Good'),
    );
    return step.beginDialog(this.kit.deps.signInDialogIds.office365, this.kit.signInOptions(s));
  }

  private async signInAzure(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    if (!step.result) return this.kit.cancel(step, s);
    s.office365 = step.result as SignedInAccount;
    s.org = await this.kit.deps.clients
      .directory(this.kit.credential(step, 'office365', 'graph'))
      .organization();
    await step.context.sendActivity(
      this.kit.cards(step).t('signIn.office365.ok', {
        name: s.office365.displayName,
        directory: s.org.displayName,
        domain: s.org.defaultDomain,
      }),
    );
    return step.beginDialog(this.kit.deps.signInDialogIds.azure, this.kit.signInOptions(s));
  }

  private async preflight(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    assertSignedIn(s);
    if (!step.result) return this.kit.cancel(step, s);
    s.azure = step.result as SignedInAccount;
    const cards = this.kit.cards(step);
    const azure = this.kit.azureAs(step, 'azure');
    const report = await runPreflight(
      this.kit.deps.clients.directory(this.kit.credential(step, 'office365', 'graph')),
      azure,
      (email) => this.kit.deps.clients.userRealm(email),
      s.azure,
    );
    await step.context.sendActivity({
      attachments: [cardAttachment(cards.preflight(report.results))],
    });
    this.kit.log.info(
      { flowId: s.flowId, failed: report.results.filter((r) => !r.passed).map((r) => r.rule) },
      'preflight',
    );
    if (!allPassed(report.results)) {
      await step.context.sendActivity(cards.t('preflight.stop'));
      return step.endDialog({ outcome: 'preflightFailed', flowId: s.flowId } satisfies LinkResult);
    }
    const outside = report.ownedSubscriptions.filter((x) => x.tenantId !== s.org.tenantId);
    if (outside.length === 0) {
      await step.context.sendActivity(cards.t('choose.none', { directory: s.org.displayName }));
      return step.endDialog({ outcome: 'nothingToLink', flowId: s.flowId } satisfies LinkResult);
    }
    // Offers and states Microsoft documents as unable to change directory are never offered.
    const screened = screenSubscriptions(outside, (key, params) => cards.t(key, params));
    for (const note of screened.notes) await step.context.sendActivity(note);
    if (screened.blocked.length > 0) {
      this.kit.log.info({ flowId: s.flowId, blocked: screened.blocked }, 'cannot change directory');
    }
    const candidates = screened.movable;
    if (candidates.length === 0) {
      await step.context.sendActivity(
        cards.t('choose.noneMovable', { directory: s.org.displayName }),
      );
      return step.endDialog({ outcome: 'nothingToLink', flowId: s.flowId } satisfies LinkResult);
    }
    const tenants = await azure.listTenants();
    s.owned = candidates;
    s.directoryNames = Object.fromEntries(tenants.map((t) => [t.tenantId, t.displayName]));
    const ids = { flowId: s.flowId, cardId: uuidv4() };
    const data = cards.chooseSubscription(
      ids,
      candidates,
      new Map(Object.entries(s.directoryNames)),
    );
    const names = new Map(Object.entries(s.directoryNames));
    return step.beginDialog(LINK_CARD_PROMPT, {
      ...this.kit.prompt(s, ids.cardId, renderCard('chooseSubscription', data), [
        'subscription.choose',
      ]),
      // More subscriptions than the card lists: the card's typeahead searches all of them.
      ...(data.dataset
        ? {
            search: {
              dataset: data.dataset,
              choices: candidates.map((c) => cards.subscriptionChoice(c, names)),
            },
          }
        : {}),
      rules: {
        'subscription.choose': {
          required: ['subscriptionId'],
          oneOf: { subscriptionId: candidates.map((c) => c.subscriptionId) },
        },
      },
    });
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Wraps a step: state in `step.values`, and any failure ends the flow with a clear message. */
  private guard(fn: LinkStep) {
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
      }
      const s = values.link as LinkState;
      try {
        return await fn(step, s);
      } catch (err) {
        return this.kit.fail(step, s, asTenantlinkError(err));
      }
    };
  }
}
