import { setTimeout as pause } from 'node:timers/promises';

/** How many tests have ended in this Jest worker (bumped by test/setup/untilStop.ts). */
let testsEnded = 0;

/**
 * Marks the end of a test: every {@link until} still polling for it stops and rejects, so a test
 * that timed out (its condition never held) fails and leaves nothing polling behind to keep the
 * worker alive. Called by the `afterEach` of test/setup/untilStop.ts, never by a test.
 */
export function endOfTest(): void {
  testsEnded += 1;
}

/**
 * Waits on state, never on time: looks at `condition` every 10 ms until it holds. The only bound
 * is the test's own timeout (Jest's), so a slow machine makes a test slower, never wrong; once
 * the test has ended (passed, failed or timed out) the wait stops.
 * @param condition what the test waits for (the sandbox's state or write log, a store, a channel)
 * @throws Error when the test that started the wait ended before the condition held
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const test = testsEnded;
  while (!(await condition())) {
    if (testsEnded !== test) throw new Error('the test ended before the condition held');
    await pause(10);
  }
}
