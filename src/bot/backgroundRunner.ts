import {
  ActivityTypes,
  TurnContext,
  type ChannelAccount,
  type ConversationReference,
  type Storage,
  type StoreItem,
} from 'botbuilder';
import { cardAttachment, type AdaptiveCardJson } from '../cards/render';
import type {
  BackgroundResult,
  BackgroundRunner,
  JobOwner,
  ProgressReporter,
} from '../dialogs/waitForBackground';
import { BACKGROUND_DONE_EVENT } from '../dialogs/waitForBackground';
import { markInternalEvent } from '../dialogs/internalEvents';
import { errorToJson } from '../errors';
import { createLogger } from '../log';
import { updateItem } from '../state/createOnly';
import { ProgressUpdates } from './progressUpdates';

/**
 * Runs background jobs and reports each result to its conversation with the adapter's proactive
 * `continueConversationAsync`, as an event activity that goes through the bot like any turn (so
 * the dialog that waits for it continues). Several instances may share one store: every job not
 * yet reported is listed in storage with a **lease** (owner instance, expiry), taken with an eTag
 * so that one instance runs it, and renewed while it runs. An instance that finds a lease expired
 * (its owner crashed) or owned by itself but not running (it restarted) claims the job and wakes
 * its conversation; the waiting dialog starts the job again, and jobs are idempotent.
 */

/** Name of the event that wakes a conversation whose job was interrupted. */
export const RESUME_EVENT = 'tenantlink/resume';

/** Storage key of the jobs not yet reported. */
const PENDING_KEY = 'jobs/pending';

interface PendingJob {
  readonly reference: Partial<ConversationReference>;
  readonly from: ChannelAccount;
  readonly locale?: string;
  readonly channelData?: unknown;
  /** Instance that holds the job. */
  readonly owner: string;
  /** Epoch ms until which the owner's lease holds. */
  readonly leaseUntil: number;
  /** Conversations woken for it since it last started (a flow that no longer waits never restarts it). */
  readonly wakes?: number;
}

/** After this many wakes without the job starting again, the entry is dropped as abandoned. */
const MAX_WAKES = 3;

/** The adapter's proactive continuation (CloudAdapter's, or a test adapter's). */
export interface ProactiveAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

type PendingItem = StoreItem & { jobs: Record<string, PendingJob> };

/** Lease timing, in ms. */
export interface LeaseOptions {
  /** How long a lease lasts without renewal (renewed every third of it). */
  readonly leaseMs: number;
  /** How often to look for expired leases (0: only at start). */
  readonly sweepMs: number;
  /** Least time between two progress updates of a job's card, in ms (default 1,000). */
  readonly progressMs?: number;
}

/** Background jobs with leases in shared storage. */
export class AdapterBackgroundRunner implements BackgroundRunner {
  private readonly log = createLogger('background');
  /** Jobs this instance is working on, by wait id. */
  private readonly running = new Set<string>();
  /** Every job until its result has been reported (what {@link idle} waits for). */
  private readonly tasks = new Set<Promise<void>>();
  private bot: { run(context: TurnContext): Promise<void> } | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the start-up sweep (which also takes this instance's own orphans) has run. */
  private swept = false;
  /** Jobs whose conversation this instance is waking now (overlapping sweeps skip them). */
  private readonly waking = new Set<string>();
  /** How many running jobs wait for people now ({@link parked}); {@link idle} leaves them out. */
  private parkedCount = 0;
  /** The {@link idle} waits to wake when a job parks. */
  private readonly parkers = new Set<() => void>();
  /** Aborts at shutdown: the parked jobs end. */
  private readonly stopping = new AbortController();

  /**
   * @param appId the bot's app id ('' in local mode)
   * @param storage where jobs not yet reported are listed (shared by all instances)
   * @param instanceId this instance's stable name (the same after a restart)
   * @param lease lease length and sweep interval
   * @param now clock (epoch ms)
   */
  constructor(
    private readonly adapter: ProactiveAdapter,
    private readonly appId: string,
    private readonly storage: Storage,
    readonly instanceId = 'local',
    private readonly lease: LeaseOptions = { leaseMs: 60_000, sweepMs: 15_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** The bot that handles the result events (set once the bot is built). */
  attach(bot: { run(context: TurnContext): Promise<void> }): void {
    this.bot = bot;
  }

  start(
    owner: JobOwner,
    waitId: string,
    work: (progress: ProgressReporter) => Promise<unknown>,
    progressCardId?: string,
  ): void {
    if (this.running.has(waitId) || this.stopped) return;
    const { reference, from, locale, channelData } = owner;
    this.running.add(waitId);
    const task = (async (): Promise<void> => {
      const claimed = await this.claim(waitId, { reference, from, locale, channelData });
      if (!claimed) {
        this.log.debug({ waitId }, 'job leased by another instance');
        this.running.delete(waitId);
        return;
      }
      const renew = setInterval(() => void this.renew(waitId), this.lease.leaseMs / 3);
      renew.unref();
      const progress = new ProgressUpdates(
        (card) => this.updateCard(reference, progressCardId!, card),
        this.lease.progressMs ?? 1000,
      );
      let result: BackgroundResult;
      try {
        // The card clicked to start the job shows its progress (not for a job woken after a restart).
        const value = await work(progressCardId ? progress.report : () => undefined);
        result = { waitId, ok: true, value };
      } catch (err) {
        result = { waitId, ok: false, error: errorToJson(err) };
      } finally {
        clearInterval(renew);
        await progress.flush();
      }
      this.running.delete(waitId);
      if (this.stopped) return; // shutting down: the lease was released, another instance reruns it
      await this.wake({ reference, from, locale, channelData }, BACKGROUND_DONE_EVENT, result);
      await this.updatePending((jobs) => {
        if (jobs[waitId]?.owner !== this.instanceId) return false;
        delete jobs[waitId];
        return true;
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

  /**
   * Resolves when no job is running here (tests and graceful shutdown), leaving out the jobs
   * parked in a wait for people ({@link parked}): those end when someone answers, not by
   * themselves. A parked job that wakes is counted again until its result is reported.
   */
  async idle(): Promise<void> {
    while (this.tasks.size > this.parkedCount) {
      let parker = (): void => undefined;
      // Whichever comes first: a job ends (tasks never reject), or one parks.
      await Promise.race([
        ...this.tasks,
        new Promise<void>((resolve) => this.parkers.add((parker = resolve))),
      ]);
      this.parkers.delete(parker);
    }
  }

  /**
   * Runs `wait` (a job's wait for people, e.g. the approval job's pause between two looks at
   * its request) without counting the job as running for {@link idle}. Call it only from inside
   * a job's work.
   */
  async parked<T>(wait: Promise<T>): Promise<T> {
    if (this.stopping.signal.aborted) throw new Error('background runner stopped');
    this.parkedCount += 1;
    this.notifyParkers();
    let stop = (): void => undefined;
    // A shut-down runner ends its parked jobs (another instance takes them over).
    const stopped = new Promise<never>((_, reject) => {
      stop = () => reject(new Error('background runner stopped'));
      this.stopping.signal.addEventListener('abort', stop, { once: true });
    });
    try {
      return await Promise.race([wait, stopped]);
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
      this.parkedCount -= 1;
    }
  }

  /** Wakes the {@link idle} waits so that they count the parked jobs again. */
  private notifyParkers(): void {
    for (const resolve of this.parkers) resolve();
    this.parkers.clear();
  }

  /**
   * Wakes the conversations of the jobs that this instance should take over now: its own that it
   * is not running (it restarted) and any whose lease expired (another instance crashed). Called
   * at start, then every `sweepMs` by {@link startSweeping}.
   * @returns the wait ids taken over
   */
  async resumePending(): Promise<string[]> {
    const item = (await this.storage.read([PENDING_KEY]))[PENDING_KEY] as PendingItem | undefined;
    const atStart = !this.swept;
    this.swept = true;
    const taken: string[] = [];
    for (const [waitId, job] of Object.entries(item?.jobs ?? {})) {
      if (this.running.has(waitId) || this.waking.has(waitId) || this.stopped) continue;
      const orphan = (atStart && job.owner === this.instanceId) || job.leaseUntil <= this.now();
      if (!orphan) continue;
      this.waking.add(waitId);
      try {
        const claimed = await this.claim(waitId, job, (job.wakes ?? 0) + 1);
        if (claimed === 'abandoned') {
          this.log.warn({ waitId, wakes: job.wakes }, 'dropped a job that no flow waits for');
          continue;
        }
        if (!claimed) continue;
        this.log.info(
          { waitId, previousOwner: job.owner, instance: this.instanceId },
          'taking over an interrupted job',
        );
        taken.push(waitId);
        await this.wake(job, RESUME_EVENT);
      } finally {
        this.waking.delete(waitId);
      }
    }
    return taken;
  }

  /** Looks for jobs to take over every `sweepMs` (no-op when 0). */
  startSweeping(): void {
    if (this.lease.sweepMs <= 0 || this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.resumePending().catch((err: unknown) =>
        this.log.warn({ code: 'TL-BACKGROUND-SWEEP', err }, 'job sweep failed'),
      );
    }, this.lease.sweepMs);
    this.sweeper.unref();
  }

  /**
   * Graceful stop: takes no new job, waits up to `graceMs` for the running ones, then releases
   * the leases of those still running so that another instance (or this one restarted) takes
   * them over at once.
   * @returns the wait ids released unfinished
   */
  async shutdown(graceMs: number): Promise<string[]> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const finished = this.idle().then(() => true);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), graceMs).unref(),
    );
    await Promise.race([finished, timeout]);
    this.stopped = true;
    // Parked jobs (waiting for people) end here: their leases are released like the others'.
    this.stopping.abort();
    if (this.running.size === 0) return [];
    const unfinished = [...this.running];
    const released = this.updatePending((jobs) => {
      let changed = false;
      for (const waitId of unfinished) {
        const job = jobs[waitId];
        if (job?.owner === this.instanceId) {
          jobs[waitId] = { ...job, leaseUntil: 0 };
          changed = true;
        }
      }
      return changed;
    });
    // The store may be gone already (a crash); the leases then simply expire.
    await released.catch((err: unknown) =>
      this.log.warn({ code: 'TL-BACKGROUND-LEASE', err }, 'could not release the leases'),
    );
    this.log.warn({ unfinished }, 'released unfinished jobs');
    return unfinished;
  }

  /** Replaces a card of a conversation (a connector update of its message). */
  private async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCardJson,
  ): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference, async (ctx) => {
      await ctx.updateActivity({
        type: ActivityTypes.Message,
        id: activityId,
        attachments: [cardAttachment(card)],
      });
    });
  }

  /**
   * Runs an event activity named `name` through the bot in a conversation, as its user: the result
   * of a job, the wake-up of an interrupted one, or the end of a sign-in in a browser
   * (src/bot/signInCallback.ts).
   * @throws Error from the channel's connector when the conversation cannot be reached
   */
  async wake(
    job: Pick<PendingJob, 'reference' | 'from' | 'locale' | 'channelData'>,
    name: string,
    value?: unknown,
  ): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, job.reference, async (ctx) => {
      ctx.activity.type = ActivityTypes.Event;
      ctx.activity.name = name;
      if (value !== undefined) ctx.activity.value = value;
      ctx.activity.from = job.from;
      ctx.activity.locale = job.locale;
      ctx.activity.channelData = job.channelData;
      markInternalEvent(ctx);
      await this.bot?.run(ctx);
    });
  }

  /**
   * Takes the job's lease unless another instance holds a live one.
   * @param wakes how many times its conversation will have been woken (0 when the job starts)
   * @returns true when taken, false when another instance holds it, `abandoned` when it was woken
   *   {@link MAX_WAKES} times without starting (the entry is then deleted)
   */
  private async claim(
    waitId: string,
    job: Omit<PendingJob, 'owner' | 'leaseUntil'>,
    wakes = 0,
  ): Promise<boolean | 'abandoned'> {
    let abandoned = false;
    const taken = await this.updatePending((jobs) => {
      const current = jobs[waitId];
      if (current && current.owner !== this.instanceId && current.leaseUntil > this.now())
        return false;
      if (wakes > MAX_WAKES) {
        abandoned = true;
        delete jobs[waitId];
        return true;
      }
      jobs[waitId] = {
        reference: job.reference,
        from: job.from,
        locale: job.locale,
        channelData: job.channelData,
        owner: this.instanceId,
        leaseUntil: this.now() + this.lease.leaseMs,
        wakes,
      };
      return true;
    });
    return abandoned ? 'abandoned' : taken;
  }

  /** Extends this instance's lease on a running job (warns if another instance took it). */
  private async renew(waitId: string): Promise<void> {
    try {
      const kept = await this.updatePending((jobs) => {
        const job = jobs[waitId];
        if (job?.owner !== this.instanceId) return false;
        jobs[waitId] = { ...job, leaseUntil: this.now() + this.lease.leaseMs };
        return true;
      });
      if (!kept) this.log.warn({ waitId }, 'lease lost to another instance');
    } catch (err) {
      this.log.warn({ code: 'TL-BACKGROUND-LEASE', waitId, err }, 'lease renewal failed');
    }
  }

  /**
   * Read-modify-write of the pending jobs with eTag checks (a few retries on conflict).
   * @param change edits the jobs; returns false to write nothing
   * @returns what `change` returned on the attempt that was written (or skipped)
   * @throws Error when the list kept changing under five attempts, or from storage
   */
  private async updatePending(
    change: (jobs: Record<string, PendingJob>) => boolean,
  ): Promise<boolean> {
    const { written } = await updateItem<PendingItem>(
      this.storage,
      PENDING_KEY,
      (current) => {
        const jobs = { ...(current?.jobs ?? {}) };
        return change(jobs) ? { jobs } : undefined;
      },
      PENDING_KEY,
    );
    return written;
  }
}
