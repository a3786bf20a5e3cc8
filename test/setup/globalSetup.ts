import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest global setup: a folder for every test worker's log file, whose name reaches the workers
 * through the environment (test/setup/logging.ts writes there; globalTeardown scans it).
 */
export default function globalSetup(): void {
  process.env.TENANTLINK_TEST_LOG_DIR = mkdtempSync(join(tmpdir(), 'tenantlink-test-logs-'));
}
