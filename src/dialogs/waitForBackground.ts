import {
  ActivityTypes,
  TurnContext,
  type ChannelAccount,
  type ConversationReference,
} from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { AdaptiveCardJson } from '../cards/render';
import { TenantlinkError, type TenantlinkErrorJson } from '../errors';
import type { Localizer } from '../i18n';
import { isInternalEvent } from './internalEvents';

/**
 * Long steps (the directory change) run after the turn that started them has answered, so that
 * Teams gets its invoke answer at once and does not resend it. The work reports back to the
 * conversation as an event activity that this dialog waits for. If the bot restarted meanwhile
 * (the work is no longer running in this process), the next activity of the conversation starts
 * the job again from its descriptor; jobs are idempotent (they resume from the change record and
 * from what Azure already holds).
 */

/** Name of the event activity that reports a finished background job. */
export const BACKGROUND_DONE_EVENT = 'tenantlink/backgroundDone';

/**
 * What a finished job reports: the value its function returned (JSON), or the catalogue error it
 * failed with. `T` is the job's value (e.g. `ImpactJobResult`); read it with {@link jobResult}.
 */
export type BackgroundResult<T = unknown> =
  | { readonly waitId: string; readonly ok: true; readonly value: T }
  | { readonly waitId: string; readonly ok: false; readonly error: TenantlinkErrorJson };

/**
 * The result of the job that a waterfall step waited for with {@link WaitForBackgroundDialog}
 * (the step's `result`, which botbuilder types as any). `T` must be what that job's function
 * returns: the wait dialog ends only with the {@link BackgroundResult} of its own wait id.
 */
export function jobResult<T>(step: { readonly result?: unknown }): BackgroundResult<T> {
  return step.result as BackgroundResult<T>;
}

/**
 * Shows a running job's progress by replacing the card it was started from (throttled; see
 * src/bot/progressUpdates.ts). Does nothing for a job resumed after a restart.
 */
export type ProgressReporter = (card: AdaptiveCardJson) => void;

/**
 * Who a job acts for and where it reports: the person who started it, in the conversation it was
 * started from, recorded when the job is created (JSON, kept in the dialog state and in the list of
 * pending jobs). A job always runs, and its result and wake-ups always arrive, as this identity,
 * whoever's turn starts it again after a restart (issue 25: a stranger's message in a group chat
 * must wake the initiator's job, never run it as the stranger).
 */
export interface JobOwner {
  /** The conversation (its `user` is the initiator). */
  readonly reference: Partial<ConversationReference>;
  /** The initiator's Teams account (`id` is the key of their sign-ins). */
  readonly from: ChannelAccount;
  readonly locale?: string;
  /** The initiator's turn's channel data (Teams: tenant, team, channel). */
  readonly channelData?: unknown;
}

/** The {@link JobOwner} of the person whose turn this is. */
export function jobOwnerOf(context: TurnContext): JobOwner {
  const { from, locale, channelData } = context.activity;
  return {
    reference: TurnContext.getConversationReference(context.activity),
    from,
    ...(locale ? { locale } : {}),
    ...(channelData !== undefined ? { channelData } : {}),
  };
}

/** Runs jobs after the turn and reports their results back to the conversation. */
export interface BackgroundRunner {
  /**
   * Starts `work` now without awaiting it, unless it runs here already or another instance holds
   * a live lease on it; its result comes back to `owner`'s conversation, as `owner`, as a
   * {@link BACKGROUND_DONE_EVENT}.
   * @param progressCardId the message id of the card that shows the job's progress (the card
   *   clicked to start it), or undefined for none (a job started again after a restart)
   */
  start(
    owner: JobOwner,
    waitId: string,
    work: (progress: ProgressReporter) => Promise<unknown>,
    progressCardId?: string,
  ): void;
  /** Whether a job is running in this process. */
  isRunning(waitId: string): boolean;
}

/**
 * How to run each kind of job, for the Teams user who started it: `Stages` maps each kind to its
 * typed stage (JSON: it is kept in the dialog state, and a job woken after a restart gets it back).
 */
export type JobTable<Stages> = {
  readonly [K in keyof Stages]: (
    userId: string,
    stage: Stages[K],
    progress: ProgressReporter,
  ) => Promise<unknown>;
};

/** A job the dialog can (re)start: its kind and its stage. */
export type BackgroundJob<Stages> = {
  readonly [K in keyof Stages]: { readonly kind: K; readonly params: Stages[K] };
}[keyof Stages];

/** Options of {@link WaitForBackgroundDialog}. */
export interface WaitOptions<Stages> {
  readonly waitId: string;
  readonly job: BackgroundJob<Stages>;
}

/** What the dialog keeps: its options and the job's owner, recorded when it began. */
interface WaitState<Stages> extends WaitOptions<Stages> {
  readonly owner: JobOwner;
}

/** Starts a job and waits for its result; returns the {@link BackgroundResult}. */
export class WaitForBackgroundDialog<Stages> extends Dialog<WaitOptions<Stages>> {
  /**
   * @param jobs how to run each kind of job, for the Teams user who started it
   */
  constructor(
    dialogId: string,
    private readonly runner: BackgroundRunner,
    private readonly jobs: JobTable<Stages>,
    private readonly localizer: Localizer,
  ) {
    super(dialogId);
  }

  override async beginDialog(
    dc: DialogContext,
    options?: WaitOptions<Stages>,
  ): Promise<DialogTurnResult> {
    if (!options) throw new Error('WaitForBackgroundDialog needs options');
    // The turn that begins the wait is the initiator's (a card only they can answer, or an event
    // tenantlink raised as them): the job is theirs from now on.
    const state: WaitState<Stages> = { ...options, owner: jobOwnerOf(dc.context) };
    dc.activeDialog!.state.options = state;
    const activity = dc.context.activity;
    this.start(state, activity.type === ActivityTypes.Invoke ? activity.replyToId : undefined);
    await dc.context.sendActivity({ type: ActivityTypes.Typing });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state.options as WaitState<Stages>;
    const activity = dc.context.activity;
    if (isInternalEvent(dc.context, BACKGROUND_DONE_EVENT)) {
      const result = activity.value as BackgroundResult | undefined;
      return result?.waitId === state.waitId ? dc.endDialog(result) : Dialog.EndOfTurn;
    }
    if (!this.runner.isRunning(state.waitId)) {
      // Not running here: if no instance holds a live lease on it (its process is gone), the
      // runner takes it and runs it again, as its owner, whoever's turn this is; otherwise this
      // does nothing.
      this.start(state, undefined);
    }
    if (activity.type === ActivityTypes.Message) {
      await dc.context.sendActivity(this.localizer.t(activity.locale, 'wait.working'));
    }
    return Dialog.EndOfTurn;
  }

  private start(state: WaitState<Stages>, progressCardId: string | undefined): void {
    const { kind, params } = state.job;
    // `params` is the stage of this `kind` (BackgroundJob pairs them); TypeScript cannot
    // correlate the two through the union, hence the widening of the table's entry.
    const job = this.jobs[kind] as
      | ((userId: string, stage: unknown, progress: ProgressReporter) => Promise<unknown>)
      | undefined;
    if (!job) throw new Error(`unknown background job ${String(kind)}`);
    if (!state.owner?.from?.id) throw new Error(`background job ${state.waitId} has no owner`);
    // The job outlives the turn: it gets its owner's id, never the turn's context.
    const userId = state.owner.from.id;
    const initiatorId = (params as { readonly initiatorId?: unknown } | undefined)?.initiatorId;
    if (typeof initiatorId === 'string' && initiatorId !== userId)
      throw new TenantlinkError('internal', {
        detail: `background job ${state.waitId}: owner is not the stage's initiator`,
      });
    this.runner.start(
      state.owner,
      state.waitId,
      (progress) => job(userId, params, progress),
      progressCardId,
    );
  }
}
