import { ActivityTypes, CardFactory, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { TurnOutbox } from '../../src/bot/turnOutbox';

/** The turn outbox's order: what leaves at once, what waits for the saved state (unit). */

const card = { attachments: [CardFactory.adaptiveCard({ type: 'AdaptiveCard', body: [] })] };

function turn(): { context: TurnContext; sent: () => Partial<Activity>[] } {
  const adapter = new TestAdapter();
  const context = new TurnContext(adapter, {
    type: ActivityTypes.Message,
    text: 'link',
    channelId: 'msteams',
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u1', name: 'Kelley' },
    recipient: { id: 'bot', name: 'tenantlink' },
    serviceUrl: 'https://example.invalid/',
  });
  return { context, sent: () => [...adapter.activeQueue] };
}

it('sends text and typing at once, holds everything from the first card on, then sends it in order', async () => {
  const { context, sent } = turn();
  const outbox = new TurnOutbox(context);
  await context.sendActivity('checking');
  await context.sendActivity({ type: ActivityTypes.Typing });
  const held = await context.sendActivity(card);
  await context.sendActivity('after the card');
  expect(held).toEqual({ id: '' });
  expect(sent().map((a) => a.type)).toEqual([ActivityTypes.Message, ActivityTypes.Typing]);
  expect(outbox.size).toBe(2);

  await outbox.release();
  expect(sent().map((a) => a.text ?? a.attachments?.length)).toEqual([
    'checking',
    undefined,
    1,
    'after the card',
  ]);
  // Once released, a send goes out at once.
  await context.sendActivity(card);
  expect(sent()).toHaveLength(5);
  expect(outbox.size).toBe(0);
});

it('drops what it holds when the state is not saved, and lets later sends (the error message) out', async () => {
  const { context, sent } = turn();
  const outbox = new TurnOutbox(context);
  await context.sendActivities([{ text: 'first' }, card, { text: 'second' }]);
  expect(sent().map((a) => a.text)).toEqual(['first']);
  expect(outbox.drop()).toBe(2);
  await context.sendActivity('something went wrong');
  expect(sent().map((a) => a.text)).toEqual(['first', 'something went wrong']);
});

it('lets an invoke response and typing out at once even after a card was held', async () => {
  const { context, sent } = turn();
  const outbox = new TurnOutbox(context);
  await context.sendActivity(card);
  await context.sendActivity({ type: ActivityTypes.Typing });
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
  expect(sent().map((a) => a.type)).toEqual([ActivityTypes.Typing, ActivityTypes.InvokeResponse]);
  expect(outbox.size).toBe(1);
});
