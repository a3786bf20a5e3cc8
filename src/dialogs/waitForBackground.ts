import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { AdaptiveCardJson } from '../cards/render';
import type { TenantlinkErrorJson } from '../errors';
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

/** Runs jobs after the turn and reports their results back to the conversation. */
export interface BackgroundRunner {
  /**
   * Starts `work` now without awaiting it, unless it runs here already or another instance holds
   * a live lease on it; its result comes back as a {@link BACKGROUND_DONE_EVENT}.
   */
  start(
    context: TurnContext,
    waitId: string,
    work: (progress: ProgressReporter) => Promise<unknown>,
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
    dc.activeDialog!.state.options = options;
    this.start(dc.context, options);
    await dc.context.sendActivity({ type: ActivityTypes.Typing });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const options = dc.activeDialog!.state.options as WaitOptions<Stages>;
    const activity = dc.context.activity;
    if (isInternalEvent(dc.context, BACKGROUND_DONE_EVENT)) {
      const result = activity.value as BackgroundResult | undefined;
      return result?.waitId === options.waitId ? dc.endDialog(result) : Dialog.EndOfTurn;
    }
    if (!this.runner.isRunning(options.waitId)) {
      // Not running here: if no instance holds a live lease on it (its process is gone), the
      // runner takes it and runs it again; otherwise this does nothing.
      this.start(dc.context, options);
    }
    if (activity.type === ActivityTypes.Message) {
      await dc.context.sendActivity(this.localizer.t(activity.locale, 'wait.working'));
    }
    return Dialog.EndOfTurn;
  }

  private start(context: TurnContext, options: WaitOptions<Stages>): void {
    const { kind, params } = options.job;
    // `params` is the stage of this `kind` (BackgroundJob pairs them); TypeScript cannot
    // correlate the two through the union, hence the widening of the table's entry.
    const job = this.jobs[kind] as
      | ((userId: string, stage: unknown, progress: ProgressReporter) => Promise<unknown>)
      | undefined;
    if (!job) throw new Error(`unknown background job ${String(kind)}`);
    // The job outlives the turn: it gets the user's id, never the turn's context.
    const userId = context.activity.from.id;
    this.runner.start(context, options.waitId, (progress) => job(userId, params, progress));
  }
}
