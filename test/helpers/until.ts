import { setTimeout as pause } from 'node:timers/promises';

/**
 * Waits on state, never on time: looks at `condition` every 10 ms until it holds. The only bound
 * is the test's own timeout (Jest's), so a slow machine makes a test slower, never wrong.
 * @param condition what the test waits for (the sandbox's state or write log, a store, a channel)
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await pause(10);
}
