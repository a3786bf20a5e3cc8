import { TokenBucket } from 'limiter';
import { cardAttachment, type AdaptiveCardJson } from '../cards/render';
import type { ChannelNotifier } from '../link/ports';
import type { ProactiveAdapter } from './backgroundRunner';
import { createLogger } from '../log';
import type { ConversationReferenceStore } from '../state/conversationReferences';

/**
 * Posts a card proactively to the General channel of every team of a tenant where the bot is
 * installed (`continueConversationAsync` with the saved reference,
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 * A 403 `BotNotInConversationRoster` means the bot was removed from the team: the reference is
 * dropped (DESIGN.md, "Known traps"). Sends to one conversation are spaced to Teams' limit of
 * 7 per second per conversation ({@link MESSAGES_PER_SECOND} sent)
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit); the longer
 * windows there (8 per 2 s, 60 per 30 s) are left to the 429 that Teams then answers, which the Bot
 * Connector client retries after its Retry-After.
 */

/**
 * Sends per second to one conversation: one under Teams' limit of 7, so that timer jitter and
 * network latency never put an eighth into Teams' one-second window.
 */
export const MESSAGES_PER_SECOND = 6;
export class ProactiveChannelNotifier implements ChannelNotifier {
  private readonly log = createLogger('channel-notifier');
  /**
   * One bucket per conversation (the few teams of a tenant; kept for the process). A bucket of
   * one token refilled 6 times a second spaces sends by 1/6 s, so no sliding second holds more
   * than 6 or 7 (a bucket of 7 would let 14 through across a second's boundary).
   */
  private readonly limiters = new Map<string, TokenBucket>();

  /** @param appId the bot's app id ('' in local mode) */
  constructor(
    private readonly adapter: ProactiveAdapter,
    private readonly appId: string,
    private readonly references: ConversationReferenceStore,
  ) {}

  async notify(tenantId: string, card: Record<string, unknown>): Promise<number> {
    let sent = 0;
    for (const ref of await this.references.list(tenantId)) {
      try {
        // An error inside the callback would go to the adapter's turn error handler, not to us:
        // keep it and rethrow it here.
        let failure: unknown;
        await this.limiter(ref.reference.conversation?.id ?? ref.teamId).removeTokens(1);
        await this.adapter.continueConversationAsync(this.appId, ref.reference, async (context) => {
          try {
            await context.sendActivity({ attachments: [cardAttachment(card as AdaptiveCardJson)] });
          } catch (err) {
            failure = err;
          }
        });
        if (failure !== undefined) throw failure;
        sent++;
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        const text = String((err as Error).message);
        if (status === 403 || /BotNotInConversationRoster/.test(text)) {
          this.log.warn(
            { code: 'TL-NOTIFY-NOT-IN-TEAM', teamId: ref.teamId },
            'bot removed from team: reference dropped',
          );
          await this.references.remove(ref.teamId);
        } else {
          this.log.error(
            { code: 'TL-NOTIFY-FAILED', teamId: ref.teamId, err },
            'channel notification failed',
          );
        }
      }
    }
    return sent;
  }

  private limiter(conversationId: string): TokenBucket {
    let limiter = this.limiters.get(conversationId);
    if (!limiter) {
      limiter = new TokenBucket({
        bucketSize: 1,
        tokensPerInterval: MESSAGES_PER_SECOND,
        interval: 'second',
      });
      limiter.content = 1;
      this.limiters.set(conversationId, limiter);
    }
    return limiter;
  }
}
