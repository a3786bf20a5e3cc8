import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { AdaptiveCardJson } from '../cards/render';
import type { TenantlinkErrorJson } from '../errors';
import type { Localizer } from '../i18n';

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

/** What a finished job reports: its value, or a catalogue error name and details. */
export interface BackgroundResult {
  readonly waitId: string;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: TenantlinkErrorJson;
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

/** A job the dialog can (re)start: a kind and JSON-safe parameters. */
export interface BackgroundJob {
  readonly kind: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Options of {@link WaitForBackgroundDialog}. */
export interface WaitOptions {
  readonly waitId: string;
  readonly job: BackgroundJob;
}

/** Starts a job and waits for its result; returns the {@link BackgroundResult}. */
export class WaitForBackgroundDialog extends Dialog<WaitOptions> {
  /**
   * @param jobs how to run each kind of job, for the Teams user who started it
   */
  constructor(
    dialogId: string,
    private readonly runner: BackgroundRunner,
    private readonly jobs: Readonly<
      Record<
        string,
        (
          userId: string,
          params: Readonly<Record<string, string>>,
          progress: ProgressReporter,
        ) => Promise<unknown>
      >
    >,
    private readonly localizer: Localizer,
  ) {
    super(dialogId);
  }

  override async beginDialog(dc: DialogContext, options?: WaitOptions): Promise<DialogTurnResult> {
    if (!options) throw new Error('WaitForBackgroundDialog needs options');
    dc.activeDialog!.state.options = options;
    this.start(dc.context, options);
    await dc.context.sendActivity({ type: ActivityTypes.Typing });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const options = dc.activeDialog!.state.options as WaitOptions;
    const activity = dc.context.activity;
    if (activity.type === ActivityTypes.Event && activity.name === BACKGROUND_DONE_EVENT) {
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

  private start(context: TurnContext, options: WaitOptions): void {
    const job = this.jobs[options.job.kind];
    if (!job) throw new Error(`unknown background job ${options.job.kind}`);
    // The job outlives the turn: it gets the user's id, never the turn's context.
    const userId = context.activity.from.id;
    this.runner.start(context, options.waitId, (progress) =>
      job(userId, options.job.params, progress),
    );
  }
}
