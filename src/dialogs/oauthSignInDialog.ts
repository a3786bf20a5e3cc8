import type { TokenResponse } from 'botbuilder';
import {
  ComponentDialog,
  OAuthPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { accountFromToken } from '../auth/accountClaims';
import {
  connectionFor,
  resourcesOf,
  type OAuthConnections,
  type Resource,
  type SignInKind,
  type SignedInAccount,
  type TokenSource,
} from '../auth/signIn';
import { ERRORS } from '../errors';
import type { Localizer } from '../i18n';
import { PSEUDO_LOCALE } from '../i18n/pseudo';
import { createLogger } from '../log';
import type { SignInDialogOptions } from './signInDialogOptions';

/**
 * Sign-in on Microsoft's cloud behind the SignIn port: one botbuilder OAuthPrompt per Bot
 * Framework OAuth connection of the sign-in (Office 365 admin: `graph` then `azureTarget`;
 * subscription admin: `azureSource` then `azureSourceGraph`). The prompt shows the OAuth card,
 * and handles Teams SSO (`signin/tokenExchange`, answered 412 when the exchange fails so that
 * Teams falls back to the card) and the magic code (`signin/verifyState` or six digits typed)
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-code).
 * A user who already has tokens passes without a card. Both connections must give tokens of the
 * same account; only the person who started the flow can sign in for it. The tokens are read for
 * their claims and dropped: the dialog ends with a {@link SignedInAccount} and stores no token.
 * Options: {@link SignInDialogOptions}.
 */
export class OAuthSignInDialog extends ComponentDialog {
  private readonly log = createLogger('oauth-sign-in');

  /**
   * @param dialogId id to register, e.g. `signIn.office365`
   * @param kind which sign-in of the procedure this is
   * @param connections the OAuth connection names
   * @param tokens where a sign-out goes when the two sign-ins do not match
   * @param timeoutMs how long an OAuth card waits for the user, in ms (botbuilder's default: 15 min)
   */
  constructor(
    dialogId: string,
    private readonly kind: SignInKind,
    connections: OAuthConnections,
    private readonly tokens: TokenSource,
    private readonly localizer: Localizer,
    timeoutMs = 15 * 60_000,
  ) {
    super(dialogId);
    // One prompt per connection and locale: an OAuthPrompt's card title and text are fixed.
    for (const resource of resourcesOf(kind)) {
      for (const locale of [...localizer.locales(), PSEUDO_LOCALE]) {
        this.addDialog(
          new OAuthPrompt(this.promptId(resource, locale), {
            connectionName: connectionFor(connections, kind, resource),
            title: localizer.t(locale, 'signIn.button'),
            text: localizer.t(locale, `signIn.${kind}.${resource}`),
            timeout: timeoutMs,
          }),
        );
      }
    }
    this.addDialog(
      new WaterfallDialog(`${dialogId}.steps`, [
        this.first.bind(this),
        this.second.bind(this),
        this.done.bind(this),
      ]),
    );
    this.initialDialogId = `${dialogId}.steps`;
  }

  private promptId(resource: Resource, locale: string): string {
    return `${this.id}.${resource}.${locale}`;
  }

  private prompt(step: WaterfallStepContext, resource: Resource): Promise<DialogTurnResult> {
    const locale = this.localizer.resolve(step.context.activity.locale);
    return step.beginDialog(this.promptId(resource, locale));
  }

  private async first(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const locale = step.context.activity.locale;
    await step.context.sendActivity(this.localizer.t(locale, `signIn.${this.kind}.text`));
    return this.prompt(step, resourcesOf(this.kind)[0]);
  }

  private async second(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const account = await this.accept(step);
    if (account === 'cancelled') return step.endDialog(undefined);
    if (account === 'refused') return step.replaceDialog(this.initialDialogId, step.options);
    (step.values as { account?: SignedInAccount }).account = account;
    return this.prompt(step, resourcesOf(this.kind)[1]);
  }

  private async done(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const locale = step.context.activity.locale;
    const first = (step.values as { account: SignedInAccount }).account;
    const second = await this.accept(step);
    if (second === 'cancelled') return step.endDialog(undefined);
    if (second === 'refused') return step.replaceDialog(this.initialDialogId, step.options);
    if (second.objectId !== first.objectId || second.tenantId !== first.tenantId) {
      this.log.warn(
        { code: ERRORS.signInFailed.code, kind: this.kind },
        'two different accounts signed in',
      );
      await this.tokens.signOut(step.context.activity.from.id, this.kind);
      await step.context.sendActivity(
        this.localizer.t(locale, 'signIn.sameAccount', {
          first: first.email,
          second: second.email,
        }),
      );
      return step.replaceDialog(this.initialDialogId, step.options);
    }
    await step.context.sendActivity(
      this.localizer.t(locale, 'signIn.done', { name: first.displayName, email: first.email }),
    );
    return step.endDialog(first);
  }

  /**
   * Reads the account from the prompt's token (then drops the token).
   * @returns `cancelled` when the prompt ended without a token (timed out), `refused` when someone
   *   other than the initiator signed in or the token is unreadable
   */
  private async accept(
    step: WaterfallStepContext,
  ): Promise<SignedInAccount | 'cancelled' | 'refused'> {
    const response = step.result as TokenResponse | undefined;
    if (!response?.token) return 'cancelled';
    const options = step.options as SignInDialogOptions;
    const from = step.context.activity.from;
    const locale = step.context.activity.locale;
    if (from.id !== options.initiatorId) {
      this.log.warn(
        { code: ERRORS.cardNotInitiator.code, flowId: options.flowId },
        'sign-in by someone other than the initiator',
      );
      await step.context.sendActivity(
        this.localizer.t(locale, ERRORS.cardNotInitiator.messageKey, {
          name: options.initiatorName,
          user: from.name ?? '',
        }),
      );
      return 'refused';
    }
    try {
      return accountFromToken(this.kind, response.token);
    } catch {
      this.log.warn({ code: ERRORS.signInFailed.code, kind: this.kind }, 'unreadable token');
      await step.context.sendActivity(this.localizer.t(locale, ERRORS.signInFailed.messageKey));
      return 'refused';
    }
  }
}
