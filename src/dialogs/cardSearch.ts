import { ActivityTypes, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Choice } from '../cards/render';

/**
 * Dynamic typeahead search of an adaptive card's Input.ChoiceSet (`choices.data` of type
 * Data.Query): Teams sends an `application/search` invoke with the text typed so far, and the bot
 * answers with up to `top` matching choices
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search).
 * Used when a list is too long for a card (the subscriptions of a large tenant).
 */

/** Name of Teams' search invoke. */
export const SEARCH_INVOKE = 'application/search';

/** Teams asks for at most this many results (and shows at most 15). */
export const SEARCH_RESULTS_MAX = 15;

const SearchValue = z.object({
  queryText: z.string().max(256).default(''),
  dataset: z.string().max(128),
  queryOptions: z
    .object({
      skip: z.number().int().min(0).max(10_000).default(0),
      top: z.number().int().min(1).max(100).default(SEARCH_RESULTS_MAX),
    })
    .default({}),
});

/** A parsed search request. */
export type SearchRequest = z.infer<typeof SearchValue>;

/** The search request of the turn, or undefined when the activity is not one (or is malformed). */
export function parseSearch(context: TurnContext): SearchRequest | undefined {
  const a = context.activity;
  if (a.type !== ActivityTypes.Invoke || a.name !== SEARCH_INVOKE) return undefined;
  const parsed = SearchValue.safeParse(a.value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The choices whose title or value contains every word of the query (case-insensitive), paged.
 * @returns at most `min(top, 15)` choices after `skip`
 */
export function searchChoices(choices: readonly Choice[], request: SearchRequest): Choice[] {
  const words = request.queryText.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = choices.filter((c) => {
    const text = `${c.title} ${c.value}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const top = Math.min(request.queryOptions.top, SEARCH_RESULTS_MAX);
  return matches.slice(request.queryOptions.skip, request.queryOptions.skip + top);
}

const ANSWERED = Symbol('tenantlink.searchAnswered');

/** Whether the turn's search invoke was answered. */
export function searchAnswered(context: TurnContext): boolean {
  return context.turnState.get(ANSWERED) === true;
}

/** Answers the search invoke with `results` (an empty list refuses nothing and shows nothing). */
export async function answerSearch(
  context: TurnContext,
  results: readonly Choice[],
): Promise<void> {
  if (searchAnswered(context)) return;
  context.turnState.set(ANSWERED, true);
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: {
        type: 'application/vnd.microsoft.search.searchResponse',
        value: { results: results.map((r) => ({ title: r.title, value: r.value })) },
      },
    },
  });
}
