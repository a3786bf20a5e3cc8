import { parseCardAction } from './cardPrompt';
import { POLICY_DIALOG } from './policyDialog';
import { CHECKLIST_DIALOG } from './link/checklistDialog';
import { ADD_OFFICE365_DIALOG, EXPLAIN_DIALOG, SIGNUP_DIALOG } from './scenarioDialogs';
import type { ChangeRecordStore } from '../state/changeRecords';
import { sendHistory } from './history';
import {
  ComponentDialog,
  Dialog,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { TurnContext } from 'botbuilder';
import type { Localizer } from '../i18n';
import { LINK_DIALOG, type LinkOptions } from './link/linkDialog';
import { MY_ROLE_DIALOG, STATUS_DIALOG } from './accountDialogs';
import type { TokenSource } from '../auth/signIn';
import { standingHandler } from './verbs';

/**
 * The root of every conversation: routes the bot's commands (`help`, `link`, `status`,
 * `my role`, `sign out`, `cancel`) and handles `cancel` and `help` at any point, as interruptions
 * of whatever dialog is running (the pattern of BotBuilder's CancelAndHelpDialog).
 */

/** Id of the root dialog. */
export const ROOT_DIALOG = 'rootDialog';

/** The commands the bot understands. */
export type Command =
  | 'help'
  | 'link'
  | 'status'
  | 'myRole'
  | 'history'
  | 'historyJson'
  | 'historyExport'
  | 'policy'
  | 'signup'
  | 'addOffice365'
  | 'explain'
  | 'signOut'
  | 'cancel';

const COMMANDS: Readonly<Record<string, Command>> = {
  help: 'help',
  '?': 'help',
  link: 'link',
  start: 'link',
  status: 'status',
  'my role': 'myRole',
  myrole: 'myRole',
  role: 'myRole',
  history: 'history',
  policy: 'policy',
  signup: 'signup',
  'add office365': 'addOffice365',
  'add office 365': 'addOffice365',
  explain: 'explain',
  'history json': 'historyJson',
  'history export': 'historyExport',
  'sign out': 'signOut',
  signout: 'signOut',
  logout: 'signOut',
  cancel: 'cancel',
  stop: 'cancel',
};

/**
 * Recognizes a command in a message: bot @mention removed, case and surrounding punctuation
 * ignored, at most 64 characters considered.
 * @returns the command, or undefined for anything else
 */
export function recognizeCommand(context: TurnContext): Command | undefined {
  const words = commandWords(context);
  return words === undefined ? undefined : COMMANDS[words];
}

/**
 * A message's words as a command is spelled: bot @mention removed, lower case, punctuation
 * (except `?`) as spaces, spaces collapsed, at most its first 64 characters.
 * @returns undefined for anything but a message with text
 */
export function commandWords(context: TurnContext): string | undefined {
  const activity = context.activity;
  if (activity.type !== 'message' || typeof activity.text !== 'string') return undefined;
  const text = TurnContext.removeRecipientMention(activity) ?? activity.text;
  return text
    .slice(0, 64)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}? ]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The commands whose whole answer, when no dialog is running, is one message (its locale key): the
 * root dialog sends it and ends at once, so TenantlinkBot (src/bot/teamsBot.ts) sends it without
 * starting the root dialog (the dialog machinery of such a turn cost more CPU than the rest of the
 * bot's work on it, issue 30). While a dialog runs, `help` and `cancel` are interruptions instead
 * (see {@link RootDialog}).
 */
export const AT_REST_ANSWERS: Readonly<Partial<Record<Command, string>>> = {
  help: 'help.text',
  cancel: 'cancel.nothing',
};

/**
 * The locale key of the one message that answers a message at rest (no dialog running), or
 * undefined when the message needs the root dialog (see {@link AT_REST_ANSWERS}).
 */
export function atRestAnswer(context: TurnContext): string | undefined {
  const command = recognizeCommand(context);
  return command === undefined ? undefined : AT_REST_ANSWERS[command];
}

/** What each history command sends. */
const HISTORY_MODES = { history: 'card', historyJson: 'json', historyExport: 'export' } as const;

/** The root dialog. */
export class RootDialog extends ComponentDialog {
  /**
   * @param children the dialogs the commands begin (the link dialogs among them)
   * @param linkCommands further commands that begin a link wired on other ports: the command's
   *   words (as {@link commandWords} spells them) → the id of that link's dialog (a child)
   */
  constructor(
    private readonly localizer: Localizer,
    private readonly tokens: TokenSource,
    private readonly changes: ChangeRecordStore,
    children: readonly Dialog[],
    private readonly linkCommands: Readonly<Record<string, string>> = {},
  ) {
    super(ROOT_DIALOG);
    for (const child of children) this.addDialog(child);
    this.addDialog(
      new WaterfallDialog(`${ROOT_DIALOG}.steps`, [this.route.bind(this), this.done.bind(this)]),
    );
    this.initialDialogId = `${ROOT_DIALOG}.steps`;
  }

  /**
   * The locale key of the one message that answers `context` when no dialog runs, or undefined
   * when it needs this dialog (see {@link AT_REST_ANSWERS}); the words of a link command are never
   * answered at rest, as {@link route} begins their link first.
   */
  answerAtRest(context: TurnContext): string | undefined {
    const words = commandWords(context);
    if (words !== undefined && Object.hasOwn(this.linkCommands, words)) return undefined;
    return atRestAnswer(context);
  }

  protected override async onContinueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const command = recognizeCommand(dc.context);
    const locale = dc.context.activity.locale;
    if (command === 'cancel') {
      await dc.cancelAllDialogs();
      await dc.context.sendActivity(this.localizer.t(locale, 'cancel.done'));
      return { status: 'complete' } as DialogTurnResult;
    }
    if (command === 'help') {
      await dc.context.sendActivity(this.localizer.t(locale, 'help.text'));
      await dc.context.sendActivity(this.localizer.t(locale, 'help.inFlow'));
      return Dialog.EndOfTurn;
    }
    if (command === 'link') {
      await dc.context.sendActivity(this.localizer.t(locale, 'link.inProgress'));
      return Dialog.EndOfTurn;
    }
    return super.onContinueDialog(dc);
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // A standing card's button (the after-move checklist's, pressed once the link has ended):
    // its handler, by the verb's entry in src/dialogs/verbs.ts.
    const verb = parseCardAction(step.context)?.verb;
    if (verb && standingHandler(verb) === 'checklist') return step.beginDialog(CHECKLIST_DIALOG);
    const words = commandWords(step.context);
    // Own keys only: a message spelled like an Object.prototype member is no command.
    if (words !== undefined && Object.hasOwn(this.linkCommands, words))
      return step.beginDialog(this.linkCommands[words], {} satisfies LinkOptions);
    const command = recognizeCommand(step.context);
    const locale = step.context.activity.locale;
    switch (command) {
      case 'link':
        return step.beginDialog(LINK_DIALOG, {} satisfies LinkOptions);
      case 'status':
        return step.beginDialog(STATUS_DIALOG);
      case 'myRole':
        return step.beginDialog(MY_ROLE_DIALOG);
      case 'signup':
        return step.beginDialog(SIGNUP_DIALOG);
      case 'addOffice365':
        return step.beginDialog(ADD_OFFICE365_DIALOG);
      case 'explain':
        return step.beginDialog(EXPLAIN_DIALOG);
      case 'policy':
        return step.beginDialog(POLICY_DIALOG);
      case 'history':
      case 'historyJson':
      case 'historyExport':
        await sendHistory(step.context, this.localizer, this.changes, HISTORY_MODES[command]);
        return step.endDialog();
      case 'signOut':
        await this.tokens.signOut(step.context.activity.from.id);
        await step.context.sendActivity(this.localizer.t(locale, 'signOut.done'));
        return step.endDialog();
      case 'cancel':
      case 'help':
        await step.context.sendActivity(this.localizer.t(locale, AT_REST_ANSWERS[command]!));
        return step.endDialog();
      default:
        if (step.context.activity.type === 'message')
          await step.context.sendActivity(this.localizer.t(locale, 'help.unknown'));
        return step.endDialog();
    }
  }

  private async done(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }
}
