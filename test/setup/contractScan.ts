import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedCall } from '../../src/sandbox';
import { checkCalls, type ContractReport } from '../contracts/check';

/**
 * Reads the calls every sandbox of the run recorded (test/setup/contracts.ts) and checks those
 * tenantlink made against Microsoft's contracts.
 * @returns the report: per operation, calls checked and violations; and each violation
 */
export function scanContracts(dir: string): ContractReport {
  const calls: RecordedCall[] = [];
  for (const file of readdirSync(dir).filter((f) => /^contracts-.*\.jsonl$/.test(f)))
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n'))
      if (line) calls.push(JSON.parse(line) as RecordedCall);
  return checkCalls(calls);
}

/** The report as the table the run prints. */
export function contractTable(report: ContractReport): string {
  const header = ['operation', 'source', 'requests checked', 'violations'];
  const rows = report.rows.map((r) => [
    r.operation,
    r.source,
    String(r.checked),
    String(r.violations),
  ]);
  const all = [header, ...rows];
  const width = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  const rule = `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
