import type { AdaptiveCardJson } from '../../src/cards/render';
import { ProgressUpdates } from '../../src/bot/progressUpdates';

/** Progress updates are spaced: the first at once, then the latest state per interval, the last before the result. */

const card = (n: number): AdaptiveCardJson => ({ type: 'AdaptiveCard', body: [{ n }] });

afterEach(() => jest.useRealTimers());

it('sends the first at once, drops what an interval overtakes, and sends the latest on flush', async () => {
  jest.useFakeTimers();
  let now = 10_000;
  const sent: unknown[] = [];
  const updates = new ProgressUpdates(
    async (c) => void sent.push(c.body[0]),
    1000,
    () => now,
  );
  updates.report(card(1));
  updates.report(card(2));
  updates.report(card(3));
  await Promise.resolve();
  expect(sent).toEqual([{ n: 1 }]);
  now += 1000;
  jest.advanceTimersByTime(1000);
  await updates.flush();
  expect(sent).toEqual([{ n: 1 }, { n: 3 }]);
  // Nothing pending: a flush sends nothing more.
  await updates.flush();
  expect(sent).toHaveLength(2);
});

it('keeps going when an update fails', async () => {
  let calls = 0;
  const updates = new ProgressUpdates(async () => {
    calls++;
    throw new Error('connector down');
  }, 0);
  updates.report(card(1));
  await updates.flush();
  updates.report(card(2));
  await updates.flush();
  expect(calls).toBe(2);
});

it('sends the pending update at once on flush, without waiting out the interval', async () => {
  jest.useFakeTimers();
  const sent: unknown[] = [];
  const updates = new ProgressUpdates(
    async (c) => void sent.push(c.body[0]),
    60_000,
    () => 1_000_000,
  );
  updates.report(card(1));
  updates.report(card(2));
  // No timer is advanced: the flush alone sends the latest, after the first.
  await updates.flush();
  expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
});
