import type { AdaptiveCardJson } from '../cards/render';
import { asTenantlinkError } from '../errors';
import { createLogger } from '../log';

/**
 * A background job's progress, shown by replacing the card it was started from: at most one
 * update per `intervalMs` (Teams limits how fast a bot may send to one conversation,
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit), the latest state
 * only (intermediate ones are dropped), and the last one sent, at once, before the job reports
 * its result (one more update inside the interval, then the result: a few messages a second at
 * most, under the per-conversation limit; the result is not held back for it).
 * An update that fails is logged and the job goes on.
 */
export class ProgressUpdates {
  private readonly log = createLogger('progress');
  private pending: AdaptiveCardJson | undefined;
  private lastSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  /**
   * @param send replaces the card (a connector update of the message)
   * @param intervalMs least time between two updates, in ms
   * @param now clock (epoch ms)
   */
  constructor(
    private readonly send: (card: AdaptiveCardJson) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the latest progress; sends it now or when the interval allows. */
  readonly report = (card: AdaptiveCardJson): void => {
    this.pending = card;
    if (this.timer) return;
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0) this.sendPending();
    else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sendPending();
      }, wait);
      this.timer.unref();
    }
  };

  /** Sends what is pending now and resolves when every update (in order) is done. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.sendPending();
    }
    await this.chain;
  }

  private sendPending(): void {
    const card = this.pending;
    this.pending = undefined;
    if (!card) return;
    this.lastSent = this.now();
    this.chain = this.chain.then(() =>
      this.send(card).catch((err: unknown) =>
        this.log.warn({ code: asTenantlinkError(err).code }, 'progress not shown'),
      ),
    );
  }
}
