import { ConversationState, MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { TenantlinkBot } from '../../src/bot/teamsBot';
import type { TokenSource } from '../../src/auth/signIn';
import { ROOT_DIALOG, RootDialog, atRestAnswer } from '../../src/dialogs/rootDialog';
import type { ChangeRecordStore } from '../../src/state/changeRecords';
import { Localizer } from '../../src/i18n';
import { ConversationReferenceStore } from '../../src/state/conversationReferences';

/**
 * A command answered by one message when no dialog runs (`help`, `cancel`) is answered without
 * starting the root dialog (src/bot/teamsBot.ts, issue 30); while a dialog runs, it goes to that
 * dialog as before.
 */

/**
 * A root dialog that counts its turns (`wait` keeps it running, anything else ends it) and answers
 * at rest as RootDialog does.
 */
class CountingRoot extends Dialog {
  begun = 0;
  continued = 0;

  constructor() {
    super(ROOT_DIALOG);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    this.begun++;
    return dc.context.activity.text === 'wait' ? Dialog.EndOfTurn : dc.endDialog();
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    this.continued++;
    return dc.endDialog();
  }

  answerAtRest(context: TurnContext): string | undefined {
    return atRestAnswer(context);
  }
}

const localizer = new Localizer();
const storage = new MemoryStorage();
const root = new CountingRoot();
const bot = new TenantlinkBot(
  new ConversationState(storage),
  root,
  new ConversationReferenceStore(storage),
  localizer,
);
const adapter = new TestAdapter((context) => bot.run(context));

it('answers help and cancel at rest without the root dialog, and leaves no state behind', async () => {
  await adapter.send('help').assertReply(localizer.t('en-US', 'help.text'));
  await adapter.send('Cancel!').assertReply(localizer.t('en-US', 'cancel.nothing'));
  expect(root.begun).toBe(0);
  expect(Object.keys(await storage.read(['test/conversations/Convo1/']))).toEqual([]);
});

it('starts the root dialog for anything else, and hands help to a running dialog', async () => {
  await adapter.send('status');
  expect(root.begun).toBe(1);
  await adapter.send('wait');
  expect(root.begun).toBe(2);
  await adapter.send('help');
  expect(root.continued).toBe(1);
  expect(root.begun).toBe(2);
  // The dialog ended: help is answered at rest again.
  await adapter.send('help').assertReply(localizer.t('en-US', 'help.text'));
  expect(root.begun).toBe(2);
});

it("RootDialog leaves a link command's words to the dialog, even when they spell help", () => {
  const context = new TurnContext(new TestAdapter(), {
    type: 'message',
    text: 'Help',
    conversation: { id: 'c', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u1', name: 'Kelley' },
    recipient: { id: 'bot', name: 'tenantlink' },
  });
  const rootOf = (linkCommands: Record<string, string>) =>
    new RootDialog(localizer, {} as TokenSource, {} as ChangeRecordStore, [], linkCommands);
  expect(rootOf({}).answerAtRest(context)).toBe('help.text');
  expect(rootOf({ help: 'someLink' }).answerAtRest(context)).toBeUndefined();
});
