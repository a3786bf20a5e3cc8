import {
  ActivityTypes,
  TeamsActivityHandler,
  TurnContext,
  type ConversationState,
  type FileConsentCardResponse,
  type InvokeResponse,
  type StatePropertyAccessor,
  type TeamsChannelData,
} from 'botbuilder';
import {
  DialogSet,
  DialogTurnStatus,
  type Dialog,
  type DialogState,
  type DialogStateManagerConfiguration,
} from 'botbuilder-dialogs';
import { answerInvoke, invokeAnswered, outcomeCard, parseCardAction } from '../dialogs/cardPrompt';
import { SEARCH_INVOKE, answerSearch, searchAnswered } from '../dialogs/cardSearch';
import { ROOT_DIALOG } from '../dialogs/rootDialog';
import { ERRORS } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import type { ConversationReferenceStore } from '../state/conversationReferences';
import { isETagConflict } from '../state/createOnly';
import { TurnOutbox } from './turnOutbox';
import { standingHandler } from '../dialogs/verbs';

/**
 * A root dialog that answers some messages with one message when no dialog runs (RootDialog's
 * `help` and `cancel`): the bot then sends that message without starting the dialog.
 */
export interface AtRestAnswers {
  /** The locale key of the message that answers `context` at rest, or undefined. */
  answerAtRest(context: TurnContext): string | undefined;
}

/** Answers to a file consent card (accept with the upload session, or decline). */
export interface FileConsentAnswers {
  accept(context: TurnContext, response: FileConsentCardResponse): Promise<void>;
  decline(context: TurnContext, response: FileConsentCardResponse): Promise<void>;
}

/**
 * The Teams activity handler: messages and Action.Execute invokes go to the dialog stack;
 * installs into a team save the team's conversation reference for channel notifications; a
 * card action that no dialog is waiting for (double click, old card, another flow) is answered
 * with "already answered" and changes nothing. Sign-in invokes go to the waiting OAuthPrompt.
 */
export class TenantlinkBot extends TeamsActivityHandler {
  private readonly log = createLogger('bot');
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly dialogs: DialogSet;
  /** The root dialog's answers at rest, when it has them (see {@link AtRestAnswers}). */
  private readonly atRest: AtRestAnswers | undefined;
  /** The running turn of each conversation (see {@link run}). */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly conversationState: ConversationState,
    root: Dialog,
    private readonly references: ConversationReferenceStore,
    private readonly localizer: Localizer,
    /**
     * Answers a card action that no dialog can wait for (a refresh of a card that outlives its
     * flow); returns whether it did.
     */
    private readonly standing: (
      context: TurnContext,
      action: { readonly verb: string; readonly data: Record<string, unknown> },
    ) => Promise<boolean> = async () => false,
    /** Answers the file consent card of an export (src/dialogs/history.ts); none: ignored. */
    private readonly files?: FileConsentAnswers,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(root);
    this.atRest = 'answerAtRest' in root ? (root as Dialog & AtRestAnswers) : undefined;

    this.onMessage(async (context, next) => {
      await this.runDialogs(context);
      await next();
    });
    // Results of background steps come back as events (see AdapterBackgroundRunner).
    this.onEvent(async (context, next) => {
      await this.runDialogs(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.saveTeamReference(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      const botAdded = (context.activity.membersAdded ?? []).some(
        (m) => m.id === context.activity.recipient.id,
      );
      if (botAdded) await this.saveTeamReference(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      const team = (context.activity.channelData as TeamsChannelData | undefined)?.team;
      if (team?.id) await this.references.remove(team.id);
      await next();
    });
  }

  /**
   * Runs the turn and then saves conversation state (dialog stacks). Turns of one conversation run
   * one after the other: an invoke that Teams resends while the first is still running (or a fast
   * double click) then sees the dialog already past that card and is answered "already answered"
   * instead of repeating the step. (Within one instance; across instances the eTag on the dialog
   * state and the idempotent steps are what protect.) A turn's cards are sent after its state is
   * saved, so that a click on them finds the step that awaits it on any instance.
   */
  override async run(context: TurnContext): Promise<void> {
    const key = context.activity.conversation?.id ?? '';
    const previous = this.turns.get(key) ?? Promise.resolve();
    const current = previous
      .catch(() => undefined)
      .then(async () => {
        // Cards leave once the state awaiting their answers is saved (see TurnOutbox).
        const outbox = new TurnOutbox(context);
        try {
          await super.run(context);
        } catch (err) {
          await outbox.release();
          throw err;
        }
        try {
          await this.conversationState.saveChanges(context, false);
        } catch (err) {
          const dropped = outbox.drop();
          // Another instance saved this conversation's state since this turn read it (the same
          // click handled twice on two instances): its state stands; this turn's is dropped with
          // the cards it would have shown, and the steps it ran are idempotent. Never clear the
          // state for this.
          if (!isETagConflict(err)) throw err;
          this.log.warn(
            { code: ERRORS.stateConflict.code, conversation: key, dropped },
            'turn lost a race with another instance; its state is not saved',
          );
          return;
        }
        await outbox.release();
      });
    this.turns.set(key, current);
    try {
      await current;
    } finally {
      if (this.turns.get(key) === current) this.turns.delete(key);
    }
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === SEARCH_INVOKE) {
      // Typeahead in a card's list: the waiting card prompt answers; no prompt, no results.
      await this.runDialogs(context);
      if (!searchAnswered(context)) await answerSearch(context, []);
      return { status: 200 };
    }
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const action = parseCardAction(context);
    if (!action) {
      this.log.warn({ code: ERRORS.cardInvalid.code }, 'malformed card action');
      return {
        status: 400,
        body: {
          statusCode: 400,
          type: 'application/vnd.microsoft.error',
          value: {
            code: 'BadRequest',
            message: this.localizer.t(context.activity.locale, ERRORS.cardInvalid.messageKey),
          },
        },
      };
    }
    if (await this.standing(context, action)) return { status: 200 };
    await this.runDialogs(context);
    if (!invokeAnswered(context)) {
      this.log.info({ code: ERRORS.cardStale.code, verb: action.verb }, 'card action not awaited');
      await answerInvoke(
        context,
        outcomeCard(this.localizer.t(context.activity.locale, ERRORS.cardStale.messageKey)),
      );
    }
    return { status: 200 };
  }

  /**
   * `fileConsent/invoke` with `action: accept` (TeamsActivityHandler routes it here): the user
   * accepted a file consent card; `uploadInfo` names the upload session
   * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4).
   */
  protected override async handleTeamsFileConsentAccept(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    await this.files?.accept(context, response);
  }

  /** `fileConsent/invoke` with `action: decline`: the user declined a file consent card. */
  protected override async handleTeamsFileConsentDecline(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    await this.files?.decline(context, response);
  }

  /**
   * `signin/verifyState` (magic code after the OAuth card's sign-in, Teams desktop/web) and
   * `signin/tokenExchange` (Teams SSO): the waiting OAuthPrompt answers them, with 412 when the
   * exchange fails so that Teams shows the sign-in card instead
   * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-code).
   */
  protected override async onSignInInvoke(context: TurnContext): Promise<void> {
    await this.runDialogs(context);
  }

  private async runDialogs(context: TurnContext): Promise<void> {
    // A command answered by one message when no dialog runs (`help`): sent without starting and
    // ending the root dialog, which would leave the same (empty) dialog stack.
    if (context.activity.type === ActivityTypes.Message) {
      const answer = this.atRest?.answerAtRest(context);
      if (answer !== undefined && !(await this.dialogState.get(context))?.dialogStack?.length) {
        await context.sendActivity(this.localizer.t(context.activity.locale, answer));
        return;
      }
    }
    useDialogMemoryConfiguration(context);
    const dc = await this.dialogs.createContext(context);
    keepDialogMemoryConfiguration(dc.state.configuration);
    const result = await dc.continueDialog();
    // A message starts a command; so does a card button that outlives its flow (the after-move
    // checklist's), which the root dialog recognises by its verb.
    const verb = parseCardAction(context)?.verb;
    const standingCard = verb !== undefined && standingHandler(verb) !== undefined;
    if (
      result.status === DialogTurnStatus.empty &&
      (context.activity.type === ActivityTypes.Message || standingCard)
    ) {
      await dc.beginDialog(ROOT_DIALOG);
    }
  }

  private async saveTeamReference(context: TurnContext): Promise<void> {
    const channelData = context.activity.channelData as TeamsChannelData | undefined;
    const team = channelData?.team;
    if (!team?.id) return;
    const reference = TurnContext.getConversationReference(context.activity);
    // The General channel's conversation id is the team id.
    reference.conversation = {
      ...reference.conversation!,
      id: team.id,
      isGroup: true,
      conversationType: 'channel',
    };
    await this.references.save({
      teamId: team.id,
      teamName: team.name ?? team.id,
      tenantId: channelData?.tenant?.id ?? context.activity.conversation.tenantId ?? '',
      reference,
      savedAt: new Date().toISOString(),
    });
    this.log.info({ teamId: team.id }, 'saved team conversation reference');
  }
}

/**
 * The turn-state key under which botbuilder-dialogs 4.23's DialogStateManager keeps the memory
 * configuration of a turn (`DIALOG_STATE_MANAGER_CONFIGURATION` in
 * botbuilder-dialogs/lib/memory/dialogStateManager.js, not exported): the first DialogContext of a
 * turn builds it when absent, every later one of the turn reuses it.
 */
export const DIALOG_MEMORY_CONFIGURATION_KEY = 'DialogStateManagerConfiguration';

/** The memory scopes and path resolvers of the first turn (see {@link useDialogMemoryConfiguration}). */
let dialogMemory: DialogStateManagerConfiguration | undefined;

/**
 * Hands the turn the memory configuration that botbuilder-dialogs built for the first turn of the
 * process, instead of letting it build it again. botbuilder builds it for every turn from its
 * component registration, through a service collection (a dependency graph and a zod parse of
 * the settings): about a tenth of a `help` turn's own CPU (profile of the turn-overhead benchmark,
 * issue 30). What it builds is the same every turn (the memory scopes and path resolvers of
 * botbuilder-dialogs; tenantlink registers no component and sets no scope in turn state), and
 * they hold no per-turn data: each reads the turn through the DialogContext it is given. Each turn
 * gets arrays of its own. Before the first turn's DialogContext exists, nothing is set and
 * botbuilder builds it (see {@link keepDialogMemoryConfiguration}).
 */
export function useDialogMemoryConfiguration(context: TurnContext): void {
  if (!dialogMemory || context.turnState.has(DIALOG_MEMORY_CONFIGURATION_KEY)) return;
  context.turnState.set(DIALOG_MEMORY_CONFIGURATION_KEY, {
    memoryScopes: [...dialogMemory.memoryScopes],
    pathResolvers: [...dialogMemory.pathResolvers],
  } satisfies DialogStateManagerConfiguration);
}

/** Keeps the memory configuration botbuilder built for a turn, the first time one is built. */
export function keepDialogMemoryConfiguration(
  configuration: DialogStateManagerConfiguration,
): void {
  dialogMemory ??= {
    memoryScopes: [...configuration.memoryScopes],
    pathResolvers: [...configuration.pathResolvers],
  };
}
