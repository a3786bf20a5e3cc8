import { rmSync } from 'node:fs';
import { contractTable, scanContracts } from './contractScan';
import { scanLogs } from './logScan';

/**
 * Jest global teardown: every log line written during the whole run (all suites, debug level) is
 * scanned for tokens and secrets; any hit fails the run (issue 4: no token value in any log line).
 * Then every Graph and ARM call tenantlink made to a sandbox during the run is checked against
 * Microsoft's contracts (test/contracts); the table is printed and any violation fails the run.
 * @throws Error listing file, line and pattern of each leak, or each contract violation
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
  const contracts = scanContracts(dir);
  process.stdout.write(
    `\nGraph and ARM calls checked against Microsoft's contracts\n${contractTable(contracts)}\n`,
  );
  if (contracts.violations.length > 0) {
    const shown = contracts.violations.slice(0, 30);
    throw new Error(
      `${contracts.violations.length} contract violations (kept in ${dir}):\n` +
        shown.map((v) => `  ${v.operation}: ${v.call}: ${v.problem}`).join('\n'),
    );
  }
  // TENANTLINK_KEEP_TEST_LOGS=1 keeps every worker's and instance's log for a look after the run.
  if (process.env.TENANTLINK_KEEP_TEST_LOGS === '1') {
    process.stdout.write(`Test logs kept in ${dir}\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
