import { join } from 'node:path';
import pino from 'pino';
import { configureLogging } from '../../src/log';

/**
 * The tests' logging: with TEST_LOG_LEVEL set, that level to stdout (to debug a test); otherwise
 * debug level into this worker's file in the run's log folder, which the global teardown scans
 * for tokens and secrets (test/setup/globalTeardown.ts).
 */
export function testLogging(): Parameters<typeof configureLogging>[0] {
  if (process.env.TEST_LOG_LEVEL) return { level: process.env.TEST_LOG_LEVEL };
  const dir = process.env.TENANTLINK_TEST_LOG_DIR;
  if (!dir) return { level: 'silent' };
  const file = join(dir, `worker-${process.env.JEST_WORKER_ID ?? '0'}.log`);
  return {
    level: 'debug',
    destination: pino.destination({ dest: file, sync: true, append: true }),
  };
}
