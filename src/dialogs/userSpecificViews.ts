import type { Activity } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/render';
import { VERB } from './verbs';

/**
 * Cards in group chats and channels, where everyone sees the bot's messages: the initiator alone
 * gets the card's buttons and inputs, as a User Specific View of Universal Actions
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 * The message holds the base card (the same content, no inputs or buttons, and who can answer);
 * its `refresh` names the initiator in `userIds`, so the initiator's Teams client asks for their
 * own view with an automatic `adaptiveCard/action` invoke ({@link REFRESH_VERB}) and the bot
 * answers with the full card. A card the bot answers with that has no `refresh` (an outcome) is
 * everyone's and also replaces the base card (a message update).
 */

/** The verb of the refresh action (the automatic invoke of a user-specific view). */
export const REFRESH_VERB = VERB.refresh;

/** Whether the conversation is shared: a group chat or a channel (not a personal chat). */
export function isShared(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type === 'groupChat' || type === 'channel' || activity.conversation?.isGroup === true;
}

/**
 * The ids a refresh carries back: the card's flow and id, and for a card that outlives its flow
 * (the after-move checklist, the approval card of a policy's channel) which standing card it is,
 * so that the bot answers it without a dialog waiting for it.
 */
export interface RefreshIds {
  readonly flowId: string;
  readonly cardId: string;
  readonly standing?: 'checklist' | 'approval';
}

/**
 * The card with a `refresh` that gives `userIds` their own view of it. `userIds` undefined omits
 * them: in a chat or channel of at most 60 users every client then refreshes on its own, in a
 * larger one nobody's does (each can refresh by hand); an empty list would turn the automatic
 * refresh off for everyone (MicrosoftDocs/msteams-docs PR #5770, the user-specific views page
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 */
export function withRefresh(
  card: AdaptiveCardJson,
  ids: RefreshIds,
  userIds: readonly string[] | undefined,
): AdaptiveCardJson {
  return {
    ...card,
    refresh: {
      action: { type: 'Action.Execute', title: 'Refresh', verb: REFRESH_VERB, data: ids },
      ...(userIds ? { userIds: [...userIds] } : {}),
    },
  };
}

/** Removes inputs and buttons, anywhere in the card. */
function readOnly(node: unknown): unknown {
  if (Array.isArray(node))
    return node
      .filter((n) => {
        const type = (n as { type?: unknown } | null)?.type;
        return !(typeof type === 'string' && (type.startsWith('Input.') || type === 'ActionSet'));
      })
      .map(readOnly);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    if (k !== 'actions' && k !== 'selectAction') out[k] = readOnly(v);
  return out;
}

/**
 * The base card everyone sees: the card without inputs and buttons, with a last line saying who
 * can answer, and the refresh that gives the initiator the full card.
 */
export function baseView(
  card: AdaptiveCardJson,
  note: string,
  ids: RefreshIds,
  initiatorId: string,
): AdaptiveCardJson {
  const view = readOnly(card) as AdaptiveCardJson;
  return withRefresh(
    {
      ...view,
      body: [...view.body, { type: 'TextBlock', text: note, wrap: true, isSubtle: true }],
    },
    ids,
    [initiatorId],
  );
}
