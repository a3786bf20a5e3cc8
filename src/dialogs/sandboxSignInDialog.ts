import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { SignInKind, SignedInAccount } from '../auth/signIn';
import type { SandboxTokenService } from '../auth/sandboxTokenService';
import { renderCard } from '../cards/render';
import { asTenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import { CardPrompt, answerInvoke, outcomeCard, type CardAction } from './cardPrompt';
import { VERB, inputsOf } from './verbs';
import type { SignInDialogOptions } from './signInDialogOptions';

/**
 * Local sign-in behind the SignIn port: a card lists the sandbox cloud's accounts for this
 * sign-in (Office 365: work accounts in their home directory; Azure: every account in every
 * directory it belongs to), and the chosen account gets its tokens from the sandbox's token
 * endpoint through {@link SandboxTokenService}. Ends with the {@link SignedInAccount}.
 * Options: `{ flowId, initiatorId, initiatorName }`.
 */

export type { SignInDialogOptions } from './signInDialogOptions';

const PROMPT = 'sandboxSignInCard';

/** The sandbox sign-in dialog for one kind of sign-in. */
export class SandboxSignInDialog extends ComponentDialog {
  private readonly log = createLogger('sandbox-sign-in');

  /**
   * @param dialogId id to register, e.g. `signIn.office365`
   * @param kind which sign-in of the procedure this is
   */
  constructor(
    dialogId: string,
    private readonly kind: SignInKind,
    private readonly tokens: SandboxTokenService,
    private readonly localizer: Localizer,
  ) {
    super(dialogId);
    this.addDialog(new CardPrompt(PROMPT, localizer));
    this.addDialog(
      new WaterfallDialog(`${dialogId}.steps`, [
        this.showAccounts.bind(this),
        this.signIn.bind(this),
      ]),
    );
    this.initialDialogId = `${dialogId}.steps`;
  }

  private async showAccounts(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SignInDialogOptions;
    const locale = step.context.activity.locale;
    const t = (k: string, p?: Record<string, string>): string => this.localizer.t(locale, k, p);
    const choices = await this.tokens.choices(this.kind);
    const cardId = uuidv4();
    const data = {
      flowId: options.flowId,
      cardId,
      title: t(`signIn.${this.kind}.title`),
      text: t(`signIn.${this.kind}.text`),
      error: '',
      accountLabel: t('signIn.accountLabel'),
      requiredMessage: t('card.required'),
      choices: choices.map((c) => ({
        title: t('signIn.choice', {
          name: c.account.displayName,
          email: c.account.signInName,
          directory: c.directoryName,
          kind: c.account.kind,
        }),
        value: c.value,
      })),
      sandboxNote: t('signIn.sandboxNote'),
      signInLabel: t('signIn.button'),
      cancelLabel: t('card.cancel'),
    };
    return step.beginDialog(PROMPT, {
      card: renderCard('signIn', data),
      retryCard: renderCard('signIn', { ...data, error: t('signIn.pick') }),
      flowId: options.flowId,
      cardId,
      initiatorId: options.initiatorId,
      initiatorName: options.initiatorName,
      verbs: [VERB.selectAccount],
      rules: {
        [VERB.selectAccount]: {
          required: ['choice'],
          oneOf: { choice: choices.map((c) => c.value) },
        },
      },
    });
  }

  private async signIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    const locale = step.context.activity.locale;
    if (action.verb === VERB.cancel) return step.endDialog(undefined);
    try {
      const account: SignedInAccount = await this.tokens.signIn(
        action.userId,
        this.kind,
        inputsOf(action, VERB.selectAccount).choice ?? '',
      );
      await answerInvoke(
        step.context,
        outcomeCard(
          this.localizer.t(locale, 'signIn.done', {
            name: account.displayName,
            email: account.email,
          }),
          '',
          'Good',
        ),
      );
      return step.endDialog(account);
    } catch (err) {
      const e = asTenantlinkError(err);
      this.log.warn({ code: e.code, kind: this.kind }, 'sandbox sign-in failed');
      await answerInvoke(
        step.context,
        outcomeCard(this.localizer.t(locale, e.def.messageKey, e.params), e.code, 'Attention'),
      );
      return step.replaceDialog(this.initialDialogId, step.options);
    }
  }
}
