import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import { cardInstant, renderCard, type GuidedMoveCardData } from '../cards/render';
import type { Localizer } from '../i18n';
import { isInDirectory } from '../link/move';
import type { AzureManagementPort } from '../domain/ports';
import { CardPrompt, answerInvoke, outcomeCard, type CardAction } from './cardPrompt';
import { VERB } from './verbs';

/**
 * The guided portal path, when the directory-change API refuses: explains why, links to the
 * subscription's "Change directory" in the Azure portal, and on "Verify" checks with ARM whether
 * the subscription now answers in the Office 365 directory; until it does, the card stays and
 * says so. Ends with `true` when moved, `false` when cancelled.
 */

/** Options of the guided path (plain data). */
export interface GuidedMoveOptions {
  readonly flowId: string;
  readonly initiatorId: string;
  readonly initiatorName: string;
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly sourceTenantId: string;
  readonly destinationTenantId: string;
  readonly destinationName: string;
  /** Why the API path was not taken: the service's message or code. */
  readonly reason: string;
  /** Set on a re-prompt: the card on screen and the status line to show. */
  readonly cardId?: string;
  readonly status?: string;
}

const PROMPT = 'guidedMoveCard';

/** The guided path dialog. */
export class GuidedMoveDialog extends ComponentDialog {
  /**
   * @param target builds ARM as the destination admin for the turn (tokens are fetched per call)
   */
  constructor(
    dialogId: string,
    private readonly localizer: Localizer,
    private readonly portalUrl: string,
    private readonly target: (step: WaterfallStepContext) => AzureManagementPort,
  ) {
    super(dialogId);
    this.addDialog(new CardPrompt(PROMPT, localizer));
    this.addDialog(
      new WaterfallDialog(`${dialogId}.steps`, [this.show.bind(this), this.verify.bind(this)]),
    );
    this.initialDialogId = `${dialogId}.steps`;
  }

  private card(
    locale: string | undefined,
    o: GuidedMoveOptions,
    cardId: string,
  ): GuidedMoveCardData {
    const t = (k: string, p?: Record<string, string>): string => this.localizer.t(locale, k, p);
    return {
      flowId: o.flowId,
      cardId,
      title: t('guided.title', { subscription: o.subscriptionName }),
      reason: t('guided.reason', { reason: o.reason }),
      steps: [
        t('guided.step1', { subscription: o.subscriptionName }),
        t('guided.step2'),
        t('guided.step3', { directory: o.destinationName }),
        t('guided.step4'),
      ],
      status: o.status ?? '',
      portalLabel: t('guided.portal'),
      portalUrl: `${this.portalUrl}/#@${o.sourceTenantId}/resource/subscriptions/${o.subscriptionId}/overview`,
      verifyLabel: t('guided.verify'),
      cancelLabel: t('card.cancel'),
    };
  }

  private async show(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as GuidedMoveOptions;
    const cardId = o.cardId ?? uuidv4();
    return step.beginDialog(PROMPT, {
      card: renderCard('guidedMove', this.card(step.context.activity.locale, o, cardId)),
      flowId: o.flowId,
      cardId,
      initiatorId: o.initiatorId,
      initiatorName: o.initiatorName,
      verbs: [VERB.verifyMove],
      alreadySent: o.cardId !== undefined,
    });
  }

  private async verify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const o = step.options as GuidedMoveOptions;
    const action = step.result as CardAction;
    const locale = step.context.activity.locale;
    if (action.verb === VERB.cancel) return step.endDialog(false);
    if (await isInDirectory(this.target(step), o.subscriptionId, o.destinationTenantId)) {
      await answerInvoke(
        step.context,
        outcomeCard(
          this.localizer.t(locale, 'guided.moved', {
            subscription: o.subscriptionName,
            directory: o.destinationName,
          }),
          '',
          'Good',
        ),
      );
      return step.endDialog(true);
    }
    const cardId = uuidv4();
    const next: GuidedMoveOptions = {
      ...o,
      cardId,
      status: this.localizer.t(locale, 'guided.notYet', {
        directory: o.destinationName,
        // Shown in the status TextBlock: each reader's client writes the time its own way.
        time: `{{TIME(${cardInstant(new Date().toISOString())})}}`,
      }),
    };
    await answerInvoke(step.context, renderCard('guidedMove', this.card(locale, next, cardId)), {
      flowId: o.flowId,
      cardId,
      initiatorId: o.initiatorId,
    });
    return step.replaceDialog(this.initialDialogId, next);
  }
}
