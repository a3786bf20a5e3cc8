import { MemoryStorage, type StoreItems } from 'botbuilder';
import { startApp, type App } from '../../src/app';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { localTestConfig, USERS } from '../helpers/testApp';
import { TeamsChannel, personalChat } from '../helpers/teamsChannel';
import { until } from '../helpers/until';

/**
 * A card is sent only once the dialog state that awaits its answer is saved (src/bot/turnOutbox.ts).
 * Otherwise, with instances sharing one store, a click that reaches another instance before the
 * save finds the previous step and is answered as stale: the flow then waits forever (a hang the
 * scale-out test met on loaded machines). Here the conversation's state write is held at the store
 * and the chat is watched while it is held.
 */

/** Memory storage whose writes of conversation state wait for {@link release}, or fail. */
class GatedStorage extends MemoryStorage {
  /** Conversation state writes waiting, with what to do with each. */
  readonly waiting: (() => void)[] = [];
  /** What the next conversation state write does. */
  mode: 'pass' | 'hold' | 'conflict' = 'pass';

  override async write(changes: StoreItems): Promise<void> {
    const state = Object.keys(changes).some((key) => key.includes('/conversations/'));
    if (state && this.mode === 'conflict') {
      throw new Error('Storage: error writing "state" due to eTag conflict.');
    }
    if (state && this.mode === 'hold') await new Promise<void>((go) => this.waiting.push(go));
    return super.write(changes);
  }

  release(): void {
    this.mode = 'pass';
    for (const go of this.waiting.splice(0)) go();
  }
}

const chat = personalChat(USERS.kelley);
let sandbox: SandboxCloud;
let storage: GatedStorage;
let app: App;
let channel: TeamsChannel;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  storage = new GatedStorage();
  app = await startApp(localTestConfig({ STORAGE: 'memory' }), { storage, sandbox });
  channel = new TeamsChannel(`${app.server.url}/api/messages`);
  await channel.start();
});

afterAll(async () => {
  storage.release();
  await channel.stop();
  await app.stop();
  await sandbox.stop();
});

const cards = (): number =>
  channel.activities(chat).filter((a) => a.activity.attachments?.length).length;

it('sends the welcome card only after the state that awaits its click is saved', async () => {
  storage.mode = 'hold';
  const said = channel.say(USERS.kelley, 'link');
  // The turn has reached its state write and waits there: no card has left yet.
  await until(() => storage.waiting.length > 0);
  expect(cards()).toBe(0);
  storage.release();
  expect(await said).toBe(200);
  expect(cards()).toBe(1);
  expect(channel.lastCard(chat).card).toBeDefined();
  await channel.say(USERS.kelley, 'cancel');
});

it('sends none of its cards when the turn loses its state write to another instance', async () => {
  const before = cards();
  storage.mode = 'conflict';
  expect(await channel.say(USERS.kelley, 'link')).toBe(200);
  storage.mode = 'pass';
  // The turn is over (its HTTP answer came after it): its card, whose state was dropped, is not sent.
  expect(cards()).toBe(before);
  // The next turn starts from the state that stands and shows its card.
  expect(await channel.say(USERS.kelley, 'link')).toBe(200);
  expect(cards()).toBe(before + 1);
});
