import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type Dialog,
  type DialogContext,
  type DialogInstance,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { Logger } from 'pino';
import type { SignedInAccount, TokenSource } from '../../auth/signIn';
import type { AzureSubscription } from '../../domain/model';
import { ERRORS, TenantlinkError, asTenantlinkError } from '../../errors';
import type { Localizer } from '../../i18n';
import type { LinkProcedure } from '../../link/procedure';
import type { FlowStart, LinkResult, StageEnd } from '../../link/stages';
import { createLogger } from '../../log';
import {
  inLinkStep,
  linkEnded,
  linkFailed,
  type LinkTraceState,
  type LinkTraceTags,
} from '../../telemetry/linkTrace';
import {
  CardPrompt,
  answerInvoke,
  outcomeCard,
  type CardAction,
  type CardPromptOptions,
  type CardSearchers,
} from '../cardPrompt';
import { inputsOf, type Verb, type VerbInputs } from '../verbs';
import { LinkCards } from '../linkCards';
import {
  WaitForBackgroundDialog,
  type BackgroundRunner,
  type JobTable,
  type WaitOptions,
} from '../waitForBackground';
import { VERB } from '../verbs';

/**
 * The base of the link's stage dialogs (src/dialogs/link/*Dialog.ts), in the shape of
 * BotBuilder-Samples' `CancelAndHelpDialog` (microsoft/BotBuilder-Samples, sample 81
 * skills-skilldialog, dialogs/cancelAndHelpDialog.js: a ComponentDialog base that owns what
 * every dialog of the bot does the same way). A stage takes the stage before it (src/link/stages.ts)
 * as its options, runs its steps (each a span of the link's trace, any error ends the link as
 * failed), and ends with a {@link StageEnd}: the next stage's input, or how the link ended. It
 * owns the endings (fail, cancel, end), its card prompt and its background wait.
 */

/** Id of a stage's card prompt. */
export const LINK_CARD_PROMPT = 'linkCardPrompt';
/** Id of a stage's background wait. */
export const LINK_WAIT_DIALOG = 'linkWait';
/** Where a stage's dialog instance keeps its flow (read when the link is cancelled from outside). */
const FLOW_KEY = 'linkFlow';

/** What every stage uses: its strings, the change record's status and the lock, the sign-out. */
export interface StagePorts {
  readonly localizer: Localizer;
  readonly procedure: Pick<LinkProcedure, 'setStatus' | 'unlock'>;
  /** Forgets the sign-ins when Graph or ARM refuses their token (see {@link LinkStageDialog.fail}). */
  readonly tokens: Pick<TokenSource, 'signOut'>;
  /** What the link's telemetry tells of this wiring of the link (none: a link on the clouds). */
  readonly trace?: LinkTraceTags;
}

/** A step of a stage, with the stage's flow. */
export type StageStep<F extends object> = (
  step: WaterfallStepContext<F>,
  flow: F,
) => Promise<DialogTurnResult>;

/** The flow as a stage keeps it: a subscription once chosen (its lock is released at the end). */
type KeptFlow = FlowStart & { readonly subscription?: AzureSubscription };

/** What the link dialog sees of a stage: a dialog from `In` to `Out` that can be cancelled. */
export interface LinkStage<In, Out> extends Dialog {
  cancelled(instance: DialogInstance): Promise<void>;
  /** The stage's types only (never set): its options, and what it ends with. */
  readonly types?: (options: In) => Out;
}

/**
 * A stage of the link. `In` is its options (the stage before it), `Out` what it ends with, `F` the
 * flow its steps share (built from `In` by {@link enter}; kept in the dialog state, JSON).
 */
export abstract class LinkStageDialog<In extends object, Out, F extends FlowStart>
  extends ComponentDialog
  implements LinkStage<In, Out>
{
  declare readonly types?: (options: In) => Out;

  protected readonly log: Logger = createLogger('link-dialog');

  /** @param searchers live searches of the stage's card typeaheads, by name */
  constructor(
    dialogId: string,
    private readonly ports: StagePorts,
    searchers?: CardSearchers,
  ) {
    super(dialogId);
    this.addDialog(new CardPrompt(LINK_CARD_PROMPT, ports.localizer, searchers));
  }

  /** The stage's flow, from its options and the turn that begins it. */
  protected abstract enter(context: TurnContext, options: In): F;

  /** Declares the stage's steps, in order, each with its name in the link's trace. */
  protected steps(steps: readonly (readonly [string, StageStep<F>])[]): void {
    const id = `${this.id}.steps`;
    // Each step: its span in the link's trace; any failure ends the link with a clear message.
    const guarded = steps.map(
      ([name, fn]) =>
        async (step: WaterfallStepContext<F>): Promise<DialogTurnResult> =>
          inLinkStep(this.traced(step.options), name, async () => {
            try {
              return await fn(step, step.options);
            } catch (err) {
              return this.fail(step, step.options, asTenantlinkError(err));
            }
          }),
    );
    this.addDialog(new WaterfallDialog<F>(id, guarded));
    this.initialDialogId = id;
  }

  /** Registers the stage's background wait, with how to run each of its jobs. */
  protected jobs<S>(background: BackgroundRunner, jobs: JobTable<S>): void {
    this.addDialog(
      new WaitForBackgroundDialog<S>(LINK_WAIT_DIALOG, background, jobs, this.ports.localizer),
    );
  }

  override async beginDialog(outerDC: DialogContext, options?: In): Promise<DialogTurnResult> {
    if (options === undefined)
      throw new TenantlinkError('internal', { detail: `${this.id} begun without its stage` });
    const flow = this.enter(outerDC.context, options);
    if (outerDC.activeDialog) outerDC.activeDialog.state[FLOW_KEY] = flow;
    return super.beginDialog(outerDC, flow);
  }

  /**
   * The link was cancelled from outside (the `cancel` command) while this stage ran: releases the
   * subscription's lock and marks the change record cancelled, as the Cancel button does.
   * @param instance this stage's dialog instance
   */
  async cancelled(instance: DialogInstance): Promise<void> {
    const flow = (instance.state as Record<string, KeptFlow | undefined>)[FLOW_KEY];
    if (!flow) return;
    await this.releaseLock(flow);
    await this.ports.procedure.setStatus(flow.flowId, 'cancelled');
    await this.onCancelled(flow);
    linkEnded('cancelled');
  }

  /**
   * What a stage ends besides the lock and the record when the link is cancelled from outside
   * (the approval stage: its request); nothing by default.
   */
  protected async onCancelled(_flow: FlowStart): Promise<void> {}

  /** Ends the stage: on to the next one with `next`. */
  protected next(step: WaterfallStepContext<F>, next: Out): Promise<DialogTurnResult> {
    return step.endDialog({ next } satisfies StageEnd<Out>);
  }

  /** Ends the link: releases the subscription's lock and counts the outcome. */
  protected async end(
    step: WaterfallStepContext<F>,
    flow: KeptFlow,
    outcome: LinkResult['outcome'],
  ): Promise<DialogTurnResult> {
    await this.releaseLock(flow);
    linkEnded(outcome);
    return step.endDialog({ ended: { outcome, flowId: flow.flowId } } satisfies StageEnd<Out>);
  }

  /** Ends the link with the error's localized message and code; marks the record failed. */
  protected async fail(
    step: WaterfallStepContext<F>,
    flow: KeptFlow,
    e: TenantlinkError,
  ): Promise<DialogTurnResult> {
    const { code, serviceCode, correlationId } = e;
    this.log.error(
      { code, flowId: flow.flowId, serviceCode, correlationId, err: e },
      'link step failed',
    );
    if (code === ERRORS.cloudUnauthorized.code) {
      // The token service still hands out a token that Graph or ARM refuses (revoked, or the
      // account lost consent): forget the sign-ins so that the next link shows the prompt again.
      await this.ports.tokens.signOut(flow.initiatorId).catch(() => undefined);
    }
    const text = this.cards(step).t(e.def.messageKey, { ...e.params, code });
    await answerInvoke(step.context, outcomeCard(text, code, 'Attention'));
    await step.context.sendActivity(`${text} (${code})`);
    await this.ports.procedure.setStatus(flow.flowId, 'failed');
    linkFailed(code);
    return this.end(step, flow, 'failed');
  }

  /** Ends the link as cancelled; nothing after the last confirmed step is changed. */
  protected async cancel(step: WaterfallStepContext<F>, flow: KeptFlow): Promise<DialogTurnResult> {
    const text = this.cards(step).t('cancel.done');
    await answerInvoke(step.context, outcomeCard(text));
    await step.context.sendActivity(text);
    await this.ports.procedure.setStatus(flow.flowId, 'cancelled');
    return this.end(step, flow, 'cancelled');
  }

  /**
   * A step that follows the stage's card: Cancel ends the link here, for every card; any other
   * answer is read as `verb`'s zod-typed inputs (verbs.ts) and handed to `answered` with what
   * the step that showed the card carried ({@link ask}). The card prompt let through only the
   * verbs its card offers (and Cancel).
   * @throws TenantlinkError cardInvalid when the answer is another verb's (a bug)
   */
  protected answered<V extends Verb, C = undefined>(
    verb: V,
    answered: (
      step: WaterfallStepContext<F>,
      flow: F,
      inputs: VerbInputs<V>,
      carried: C,
    ) => Promise<DialogTurnResult>,
  ): StageStep<F> {
    return async (step, flow) => {
      // The card prompt ends with a CardAction (src/dialogs/cardPrompt.ts).
      const action = step.result as CardAction | undefined;
      if (!action || action.verb === VERB.cancel) return this.cancel(step, flow);
      // `carry` is what this stage's own step gave its prompt (ask's `carried: C`).
      return answered(step, flow, inputsOf(action, verb), action.carry as C);
    };
  }

  /**
   * Shows a card that only the flow's initiator may answer; the next step reads the answer with
   * {@link answered}, and gets `carried` back with it.
   */
  protected ask<C = undefined>(
    step: WaterfallStepContext<F>,
    flow: F,
    prompt: Omit<CardPromptOptions, 'flowId' | 'initiatorId' | 'initiatorName' | 'carry'>,
    carried?: C,
  ): Promise<DialogTurnResult> {
    const { flowId, initiatorId, initiatorName } = flow;
    return step.beginDialog(LINK_CARD_PROMPT, {
      ...prompt,
      flowId,
      initiatorId,
      initiatorName,
      ...(carried === undefined ? {} : { carry: carried }),
    } satisfies CardPromptOptions);
  }

  /**
   * Runs one of the stage's background jobs and waits for its result (the next step reads it with
   * `jobResult`).
   * @param kind the job (a key of the table given to {@link jobs})
   * @param stage its typed stage (kept in the dialog state: JSON)
   */
  protected runJob<S, K extends keyof S & string>(
    step: WaterfallStepContext<F>,
    kind: K,
    stage: S[K] & { readonly flowId: string },
  ): Promise<DialogTurnResult> {
    const job = { kind, params: stage } as WaitOptions<S>['job'];
    return step.beginDialog(LINK_WAIT_DIALOG, {
      waitId: `${stage.flowId}:${kind}`,
      job,
    } satisfies WaitOptions<S>);
  }

  /** The account a sign-in dialog ended with; undefined when it was cancelled. */
  protected signedIn(step: WaterfallStepContext<F>): SignedInAccount | undefined {
    // The sign-in dialogs (oauthSignInDialog.ts, sandboxSignInDialog.ts) end with one or nothing.
    return step.result as SignedInAccount | undefined;
  }

  /** What the link's telemetry reads of a flow (or a job's stage): its id and the wiring's tags. */
  protected traced(flow: { readonly flowId: string }): LinkTraceState {
    return { ...this.ports.trace, flowId: flow.flowId };
  }

  /** Cards and strings in the turn's locale. */
  protected cards(step: { readonly context: TurnContext }): LinkCards {
    return new LinkCards(this.ports.localizer, step.context.activity.locale);
  }

  /** Releases the lock of the flow's subscription, if it holds one. */
  private async releaseLock(flow: KeptFlow): Promise<void> {
    if (flow.subscription)
      await this.ports.procedure.unlock({
        flowId: flow.flowId,
        subscriptionId: flow.subscription.subscriptionId,
      });
  }
}
