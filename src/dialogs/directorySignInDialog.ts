import { ActivityTypes, TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  Dialog,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { v4 as uuidv4 } from 'uuid';
import type { DirectorySignIn, SignInCompletion, SignInContext } from '../auth/directorySignIn';
import type { Sealed } from '../auth/sealedStore';
import type { SignedInAccount } from '../auth/signIn';
import { renderCard, type AdaptiveCardJson } from '../cards/render';
import { ERRORS, asTenantlinkError } from '../errors';
import type { Localizer, MessageParams } from '../i18n';
import { createLogger } from '../log';
import {
  CardPrompt,
  answerInvoke,
  outcomeCard,
  type CardAction,
  type CardPromptOptions,
} from './cardPrompt';
import { VERB, inputsOf } from './verbs';
import { isInternalEvent } from './internalEvents';
import type { SignInDialogOptions } from './signInDialogOptions';

/**
 * The subscription administrator's sign-in (seed step "sign in to Azure") where Azure lets them
 * sign in: the card asks for the subscription's id, its directory is found from ARM's challenge
 * (src/azure/tenantDiscovery.ts), and the admin signs in at that directory through
 * {@link DirectorySignIn} (MSAL Node, authorization code + PKCE). Two ways to answer the identity
 * platform's page, one code path:
 * - the sign-in page in a browser (Microsoft's cloud; also offered locally): the card turns into
 *   "open the sign-in page", the page redirects to tenantlink's callback
 *   (src/bot/signInCallback.ts), which wakes this dialog with a {@link SIGN_IN_EVENT};
 * - locally, the sandbox account chosen on the card answers the sandbox's page at once.
 * Without a subscription id, the directory is the chosen sandbox account's (local mode) or
 * `organizations` (work and school accounts). Only the initiator can answer; the dialog ends with
 * the {@link SignedInAccount}, or undefined when cancelled.
 */

/** Name of the event that reports a sign-in completed in a browser. */
export const SIGN_IN_EVENT = 'tenantlink/signIn';

/** The value of a {@link SIGN_IN_EVENT}: the completion, for one flow (JSON; no token). */
export type SignInEventValue = { readonly flowId: string } & SignInCompletion;

/** Options of the dialog: the flow's, plus a retry's error and the card it answers. */
interface DirectorySignInOptions extends SignInDialogOptions {
  readonly retry?: {
    readonly cardId: string;
    readonly error: string;
    readonly subscriptionId: string;
  };
}

/** What the dialog needs. */
export interface DirectorySignInDeps {
  readonly signIn: DirectorySignIn;
  /**
   * The directory (tenant id) a subscription trusts, or undefined when no subscription has that id.
   * @throws TenantlinkError cloudUnavailable/cloudTimeout when ARM cannot be reached
   */
  readonly discover: (subscriptionId: string) => Promise<string | undefined>;
  readonly localizer: Localizer;
  /** The Azure portal's URL (for the "where to find the id" link). */
  readonly portalUrl: string;
  /** Local mode: the sandbox's accounts offered on the card, and its sign-in page answered. */
  readonly sandbox?: SandboxAccountPicker;
}

/**
 * The local stand-in for a person on the sign-in page (src/auth/sandboxTokenService.ts): the
 * sandbox's accounts, and the page answered as one of them.
 */
export interface SandboxAccountPicker {
  choices(kind: 'azure'): Promise<
    readonly {
      readonly value: string;
      readonly account: {
        readonly displayName: string;
        readonly signInName: string;
        readonly kind: string;
      };
      readonly directoryName: string;
    }[]
  >;
  answerSignInPage(
    authorizeUrl: string,
    choice: string,
  ): Promise<{ query: Record<string, string> } | { pageError: string }>;
}

const PROMPT = 'directorySignInCard';
const WAIT = 'directorySignInWait';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The render data of the "open the sign-in page" card (cards/directorySignInWait.json), all but
 * its URL (kept sealed).
 */
interface SignInWaitCardData {
  readonly flowId: string;
  readonly cardId: string;
  readonly title: string;
  readonly text: string;
  readonly openLabel: string;
  readonly restartLabel: string;
  readonly cancelLabel: string;
}

/**
 * Options of the "open the sign-in page" prompt: the sign-in page's URL completes a sign-in (its
 * `state`), so the dialog state keeps it sealed (src/auth/directorySignIn.ts `sealLink`), and the
 * stored card has no link; the initiator's card is rebuilt from the two (issue 25).
 */
interface SignInWaitOptions extends CardPromptOptions {
  readonly waitCard: SignInWaitCardData;
  readonly sealedUrl: Sealed;
}

/** The card without its link buttons (what the dialog state keeps). */
function withoutLinks(card: AdaptiveCardJson): AdaptiveCardJson {
  const actions = (card.actions as { type?: string }[] | undefined)?.filter(
    (a) => a.type !== 'Action.OpenUrl',
  );
  return actions ? { ...card, actions } : card;
}

/** The "open the sign-in page" card: waits for a click or for the sign-in's event. */
class SignInWaitPrompt extends CardPrompt {
  constructor(
    dialogId: string,
    localizer: Localizer,
    private readonly signIn: DirectorySignIn,
  ) {
    super(dialogId, localizer);
  }

  /** The card with the sign-in page's link, unsealed; without it when it no longer opens. */
  protected override cardOf(options: CardPromptOptions): AdaptiveCardJson {
    const { waitCard, sealedUrl } = options as SignInWaitOptions;
    const url = waitCard ? this.signIn.openLink(sealedUrl, options.flowId) : undefined;
    return url ? renderCard('directorySignInWait', { ...waitCard, url }) : options.card;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const activity = dc.context.activity;
    if (isInternalEvent(dc.context, SIGN_IN_EVENT)) {
      const options = dc.activeDialog!.state.options as CardPromptOptions;
      const value = activity.value as SignInEventValue | undefined;
      return value?.flowId === options.flowId ? dc.endDialog({ event: value }) : Dialog.EndOfTurn;
    }
    return super.continueDialog(dc);
  }
}

/** The subscription admin's sign-in dialog. */
export class DirectorySignInDialog extends ComponentDialog {
  private readonly log = createLogger('directory-sign-in');

  constructor(
    dialogId: string,
    private readonly deps: DirectorySignInDeps,
  ) {
    super(dialogId);
    this.addDialog(new CardPrompt(PROMPT, deps.localizer));
    this.addDialog(new SignInWaitPrompt(WAIT, deps.localizer, deps.signIn));
    this.addDialog(
      new WaterfallDialog(`${dialogId}.steps`, [
        this.askSubscription.bind(this),
        this.signIn.bind(this),
        this.signedIn.bind(this),
      ]),
    );
    this.initialDialogId = `${dialogId}.steps`;
  }

  private t(locale: string | undefined, key: string, params?: MessageParams): string {
    return this.deps.localizer.t(locale, key, params);
  }

  private async card(
    step: WaterfallStepContext,
    cardId: string,
    error: string,
    subscriptionId: string,
  ): Promise<{ card: AdaptiveCardJson; values: string[] }> {
    const options = step.options as DirectorySignInOptions;
    const locale = step.context.activity.locale;
    const choices = this.deps.sandbox ? await this.deps.sandbox.choices('azure') : [];
    const card = renderCard('directorySignIn', {
      flowId: options.flowId,
      cardId,
      title: this.t(locale, 'signIn.azure.title'),
      text: this.t(locale, 'signIn.directory.text'),
      error,
      idLabel: this.t(locale, 'signIn.directory.idLabel'),
      idPlaceholder: this.t(locale, 'signIn.directory.idPlaceholder'),
      idError: this.t(locale, 'signIn.directory.badId'),
      subscriptionId,
      // Links in card data are shown as text (the renderer defuses them): the page is a button.
      findId: this.t(locale, 'signIn.directory.findId'),
      findIdLabel: this.t(locale, 'signIn.directory.findIdButton'),
      findIdUrl: `${this.deps.portalUrl}/#view/Microsoft_Azure_Billing/SubscriptionsBladeV2`,
      accountLabel: this.t(locale, 'signIn.directory.accountLabel'),
      choices: choices.map((c) => ({
        title: this.t(locale, 'signIn.choice', {
          name: c.account.displayName,
          email: c.account.signInName,
          directory: c.directoryName,
          kind: c.account.kind,
        }),
        value: c.value,
      })),
      sandboxNote: this.t(locale, 'signIn.sandboxNote'),
      signInLabel: this.t(locale, 'signIn.button'),
      cancelLabel: this.t(locale, 'card.cancel'),
    });
    return { card, values: choices.map((c) => c.value) };
  }

  private async askSubscription(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as DirectorySignInOptions;
    const retry = options.retry;
    const cardId = retry?.cardId ?? uuidv4();
    const { card, values } = await this.card(
      step,
      cardId,
      retry?.error ?? '',
      retry?.subscriptionId ?? '',
    );
    return step.beginDialog(PROMPT, {
      card,
      flowId: options.flowId,
      cardId,
      initiatorId: options.initiatorId,
      initiatorName: options.initiatorName,
      verbs: [VERB.selectAccount],
      rules: { [VERB.selectAccount]: { oneOf: { choice: values } } },
      alreadySent: retry !== undefined,
    } satisfies CardPromptOptions);
  }

  /** Shows the card again with an error, in place of the clicked one. */
  private async retry(
    step: WaterfallStepContext,
    error: string,
    subscriptionId: string,
  ): Promise<DialogTurnResult> {
    const options = step.options as DirectorySignInOptions;
    const cardId = uuidv4();
    await answerInvoke(step.context, (await this.card(step, cardId, error, subscriptionId)).card, {
      flowId: options.flowId,
      cardId,
      initiatorId: options.initiatorId,
    });
    if (step.context.activity.type !== ActivityTypes.Invoke) await step.context.sendActivity(error);
    return step.replaceDialog(this.initialDialogId, {
      flowId: options.flowId,
      initiatorId: options.initiatorId,
      initiatorName: options.initiatorName,
      // Outside an invoke there is no card to replace: the next card is sent anew.
      ...(step.context.activity.type === ActivityTypes.Invoke
        ? { retry: { cardId, error, subscriptionId } }
        : {}),
    } satisfies DirectorySignInOptions);
  }

  private async signIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const action = step.result as CardAction;
    const options = step.options as DirectorySignInOptions;
    const locale = step.context.activity.locale;
    if (action.verb === VERB.cancel) return step.endDialog(undefined);
    const answer = inputsOf(action, VERB.selectAccount);
    const subscriptionId = (answer.subscriptionId ?? '').trim();
    const choice = answer.choice ?? '';
    let tenantId = choice.split('|')[1] || 'organizations';
    if (subscriptionId) {
      if (!GUID.test(subscriptionId))
        return this.retry(step, this.t(locale, 'signIn.directory.badId'), '');
      let discovered: string | undefined;
      try {
        discovered = await this.deps.discover(subscriptionId);
      } catch (err) {
        const e = asTenantlinkError(err);
        this.log.warn({ code: e.code, flowId: options.flowId }, 'directory discovery failed');
        return this.retry(
          step,
          `${this.t(locale, e.def.messageKey, e.params)} (${e.code})`,
          subscriptionId,
        );
      }
      if (!discovered)
        return this.retry(
          step,
          this.t(locale, 'signIn.directory.notFound', { id: subscriptionId }),
          subscriptionId,
        );
      tenantId = discovered;
    }
    const activity = step.context.activity;
    const context: SignInContext = {
      userId: activity.from.id,
      flowId: options.flowId,
      tenantId,
      conversation: TurnContext.getConversationReference(activity),
      from: activity.from,
      ...(activity.locale ? { locale: activity.locale } : {}),
    };
    const url = await this.deps.signIn.begin(context);
    if (choice && this.deps.sandbox) {
      // Local: the chosen sandbox account answers the sandbox's sign-in page now.
      const page = await this.deps.sandbox.answerSignInPage(url, choice);
      if ('pageError' in page)
        return this.retry(
          step,
          this.t(locale, 'signIn.directory.notInDirectory', {
            directory: tenantId,
            code: page.pageError,
          }),
          subscriptionId,
        );
      return this.finish(step, await this.deps.signIn.complete(page.query));
    }
    const cardId = uuidv4();
    const waitCard: SignInWaitCardData = {
      flowId: options.flowId,
      cardId,
      title: this.t(locale, 'signIn.directory.waitTitle'),
      text: this.t(locale, 'signIn.directory.waitText', { directory: tenantId }),
      openLabel: this.t(locale, 'signIn.directory.open'),
      restartLabel: this.t(locale, 'signIn.directory.restart'),
      cancelLabel: this.t(locale, 'card.cancel'),
    };
    const card = renderCard('directorySignInWait', { ...waitCard, url });
    // The sign-in page's URL is the initiator's alone: never on a card others see, and never in
    // the dialog state in clear (whoever opens it can complete the sign-in as another account).
    await answerInvoke(step.context, card, {
      flowId: options.flowId,
      cardId,
      initiatorId: options.initiatorId,
    });
    return step.beginDialog(WAIT, {
      card: withoutLinks(card),
      waitCard,
      sealedUrl: this.deps.signIn.sealLink(url, options.flowId),
      flowId: options.flowId,
      cardId,
      initiatorId: options.initiatorId,
      initiatorName: options.initiatorName,
      verbs: [VERB.restartSignIn],
      alreadySent: true,
    } satisfies SignInWaitOptions);
  }

  private async signedIn(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as CardAction | { event: SignInEventValue };
    if ('event' in result) return this.finish(step, result.event);
    if (result.verb === VERB.cancel) return step.endDialog(undefined);
    // Start again (the page was closed, or the link expired): the first card, sent anew.
    const options = step.options as DirectorySignInOptions;
    await answerInvoke(
      step.context,
      outcomeCard(this.t(step.context.activity.locale, 'signIn.directory.restart')),
    );
    return step.replaceDialog(this.initialDialogId, {
      flowId: options.flowId,
      initiatorId: options.initiatorId,
      initiatorName: options.initiatorName,
    } satisfies DirectorySignInOptions);
  }

  /** Ends with the account, or explains the refusal and shows the card again. */
  private async finish(
    step: WaterfallStepContext,
    completion: SignInCompletion,
  ): Promise<DialogTurnResult> {
    const locale = step.context.activity.locale;
    const options = step.options as DirectorySignInOptions;
    if (completion.ok) {
      const account: SignedInAccount = completion.account;
      const text = this.t(locale, 'signIn.done', {
        name: account.displayName,
        email: account.email,
      });
      if (step.context.activity.type === ActivityTypes.Invoke)
        await answerInvoke(step.context, outcomeCard(text, '', 'Good'));
      else await step.context.sendActivity(text);
      return step.endDialog(account);
    }
    const code = completion.detail ?? ERRORS.signInFailed.code;
    this.log.warn(
      {
        code:
          completion.reason === 'appCredential'
            ? ERRORS.signInCredential.code
            : ERRORS.signInFailed.code,
        reason: completion.reason,
        aadsts: completion.detail,
        flowId: options.flowId,
      },
      'directory sign-in refused',
    );
    const params = { code, directory: completion.context?.tenantId ?? '' };
    const message =
      completion.reason === 'declined'
        ? this.t(locale, 'signIn.directory.declined', params)
        : completion.reason === 'wrongDirectory'
          ? this.t(locale, 'signIn.directory.wrongDirectory', params)
          : completion.reason === 'unknownState'
            ? this.t(locale, 'signIn.page.refused')
            : completion.reason === 'appCredential'
              ? this.t(locale, ERRORS.signInCredential.messageKey, params)
              : this.t(locale, 'signIn.directory.failed', params);
    return this.retry(step, message, '');
  }
}
