import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { passed, type BenchRow } from './common';
import { clickAnswer } from './clickAnswer';
import { conversations } from './conversations';
import { fullLink } from './fullLink';
import { grants } from './grants';
import { inventory } from './inventory';
import { restore } from './restore';
import { scale } from './scale';
import { turnOverhead } from './turnOverhead';

/**
 * `npm run bench`: runs the five benchmarks of issue 7, the restore benchmark of issue 9 and the
 * inventory and click-answer benchmarks of issues 17 and 18 side by side in one process, prints a
 * table with target and pass/fail per row, writes bench/results.json and exits 1 when a target
 * is missed. Not part of `npm test`.
 */
async function main(): Promise<void> {
  const machine = `${cpus().length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
  const rows: BenchRow[] = [];
  // Scale first: its peak RSS is then not inflated by what the other benchmarks allocated.
  for (const bench of [
    scale,
    turnOverhead,
    fullLink,
    grants,
    conversations,
    restore,
    inventory,
    clickAnswer,
  ]) {
    rows.push(...(await bench()));
  }
  const lines = [
    `tenantlink benchmarks — ${machine}`,
    '',
    '| benchmark | value | target | result | note |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.value} ${r.unit} | ${r.target === undefined ? '' : `≤ ${r.target} ${r.unit}`} | ${r.target === undefined ? '' : passed(r) ? 'pass' : 'FAIL'} | ${r.note ?? ''} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(
    join(__dirname, 'results.json'),
    `${JSON.stringify({ machine, at: new Date().toISOString(), rows }, null, 2)}\n`,
  );
  process.exit(rows.every(passed) ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});
