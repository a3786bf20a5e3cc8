import {
  ActivityTypes,
  TurnContext,
  type ChannelAccount,
  type BotAdapter,
  type ConversationReference,
  type Storage,
  type StoreItem,
} from 'botbuilder';
import type { BackgroundResult, BackgroundRunner } from '../dialogs/waitForBackground';
import { BACKGROUND_DONE_EVENT } from '../dialogs/waitForBackground';
import { errorToJson } from '../errors';
import { createLogger } from '../log';
import { CREATE_ONLY_ETAG } from '../state/createOnly';

/**
 * Runs background jobs in this process and reports each result to its conversation with the
 * adapter's proactive `continueConversationAsync`, as an event activity that goes through the
 * bot like any turn (so the dialog that waits for it continues). Jobs that have not reported are
 * listed in storage; after a restart {@link resumePending} wakes their conversations, and the
 * waiting dialog starts the job again.
 */

/** Name of the event that wakes a conversation whose job was interrupted by a restart. */
export const RESUME_EVENT = 'tenantlink/resume';

/** Storage key of the jobs not yet reported. */
const PENDING_KEY = 'jobs/pending';

interface PendingJob {
  readonly reference: Partial<ConversationReference>;
  readonly from: ChannelAccount;
  readonly locale?: string;
  readonly channelData?: unknown;
}

type PendingItem = StoreItem & { jobs: Record<string, PendingJob> };
export class AdapterBackgroundRunner implements BackgroundRunner {
  private readonly log = createLogger('background');
  /** Jobs still working, by wait id (what {@link isRunning} answers). */
  private readonly running = new Set<string>();
  /** Every job until its result has been reported (what {@link idle} waits for). */
  private readonly tasks = new Set<Promise<void>>();
  private bot: { run(context: TurnContext): Promise<void> } | undefined;

  /**
   * @param appId the bot's app id ('' in local mode)
   * @param storage where jobs not yet reported are listed
   */
  constructor(
    private readonly adapter: Pick<BotAdapter, 'continueConversationAsync'>,
    private readonly appId: string,
    private readonly storage: Storage,
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
      await this.updatePending((jobs) => {
        jobs[waitId] = { reference, from, locale, channelData };
      });
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
      await this.updatePending((jobs) => {
        delete jobs[waitId];
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

  /**
   * Wakes the conversations whose job did not report before the last stop, so their waiting
   * dialogs start the jobs again (called once at start).
   */
  async resumePending(): Promise<void> {
    const item = (await this.storage.read([PENDING_KEY]))[PENDING_KEY] as PendingItem | undefined;
    for (const [waitId, job] of Object.entries(item?.jobs ?? {})) {
      if (this.running.has(waitId)) continue;
      this.log.info({ waitId }, 'resuming a job interrupted by a restart');
      await this.adapter.continueConversationAsync(this.appId, job.reference, async (ctx) => {
        ctx.activity.type = ActivityTypes.Event;
        ctx.activity.name = RESUME_EVENT;
        ctx.activity.from = job.from;
        ctx.activity.locale = job.locale;
        ctx.activity.channelData = job.channelData;
        await this.bot?.run(ctx);
      });
    }
  }

  /** Read-modify-write of the pending jobs with eTag checks (a few retries on conflict). */
  private async updatePending(change: (jobs: Record<string, PendingJob>) => void): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = (await this.storage.read([PENDING_KEY]))[PENDING_KEY] as
        PendingItem | undefined;
      const jobs = { ...(current?.jobs ?? {}) };
      change(jobs);
      try {
        await this.storage.write({
          [PENDING_KEY]: { jobs, eTag: current?.eTag ?? CREATE_ONLY_ETAG },
        });
        return;
      } catch (err) {
        if (!/etag/i.test(String((err as Error).message))) throw err;
      }
    }
    throw new Error('the list of pending jobs kept changing');
  }
}
