import { ActivityTypes, TurnContext, type CloudAdapter } from 'botbuilder';
import type { BackgroundResult, BackgroundRunner } from '../dialogs/waitForBackground';
import { BACKGROUND_DONE_EVENT } from '../dialogs/waitForBackground';
import { errorToJson } from '../errors';
import { createLogger } from '../log';

/**
 * Runs background jobs in this process and reports each result to its conversation with the
 * adapter's proactive `continueConversationAsync`, as an event activity that goes through the
 * bot like any turn (so the dialog that waits for it continues).
 */
export class AdapterBackgroundRunner implements BackgroundRunner {
  private readonly log = createLogger('background');
  /** Jobs still working, by wait id (what {@link isRunning} answers). */
  private readonly running = new Set<string>();
  /** Every job until its result has been reported (what {@link idle} waits for). */
  private readonly tasks = new Set<Promise<void>>();
  private bot: { run(context: TurnContext): Promise<void> } | undefined;

  /** @param appId the bot's app id ('' in local mode) */
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  /** The bot that handles the result events (set once the bot is built). */
  attach(bot: { run(context: TurnContext): Promise<void> }): void {
    this.bot = bot;
  }

  start(context: TurnContext, waitId: string, work: () => Promise<unknown>): void {
    if (this.running.has(waitId)) return;
    const reference = TurnContext.getConversationReference(context.activity);
    const { from, locale, channelData } = context.activity;
    this.running.add(waitId);
    const task = (async (): Promise<void> => {
      let result: BackgroundResult;
      try {
        result = { waitId, ok: true, value: await work() };
      } catch (err) {
        result = { waitId, ok: false, error: errorToJson(err) };
      }
      this.running.delete(waitId);
      await this.adapter.continueConversationAsync(this.appId, reference, async (ctx) => {
        ctx.activity.type = ActivityTypes.Event;
        ctx.activity.name = BACKGROUND_DONE_EVENT;
        ctx.activity.value = result;
        ctx.activity.from = from;
        ctx.activity.locale = locale;
        ctx.activity.channelData = channelData;
        await this.bot?.run(ctx);
      });
    })().catch((err: unknown) => {
      this.running.delete(waitId);
      this.log.error({ code: 'TL-BACKGROUND-FAILED', waitId, err }, 'background job report failed');
    });
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  isRunning(waitId: string): boolean {
    return this.running.has(waitId);
  }

  /** Resolves when no job is running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}
