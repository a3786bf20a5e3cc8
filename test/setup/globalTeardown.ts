import { rmSync } from 'node:fs';
import { scanLogs } from './logScan';

/**
 * Jest global teardown: every log line written during the whole run (all suites, debug level) is
 * scanned for tokens and secrets; any hit fails the run (issue 4: no token value in any log line).
 * @throws Error listing file, line and pattern of each leak
 */
export default function globalTeardown(): void {
  const dir = process.env.TENANTLINK_TEST_LOG_DIR;
  if (!dir) return;
  const { lines, leaks } = scanLogs(dir);
  if (leaks.length > 0) {
    throw new Error(
      `secrets in test logs (kept in ${dir}):\n` +
        leaks.map((l) => `  ${l.file}:${l.line} matches /${l.pattern}/`).join('\n'),
    );
  }
  process.stdout.write(`\nLog scan: ${lines} log lines of the whole run, no token or secret.\n`);
  rmSync(dir, { recursive: true, force: true });
}
