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
 * dropped (DESIGN.md, "Known traps").
 */
export class ProactiveChannelNotifier implements ChannelNotifier {
  private readonly log = createLogger('channel-notifier');

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
}
