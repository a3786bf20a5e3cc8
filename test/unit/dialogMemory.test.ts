import {
  ActivityTypes,
  ConversationState,
  MemoryStorage,
  TestAdapter,
  TurnContext,
} from 'botbuilder';
import { DialogSet, type DialogState } from 'botbuilder-dialogs';
import {
  DIALOG_MEMORY_CONFIGURATION_KEY,
  keepDialogMemoryConfiguration,
  useDialogMemoryConfiguration,
} from '../../src/bot/teamsBot';

/**
 * The dialog memory configuration (scopes and path resolvers) is built by botbuilder on the first
 * turn only and handed to later turns (src/bot/teamsBot.ts, issue 30); each turn's memory is still
 * its own.
 */

const state = new ConversationState(new MemoryStorage());
const dialogs = new DialogSet(state.createProperty<DialogState>('dialogState'));

/** One turn's dialog context, made as TenantlinkBot.runDialogs makes it. */
async function turnContext(text: string) {
  const context = new TurnContext(new TestAdapter(), {
    type: ActivityTypes.Message,
    text,
    channelId: 'msteams',
    conversation: { id: `c-${text}`, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u1', name: 'Kelley' },
    recipient: { id: 'bot', name: 'tenantlink' },
    serviceUrl: 'https://example.invalid/',
  });
  useDialogMemoryConfiguration(context);
  const dc = await dialogs.createContext(context);
  keepDialogMemoryConfiguration(dc.state.configuration);
  return { context, dc };
}

it("reuses the first turn's memory scopes and path resolvers, in arrays of each turn's own", async () => {
  const first = await turnContext('one');
  const second = await turnContext('two');
  const third = await turnContext('three');
  const [a, b, c] = [first, second, third].map((t) => t.dc.state.configuration);
  expect(a!.memoryScopes.map((s) => s.name)).toEqual(
    expect.arrayContaining(['turn', 'dialog', 'conversation', 'settings']),
  );
  // The same scope objects (not built again) …
  expect(b!.memoryScopes).toEqual(a!.memoryScopes);
  b!.memoryScopes.forEach((scope, i) => expect(scope).toBe(a!.memoryScopes[i]));
  b!.pathResolvers.forEach((resolver, i) => expect(resolver).toBe(a!.pathResolvers[i]));
  // … in arrays of the turn's own: what one turn adds stays in that turn.
  expect(b!.memoryScopes).not.toBe(c!.memoryScopes);
  expect(b!.pathResolvers).not.toBe(c!.pathResolvers);
  expect(second.context.turnState.get(DIALOG_MEMORY_CONFIGURATION_KEY)).toBe(b);
});

it("keeps each turn's memory to its turn", async () => {
  const one = await turnContext('four');
  const two = await turnContext('five');
  one.dc.state.setValue('turn.mark', 'four');
  expect(one.dc.state.getValue('turn.activity.text')).toBe('four');
  expect(two.dc.state.getValue('turn.activity.text')).toBe('five');
  expect(two.dc.state.getValue('turn.mark')).toBeUndefined();
  expect(two.dc.state.getValue('dialog')).toBeUndefined();
});
