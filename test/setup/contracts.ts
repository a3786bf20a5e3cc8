import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Sandbox from '../../src/sandbox';

/**
 * Every sandbox cloud a test starts records the Graph and ARM calls it answers into this worker's
 * file of the run's log folder; the global teardown checks the calls tenantlink made against
 * Microsoft's contracts (test/contracts) and prints the table. Calls carry no credential.
 */
jest.mock('../../src/sandbox', () => {
  const real = jest.requireActual<typeof Sandbox>('../../src/sandbox');
  const dir = process.env.TENANTLINK_TEST_LOG_DIR;
  const file = dir && join(dir, `contracts-${process.env.JEST_WORKER_ID ?? '0'}.jsonl`);
  return {
    ...real,
    startSandboxCloud: (options: Sandbox.SandboxCloudOptions = {}) =>
      real.startSandboxCloud({
        ...options,
        recorder: (call: Sandbox.RecordedCall) => {
          options.recorder?.(call);
          if (!file) return;
          try {
            appendFileSync(file, `${JSON.stringify(call)}\n`);
          } catch (err) {
            // A call still in flight after the run's teardown removed the log folder (a killed
            // instance's last request, run in band): not part of the run, nothing to check.
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        },
      }),
  };
});
