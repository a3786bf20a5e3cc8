import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { z } from 'zod';
import { cardAttachment, type AdaptiveCardJson, type Choice } from '../cards/render';
import { ERRORS, asTenantlinkError } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import { answerInvoke, type UserSpecificView } from './cardAnswers';
import { fitsVerb, type Verb } from './verbs';
import { REFRESH_VERB, baseView, isShared } from './userSpecificViews';
import {
  SEARCH_RESULTS_MAX,
  answerSearch,
  parseSearch,
  searchChoices,
  type SearchRequest,
} from './cardSearch';
import { VERB } from './verbs';

/**
 * A prompt that sends an adaptive card and waits for one of its Action.Execute clicks
 * (`invoke` activity `adaptiveCard/action`). It enforces, before the waterfall sees a click:
 * the click belongs to this flow and this card (`flowId`, `cardId`: a stale or repeated click
 * is answered with an "already answered" card and changes nothing), the clicker is the person
 * who started the flow (others get a refusal), the verb is one the card offers, and the inputs
 * satisfy the card's rules (required, one of the offered values, equal to a typed name). The
 * rules are data in the options, so the prompt's state stays serializable.
 *
 * On success the prompt ends with a {@link CardAction}; the next waterfall step answers the
 * invoke with {@link answerInvoke} to update the card in place.
 */

export type { Verb } from './verbs';

/** Input rules checked on a click; values are the card's input ids. */
export interface CardInputRules {
  /** Inputs that must be non-empty. */
  readonly required?: readonly string[];
  /** Inputs whose value (or each comma-separated value) must be one of these. */
  readonly oneOf?: Readonly<Record<string, readonly string[]>>;
  /** Inputs that must equal this text (trimmed, case-insensitive). */
  readonly equals?: Readonly<Record<string, string>>;
}

/** Options of the prompt (stored in dialog state: plain data only). */
export interface CardPromptOptions {
  readonly card: AdaptiveCardJson;
  readonly flowId: string;
  readonly cardId: string;
  /** Teams user id (`from.id`) of the person who started the flow. */
  readonly initiatorId: string;
  readonly initiatorName: string;
  readonly verbs: readonly Verb[];
  readonly rules?: Readonly<Partial<Record<Verb, CardInputRules>>>;
  /** Card returned in place when the inputs break a rule: the same card with an error line. */
  readonly retryCard?: AdaptiveCardJson;
  /** True when the card is already on screen (updated in place): wait without sending it again. */
  readonly alreadySent?: boolean;
  /**
   * For a card whose ChoiceSet searches (Data.Query): the dataset name in the card and every
   * choice it searches (more than the card can list).
   */
  readonly search?: {
    readonly dataset: string;
    /** The whole list, searched here; or */
    readonly choices?: readonly Choice[];
    /** the name of a live search the prompt was built with (see {@link CardSearchers}). */
    readonly source?: string;
  };
  /**
   * What the step that shows the card learned and the step that reads the answer needs (JSON),
   * handed back untouched in the {@link CardAction}.
   */
  readonly carry?: unknown;
}

/**
 * Live searches a prompt can run for a card's typeahead, by name: each gets the turn (whose
 * sender is the initiator) and the request, and returns at most 15 choices.
 */
export type CardSearchers = Readonly<
  Record<string, (context: TurnContext, request: SearchRequest) => Promise<Choice[]>>
>;

/** A valid click. */
export interface CardAction {
  readonly verb: Verb;
  /** The card's inputs, as strings. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Who clicked (`from.id`). */
  readonly userId: string;
  /** The prompt's {@link CardPromptOptions.carry}. */
  readonly carry?: unknown;
}

const InvokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(64),
    data: z.record(z.unknown()).default({}),
  }),
});

/**
 * Longest value of one card input, in characters: a multi-select of 400 object ids (37 characters
 * each with its comma) fits; the HTTP door already bounds the whole activity (256 KiB).
 */
export const MAX_INPUT_CHARS = 16_000;

/**
 * Parses an Action.Execute invoke.
 * @returns verb, data and inputs, or undefined when the activity is not a well-formed card action
 */
export function parseCardAction(
  context: TurnContext,
): { verb: string; data: Record<string, unknown> } | undefined {
  const a = context.activity;
  if (a.type !== ActivityTypes.Invoke || a.name !== 'adaptiveCard/action') return undefined;
  const parsed = InvokeValue.safeParse(a.value);
  return parsed.success
    ? { verb: parsed.data.action.verb, data: parsed.data.action.data }
    : undefined;
}

const asText = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/** Returns the name of the first broken rule, or undefined when the inputs are valid. */
function brokenRule(
  rules: CardInputRules | undefined,
  inputs: Record<string, string>,
): string | undefined {
  if (!rules) return undefined;
  for (const id of rules.required ?? []) if (!inputs[id]?.trim()) return `required:${id}`;
  for (const [id, allowed] of Object.entries(rules.oneOf ?? {})) {
    const values = (inputs[id] ?? '').split(',').filter((v) => v !== '');
    if (values.some((v) => !allowed.includes(v))) return `oneOf:${id}`;
  }
  for (const [id, expected] of Object.entries(rules.equals ?? {})) {
    if ((inputs[id] ?? '').trim().toLowerCase() !== expected.trim().toLowerCase())
      return `equals:${id}`;
  }
  return undefined;
}

/** The prompt. Register one instance per DialogSet. */
export class CardPrompt extends Dialog<CardPromptOptions> {
  private readonly log = createLogger('card-prompt');

  /** @param searchers live searches for cards whose typeahead names a `source` */
  constructor(
    dialogId: string,
    private readonly localizer: Localizer,
    private readonly searchers: CardSearchers = {},
  ) {
    super(dialogId);
  }

  override async beginDialog(
    dc: DialogContext,
    options?: CardPromptOptions,
  ): Promise<DialogTurnResult> {
    if (!options) throw new Error('CardPrompt needs options');
    dc.activeDialog!.state.options = options;
    if (!options.alreadySent)
      await dc.context.sendActivity({
        attachments: [cardAttachment(this.viewFor(dc.context, options, undefined))],
      });
    return Dialog.EndOfTurn;
  }

  /**
   * The card this prompt shows: `options.card` here; a prompt whose card carries what must not be
   * kept in state in clear (the sign-in page's URL) rebuilds it from what it keeps sealed.
   */
  protected cardOf(options: CardPromptOptions): AdaptiveCardJson {
    return options.card;
  }

  /** The user-specific view of this prompt's card (its ids and initiator). */
  private ids(options: CardPromptOptions): UserSpecificView {
    return { flowId: options.flowId, cardId: options.cardId, initiatorId: options.initiatorId };
  }

  /**
   * The card as `userId` may see it: in a personal chat, the card; in a shared conversation, the
   * full card for the initiator and the read-only base card for anyone else (or for the message
   * itself, when `userId` is undefined).
   */
  private viewFor(
    context: TurnContext,
    options: CardPromptOptions,
    userId: string | undefined,
  ): AdaptiveCardJson {
    if (!isShared(context.activity)) return this.cardOf(options);
    if (userId === options.initiatorId) return this.cardOf(options);
    const note = this.localizer.t(context.activity.locale, 'card.onlyInitiator', {
      name: options.initiatorName,
    });
    return baseView(
      options.card,
      note,
      { flowId: options.flowId, cardId: options.cardId },
      options.initiatorId,
    );
  }

  /** The choices matching a typeahead request: from the card's whole list, or a live search. */
  private async search(
    context: TurnContext,
    options: CardPromptOptions,
    request: SearchRequest,
  ): Promise<Choice[]> {
    const { choices, source } = options.search ?? {};
    if (choices) return searchChoices(choices, request);
    const searcher = source ? this.searchers[source] : undefined;
    if (!searcher) return [];
    try {
      return (await searcher(context, request)).slice(0, SEARCH_RESULTS_MAX);
    } catch (err) {
      this.log.warn({ code: asTenantlinkError(err).code, source }, 'card search failed');
      return [];
    }
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const options = dc.activeDialog!.state.options as CardPromptOptions;
    const locale = dc.context.activity.locale;
    const search = parseSearch(dc.context);
    if (search) {
      // Typeahead in this card's list: the initiator's own choices, nobody else's.
      const mine =
        options.search?.dataset === search.dataset &&
        dc.context.activity.from.id === options.initiatorId;
      await answerSearch(dc.context, mine ? await this.search(dc.context, options, search) : []);
      return Dialog.EndOfTurn;
    }
    const action = parseCardAction(dc.context);
    if (!action) {
      if (dc.context.activity.type === ActivityTypes.Message) {
        await dc.context.sendActivity(this.localizer.t(locale, 'prompt.useCard'));
      }
      return Dialog.EndOfTurn;
    }
    if (action.data.flowId !== options.flowId || action.data.cardId !== options.cardId) {
      // Another card of this or an older flow: answered by the bot as stale, nothing changes.
      return Dialog.EndOfTurn;
    }
    const from = dc.context.activity.from;
    if (action.verb === REFRESH_VERB) {
      // A user-specific view asked for by a Teams client: the full card for the initiator only.
      await answerInvoke(dc.context, this.viewFor(dc.context, options, from.id), this.ids(options));
      return Dialog.EndOfTurn;
    }
    if (from.id !== options.initiatorId) {
      this.log.warn(
        { code: ERRORS.cardNotInitiator.code, flowId: options.flowId, verb: action.verb },
        'card answered by someone else',
      );
      await answerInvoke(dc.context, this.viewFor(dc.context, options, from.id), this.ids(options));
      await dc.context.sendActivity(
        this.localizer.t(locale, ERRORS.cardNotInitiator.messageKey, {
          name: options.initiatorName,
          user: from.name ?? '',
        }),
      );
      return Dialog.EndOfTurn;
    }
    if (!options.verbs.includes(action.verb as Verb) && action.verb !== VERB.cancel) {
      this.log.warn(
        { code: ERRORS.cardInvalid.code, flowId: options.flowId, verb: action.verb },
        'unknown verb',
      );
      await answerInvoke(dc.context, this.cardOf(options), this.ids(options));
      await dc.context.sendActivity(this.localizer.t(locale, ERRORS.cardInvalid.messageKey));
      return Dialog.EndOfTurn;
    }
    const inputs: Record<string, string> = {};
    let oversized: string | undefined;
    for (const [k, v] of Object.entries(action.data)) {
      if (k === 'flowId' || k === 'cardId') continue;
      inputs[k] = asText(v);
      if (inputs[k].length > MAX_INPUT_CHARS) oversized = k;
    }
    const verb = action.verb as Verb;
    // An input is never cut short (a cut list of ids would silently drop people): too long is refused.
    const broken =
      verb === VERB.cancel
        ? undefined
        : oversized
          ? `tooLong:${oversized}`
          : !fitsVerb(verb, inputs)
            ? `schema:${verb}`
            : brokenRule(options.rules?.[verb], inputs);
    if (broken) {
      this.log.info(
        { code: ERRORS.cardInvalid.code, flowId: options.flowId, verb, rule: broken },
        'card input refused',
      );
      await answerInvoke(dc.context, options.retryCard ?? this.cardOf(options), this.ids(options));
      return Dialog.EndOfTurn;
    }
    const result: CardAction = { verb, inputs, userId: from.id, carry: options.carry };
    return dc.endDialog(result);
  }
}

export { answerInvoke, invokeAnswered, outcomeCard, type UserSpecificView } from './cardAnswers';
