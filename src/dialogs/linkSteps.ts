import type { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { Logger } from 'pino';
import type { SignInKind, SignedInAccount, TokenSource } from '../auth/signIn';
import type { AzureSubscription, Organization } from '../domain/model';
import type { renderCard } from '../cards/render';
import type { AzureManagementPort, Office365DirectoryPort } from '../domain/ports';
import { ERRORS, type TenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import type { ChannelNotifier, CloudClients } from '../link/ports';
import type { AuditEntry, ChangeRecordStore, ChangeStatus } from '../state/changeRecords';
import { answerInvoke, outcomeCard, type CardAction, type CardPromptOptions } from './cardPrompt';
import { inputsOf, type Verb, type VerbInputs } from './cardInputs';
import { LinkCards } from './linkCards';
import type { BackgroundJob, BackgroundRunner, WaitOptions } from './waitForBackground';
import type { AccessStage } from '../link/accessJob';
import type { ImpactStage } from '../link/impactJob';
import type { MoveStage } from '../link/moveJob';
import { LinkProcedure, type FlowRef } from '../link/procedure';
import { assertChosen, type LinkState } from '../link/stages';
import { linkFailed } from '../telemetry/linkTrace';

/**
 * What the steps of the link waterfall share: ids, dependencies, the jobs' stages, and a kit of
 * helpers (cards in the turn's locale, credentials and clients for the two sign-ins, card prompts
 * and their typed answers, the endings: cancel, fail). The waterfall is linkDialog.ts; its steps
 * live in linkStartSteps.ts, linkReviewSteps.ts, linkMoveSteps.ts, linkAccessSteps.ts and
 * linkKeyVaultSteps.ts; the botbuilder-free procedure in src/link/.
 */

/** Id of the dialog. */
export const LINK_DIALOG = 'linkDialog';
/** Id of the card prompt inside it. */
export const LINK_CARD_PROMPT = 'linkCardPrompt';
/** Id of the guided move dialog registered beside it. */
export const GUIDED_MOVE_DIALOG = 'guidedMoveDialog';

/** Id of the dialog that waits for background jobs inside the link dialog. */
export const LINK_WAIT_DIALOG = 'linkWait';
/** Largest number of Office 365 users offered on the grant card (the first page). */
export const GRANT_PAGE_SIZE = 50;

/** What the dialog needs, wired by the composition root. */
export interface LinkDialogDeps {
  readonly localizer: Localizer;
  readonly tokens: TokenSource;
  readonly clients: CloudClients;
  readonly changes: ChangeRecordStore;
  /** Runs the long steps after their turn has answered. */
  readonly background: BackgroundRunner;
  readonly notifier: ChannelNotifier;
  readonly signInDialogIds: Readonly<Record<SignInKind, string>>;
  /**
   * The botbuilder-free procedure (clouds as the user's sign-ins, change record and audit,
   * subscription lock, propagation wait), shared with the key vault dialog.
   */
  readonly procedure: LinkProcedure;
}

/** How the dialog ended. */
export interface LinkResult {
  readonly outcome:
    | 'linked'
    | 'cancelled'
    | 'preflightFailed'
    | 'failed'
    | 'nothingToLink'
    | 'subscriptionBusy'
    /** Stopped before the confirm card: a resource cannot change directory. */
    | 'blocked'
    /** Moved; the new directory did not show the subscription within the propagation wait. */
    | 'awaitingDirectory';
  readonly flowId: string;
}

/** The stage of each of the link's background jobs, by kind (see {@link LinkStepKit.runJob}). */
export interface LinkJobStages {
  readonly impact: ImpactStage;
  readonly move: MoveStage;
  /**
   * The grant card's answer, its locale (for the progress shown on it and the notice), and what
   * the team channels' notice names.
   */
  readonly access: AccessStage & {
    readonly locale: string;
    readonly notice: {
      readonly subscription: AzureSubscription;
      readonly org: Organization;
      readonly office365: SignedInAccount;
      readonly portalUrl: string;
    };
  };
}

/** A step of the link waterfall, with the flow's state. */
export type LinkStep = (step: WaterfallStepContext, s: LinkState) => Promise<DialogTurnResult>;

/** Options of the link dialog (`link --dry-run`). */
export interface LinkOptions {
  readonly dryRun?: boolean;
}

/** Helpers of the link steps, bound to the dialog's dependencies. */
export class LinkStepKit {
  /** The botbuilder-free part: clouds as the user's sign-ins, change record and audit trail. */
  readonly procedure: LinkProcedure;

  constructor(
    readonly deps: LinkDialogDeps,
    readonly log: Logger,
  ) {
    this.procedure = deps.procedure;
  }

  /** Ends the flow with the error's localized message and code; marks the record failed. */
  async fail(
    step: WaterfallStepContext,
    s: LinkState,
    e: TenantlinkError,
  ): Promise<DialogTurnResult> {
    this.log.error(
      {
        code: e.code,
        flowId: s.flowId,
        serviceCode: e.serviceCode,
        correlationId: e.correlationId,
        err: e,
      },
      'link step failed',
    );
    if (e.code === ERRORS.cloudUnauthorized.code) {
      // The token service still hands out a token that Graph or ARM refuses (revoked, or the
      // account lost consent): forget the sign-ins so that the next link shows the prompt again.
      await this.deps.tokens.signOut(s.initiatorId).catch(() => undefined);
    }
    const text = this.cards(step).t(e.def.messageKey, { ...e.params, code: e.code });
    await answerInvoke(step.context, outcomeCard(text, e.code, 'Attention'));
    await step.context.sendActivity(`${text} (${e.code})`);
    await this.procedure.setStatus(s.flowId, 'failed');
    linkFailed(e.code);
    return this.end(step, s, 'failed');
  }

  /** Ends the flow as cancelled; nothing after the last confirmed step is changed. */
  async cancel(step: WaterfallStepContext, s: LinkState): Promise<DialogTurnResult> {
    const text = this.cards(step).t('cancel.done');
    await answerInvoke(step.context, outcomeCard(text));
    await step.context.sendActivity(text);
    await this.procedure.setStatus(s.flowId, 'cancelled');
    return this.end(step, s, 'cancelled');
  }

  /**
   * A waterfall step that follows a card: Cancel ends the flow here, for every card; any other
   * answer is read as `verb`'s zod-typed inputs (cardInputs.ts) and handed to `step`. The card
   * prompt let through only the verbs its card offers (and Cancel).
   * @throws TenantlinkError cardInvalid when the answer is another verb's (a bug)
   */
  answer<V extends Verb>(
    verb: V,
    answered: (
      step: WaterfallStepContext,
      s: LinkState,
      inputs: VerbInputs<V>,
    ) => Promise<DialogTurnResult>,
  ): LinkStep {
    return async (step, s) => {
      // The card prompt ends with a CardAction (src/dialogs/cardPrompt.ts).
      const action = step.result as CardAction | undefined;
      if (!action || action.verb === 'link.cancel') return this.cancel(step, s);
      return answered(step, s, inputsOf(action, verb));
    };
  }

  /**
   * Moves the change record to `status` and appends an audit entry (who: the initiator; when: now).
   * @throws Error when the record keeps changing under us
   */
  async record(
    s: LinkState,
    status: ChangeStatus,
    entry: Omit<AuditEntry, 'at' | 'by'>,
  ): Promise<void> {
    await this.procedure.record(s.flowId, s.initiatorId, status, entry);
  }

  /** The flow, its initiator and its subscription (once chosen), as every job's stage starts. */
  flowRef(s: LinkState): FlowRef {
    assertChosen(s);
    return {
      flowId: s.flowId,
      initiatorId: s.initiatorId,
      subscriptionId: s.subscription.subscriptionId,
    };
  }

  /** Ends the flow: releases the subscription's lock and returns the {@link LinkResult}. */
  async end(
    step: WaterfallStepContext,
    s: LinkState,
    outcome: LinkResult['outcome'],
  ): Promise<DialogTurnResult> {
    await this.releaseLock(s);
    return step.endDialog({ outcome, flowId: s.flowId } satisfies LinkResult);
  }

  /** Releases the lock of the flow's subscription, if it holds one. */
  async releaseLock(s: LinkState): Promise<void> {
    if (s.subscription)
      await this.procedure.unlock({
        flowId: s.flowId,
        subscriptionId: s.subscription.subscriptionId,
      });
  }

  /**
   * Runs one of the link's background jobs and waits for its result (the next step gets the
   * {@link BackgroundResult}, read with `jobResult`).
   * @param kind the job (`impact`, `move`, `access`)
   * @param stage its typed stage (kept in the dialog state: JSON)
   */
  runJob<K extends keyof LinkJobStages>(
    step: WaterfallStepContext,
    kind: K,
    stage: LinkJobStages[K],
  ): Promise<DialogTurnResult> {
    const job = { kind, params: stage } as BackgroundJob<LinkJobStages>;
    return step.beginDialog(LINK_WAIT_DIALOG, {
      waitId: `${stage.flowId}:${kind}`,
      job,
    } satisfies WaitOptions<LinkJobStages>);
  }

  /** Options of a card prompt that only the flow's initiator may answer. */
  prompt(
    s: LinkState,
    cardId: string,
    card: ReturnType<typeof renderCard>,
    verbs: CardPromptOptions['verbs'],
  ): CardPromptOptions {
    return {
      card,
      flowId: s.flowId,
      cardId,
      initiatorId: s.initiatorId,
      initiatorName: s.initiatorName,
      verbs,
    };
  }

  /** Options of the sign-in dialogs. */
  signInOptions(s: LinkState): {
    flowId: string;
    initiatorId: string;
    initiatorName: string;
  } {
    return { flowId: s.flowId, initiatorId: s.initiatorId, initiatorName: s.initiatorName };
  }

  /** Cards and strings in the turn's locale. */
  cards(step: WaterfallStepContext): LinkCards {
    return new LinkCards(this.deps.localizer, step.context.activity.locale);
  }

  /** A Microsoft Graph client as one of the two signed-in accounts. */
  directoryAs(step: { context: TurnContext }, kind: SignInKind): Office365DirectoryPort {
    return this.procedure.directory(step.context.activity.from.id, kind);
  }

  /** An ARM client as one of the two signed-in accounts. */
  azureAs(step: { context: TurnContext }, kind: SignInKind): AzureManagementPort {
    return this.procedure.azure(step.context.activity.from.id, kind);
  }

  /** The Azure portal's URL. */
  portalUrl(_step: WaterfallStepContext): string {
    return this.deps.clients.portalUrl;
  }
}
