import { endOfTest, until } from '../helpers/until';

/**
 * The wait on state lives no longer than its test: once the test has ended (jest's afterEach in
 * test/setup/untilStop.ts), a wait still polling rejects instead of polling on forever.
 */

it('resolves once the condition holds', async () => {
  let looks = 0;
  await until(() => ++looks === 3);
  expect(looks).toBe(3);
});

it('stops and rejects when its test has ended before the condition held', async () => {
  let looks = 0;
  const waiting = until(() => {
    looks += 1;
    return false;
  });
  await until(() => looks >= 2);
  endOfTest();
  await expect(waiting).rejects.toThrow('the test ended before the condition held');
});
