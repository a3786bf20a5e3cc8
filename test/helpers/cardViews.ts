import type { Json } from './sandboxHttp';
import type { TeamsChannel, TeamsUser } from './teamsChannel';

/** A card the bot posted, with its activity id. */
export interface PostedCard {
  readonly id: string;
  readonly card: Json;
}

/**
 * The card as `user`'s Teams client shows it: a card with a Universal Actions `refresh` whose
 * `userIds` name them (or that names no one) is replaced in their client by the card the bot
 * answers the refresh invoke with; any other card is shown as posted
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 * @param posted the card as posted (e.g. `channel.lastCard(conversationId)`)
 * @throws Error when the refresh is not answered with a card
 */
export async function viewAs(
  channel: TeamsChannel,
  user: TeamsUser,
  posted: PostedCard,
  conversationId: string,
): Promise<PostedCard> {
  const refresh = (
    posted.card as { refresh?: { action: { verb: string; data: Json }; userIds?: string[] } }
  ).refresh;
  if (!refresh || (refresh.userIds && !refresh.userIds.includes(user.id))) return posted;
  const answer = await channel.invoke(
    user,
    refresh.action.verb,
    refresh.action.data,
    posted.id,
    conversationId,
  );
  const card = (answer.body as { value?: Json } | undefined)?.value;
  if (!card || typeof card !== 'object')
    throw new Error(`the refresh of ${posted.id} was not answered with a card (${answer.status})`);
  return { id: posted.id, card };
}
