import { ActivityTypes, type TurnContext } from 'botbuilder';
import { cardAttachment, renderCard, type AdaptiveCardJson } from '../cards/render';
import { asTenantlinkError } from '../errors';
import { createLogger } from '../log';
import { isShared, withRefresh, type RefreshIds } from './userSpecificViews';

/**
 * Answering a card click (an Action.Execute `adaptiveCard/action` invoke) with the card that
 * replaces the clicked one (Universal Actions response `application/vnd.microsoft.card.adaptive`);
 * in a group chat or channel, as a user-specific view or as everyone's card
 * (src/dialogs/userSpecificViews.ts).
 */

/** Logger of {@link answerInvoke} (created at load; follows the logging configured later). */
const log = createLogger('card-answer');

/** Key in turn state recording that the invoke of this turn was answered. */
const ANSWERED = Symbol('tenantlink.invokeAnswered');

/**
 * Answers the turn's Action.Execute invoke with a card that replaces the clicked card
 * (Universal Actions response `application/vnd.microsoft.card.adaptive`).
 * Does nothing when the turn is not an invoke or was already answered.
 */
export async function answerInvoke(
  context: TurnContext,
  card: AdaptiveCardJson,
  view?: UserSpecificView,
): Promise<void> {
  if (context.activity.type !== ActivityTypes.Invoke || context.turnState.get(ANSWERED)) return;
  context.turnState.set(ANSWERED, true);
  const shared = isShared(context.activity);
  const answer =
    shared && view
      ? withRefresh(
          card,
          {
            flowId: view.flowId,
            cardId: view.cardId,
            ...(view.standing ? { standing: view.standing } : {}),
          },
          view.userIds === null ? undefined : (view.userIds ?? [view.initiatorId]),
        )
      : card;
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer },
    },
  });
  // In a shared conversation a card without a user-specific view is everyone's: it also replaces
  // the message's base card (a message update), which the others see.
  const replyToId = context.activity.replyToId;
  if (shared && !view && replyToId)
    await context
      .updateActivity({
        type: ActivityTypes.Message,
        id: replyToId,
        attachments: [cardAttachment(card)],
      })
      .catch((err: unknown) =>
        log.warn({ code: asTenantlinkError(err).code }, 'base card not updated'),
      );
}

/**
 * Answers the turn's Action.Execute invoke with a message instead of a card (Universal Actions
 * response `application/vnd.microsoft.activity.message`: the clicked card stays as it is).
 * Does nothing when the turn is not an invoke or was already answered.
 */
export async function answerWithMessage(context: TurnContext, text: string): Promise<void> {
  if (context.activity.type !== ActivityTypes.Invoke || context.turnState.get(ANSWERED)) return;
  context.turnState.set(ANSWERED, true);
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text },
    },
  });
}

/**
 * A card that only the initiator may use, in a group chat or channel: answered to them with a
 * `refresh` naming them, so it stays theirs (src/dialogs/userSpecificViews.ts).
 */
export interface UserSpecificView extends RefreshIds {
  readonly initiatorId: string;
  /**
   * Who refreshes into their own view (default: the initiator alone; null: the refresh names
   * nobody, see src/dialogs/userSpecificViews.ts `withRefresh`).
   */
  readonly userIds?: readonly string[] | null;
}

/** Whether the turn's invoke was answered (the bot answers unanswered ones as stale). */
export function invokeAnswered(context: TurnContext): boolean {
  return context.turnState.get(ANSWERED) === true;
}

/** A card without actions that replaces a card once it has been answered. */
export function outcomeCard(
  title: string,
  text = '',
  color: 'Default' | 'Good' | 'Attention' = 'Default',
): AdaptiveCardJson {
  return renderCard('outcome', { title, text, color, facts: [] });
}
