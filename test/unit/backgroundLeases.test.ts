import {
  ActivityTypes,
  MemoryStorage,
  TurnContext,
  type Activity,
  type ConversationReference,
  type TestAdapter,
} from 'botbuilder';
import { AdapterBackgroundRunner, RESUME_EVENT } from '../../src/bot/backgroundRunner';
import {
  BACKGROUND_DONE_EVENT,
  jobOwnerOf,
  type JobOwner,
} from '../../src/dialogs/waitForBackground';
import { until } from '../helpers/until';

/**
 * Background jobs shared by several instances through one store: a lease taken with an eTag,
 * renewed while working, taken over when it expires or when its own instance restarted, and
 * released by a graceful shutdown. Two runners on one MemoryStorage, a clock under the test's control.
 */

const activity = {
  type: ActivityTypes.Message,
  channelId: 'msteams',
  serviceUrl: 'https://smba.example/',
  from: { id: 'user-1', name: 'Kelley' },
  recipient: { id: 'bot' },
  conversation: { id: 'a:1' },
  locale: 'en-US',
} as Partial<Activity>;

/** Records what each instance reports or wakes (the proactive continuation). */
function fakeAdapter(events: string[], instance: string) {
  return {
    async continueConversationAsync(
      _appId: string,
      reference: Partial<ConversationReference>,
      logic: (context: TurnContext) => Promise<void>,
    ): Promise<void> {
      const context = new TurnContext(
        {} as TestAdapter,
        TurnContext.applyConversationReference({ type: ActivityTypes.Event }, reference, true),
      );
      await logic(context);
      events.push(`${instance}:${context.activity.name}`);
    },
  };
}

let now = 1_000_000;
const clock = (): number => now;
const lease = { leaseMs: 3000, sweepMs: 0 };

function pair() {
  const storage = new MemoryStorage();
  const events: string[] = [];
  const a = new AdapterBackgroundRunner(fakeAdapter(events, 'a'), '', storage, 'a', lease, clock);
  const b = new AdapterBackgroundRunner(fakeAdapter(events, 'b'), '', storage, 'b', lease, clock);
  for (const r of [a, b]) r.attach({ run: async () => undefined });
  return { storage, events, a, b };
}

const context = (): JobOwner => jobOwnerOf(new TurnContext({} as TestAdapter, activity));

/** Waits until the jobs document of `storage` holds a lease on each of `ids` (state, not time). */
const leased = (storage: MemoryStorage, ...ids: string[]): Promise<void> =>
  until(async () => {
    const item = (await storage.read(['jobs/pending']))['jobs/pending'] as
      { jobs?: Record<string, unknown> } | undefined;
    return ids.every((id) => item?.jobs?.[id] !== undefined);
  });

it('runs a job on one instance only: the second start finds a live lease and does nothing', async () => {
  const { storage, a, b, events } = pair();
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const work = async (): Promise<string> => {
    runs++;
    await gate;
    return 'moved';
  };
  a.start(context(), 'w1', work);
  await leased(storage, 'w1');
  b.start(context(), 'w1', work);
  await b.idle();
  expect(b.isRunning('w1')).toBe(false);
  release();
  await a.idle();
  expect(runs).toBe(1);
  expect(events).toEqual([`a:${BACKGROUND_DONE_EVENT}`]);
  // Reported: nothing is left to take over.
  expect(await b.resumePending()).toEqual([]);
});

it('lets another instance take over a job whose lease expired (its instance died), once', async () => {
  const { storage, a, b, events } = pair();
  a.start(context(), 'w2', () => new Promise(() => undefined)); // a dies while working
  await leased(storage, 'w2');
  expect(await b.resumePending()).toEqual([]); // the lease is live
  now += 3001;
  const [first, second] = await Promise.all([b.resumePending(), b.resumePending()]);
  expect([...first, ...second]).toEqual(['w2']);
  expect(events).toEqual([`b:${RESUME_EVENT}`]);
  // b now holds it: a third instance's sweep leaves it alone.
  const c = new AdapterBackgroundRunner(
    fakeAdapter(events, 'c'),
    '',
    (b as unknown as { storage: MemoryStorage }).storage,
    'c',
    lease,
    clock,
  );
  expect(await c.resumePending()).toEqual([]);
});

it('resumes its own jobs at once after a restart (same instance name), without waiting for the lease', async () => {
  const { storage, events, a } = pair();
  a.start(context(), 'w3', () => new Promise(() => undefined));
  await leased(storage, 'w3');
  const restarted = new AdapterBackgroundRunner(
    fakeAdapter(events, 'a2'),
    '',
    storage,
    'a',
    lease,
    clock,
  );
  restarted.attach({ run: async () => undefined });
  expect(await restarted.resumePending()).toEqual(['w3']);
  expect(events).toEqual([`a2:${RESUME_EVENT}`]);
});

it('graceful shutdown waits for short jobs, and hands over the long ones at once', async () => {
  const { storage, a, b, events } = pair();
  a.start(context(), 'short', () => new Promise((r) => setTimeout(() => r('ok'), 30)));
  a.start(context(), 'long', () => new Promise(() => undefined));
  await leased(storage, 'short', 'long');
  const released = await a.shutdown(200);
  expect(released).toEqual(['long']);
  expect(events).toContain(`a:${BACKGROUND_DONE_EVENT}`);
  // No clock change: the released lease is already expired for b.
  expect(await b.resumePending()).toEqual(['long']);
  // A stopped instance starts nothing.
  a.start(context(), 'late', async () => 'x');
  expect(a.isRunning('late')).toBe(false);
});

it('drops a job after three wakes that did not start it again (its flow no longer waits)', async () => {
  const { storage, a, b, events } = pair();
  a.start(context(), 'w5', () => new Promise(() => undefined));
  await leased(storage, 'w5');
  const taken: string[][] = [];
  for (let i = 0; i < 5; i++) {
    now += 3001;
    taken.push(await b.resumePending());
  }
  expect(taken).toEqual([['w5'], ['w5'], ['w5'], [], []]);
  expect(events.filter((e) => e === `b:${RESUME_EVENT}`)).toHaveLength(3);
});
