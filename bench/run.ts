import { fork } from 'node:child_process';
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
import { selectBenchmarks } from './stats';
import { turnOverhead } from './turnOverhead';

/** The benchmarks by name, in the order they run. */
const BENCHMARKS: Readonly<Record<string, () => Promise<BenchRow[]>>> = {
  scale,
  turnOverhead,
  fullLink,
  grants,
  conversations,
  restore,
  inventory,
  clickAnswer,
};

/** The benchmarks' names by the number their rows carry (issues 7, 9, 17 and 18). */
const NUMBERS: Readonly<Record<string, string>> = {
  '1': 'turnOverhead',
  '2': 'fullLink',
  '3': 'scale',
  '4': 'grants',
  '5': 'conversations',
  '6': 'restore',
  '17': 'inventory',
  '18': 'clickAnswer',
};

/**
 * Runs one benchmark in a new Node process (same flags, e.g. --expose-gc) and returns its rows,
 * sent back over the IPC channel: each one starts from a fresh heap and RSS, so what one
 * benchmark allocated does not count in the next one's peak RSS or slow its GC.
 * @throws Error when the child exits without sending its rows
 */
async function inChild(name: string): Promise<BenchRow[]> {
  const child = fork(__filename, [name], { execArgv: process.execArgv, stdio: 'inherit' });
  return new Promise<BenchRow[]>((resolve, reject) => {
    let rows: BenchRow[] | undefined;
    child.once('message', (message) => {
      rows = message as BenchRow[];
    });
    child.once('exit', (code) =>
      rows ? resolve(rows) : reject(new Error(`benchmark ${name} exited (${code}) without rows`)),
    );
  });
}

/**
 * `npm run bench`: runs the five benchmarks of issue 7, the restore benchmark of issue 9 and the
 * inventory and click-answer benchmarks of issues 17 and 18, one after the other, each in a
 * process of its own; prints a table with target and pass/fail per row, writes
 * bench/results.json and exits 1 when a target is missed. Not part of `npm test`. `BENCH=1,5`
 * runs only the benchmarks it names (see {@link selectBenchmarks}).
 * With a benchmark's name as argument (and an IPC channel), runs only that one in this process
 * and sends its rows to the parent.
 */
async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== undefined) {
    const bench = BENCHMARKS[only];
    if (!bench) throw new Error(`no benchmark ${only}: ${Object.keys(BENCHMARKS).join(', ')}`);
    const rows = await bench();
    if (process.send) process.send(rows, () => process.exit(0));
    else {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      process.exit(0);
    }
    return;
  }
  const machine = `${cpus().length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
  const rows: BenchRow[] = [];
  for (const name of selectBenchmarks(process.env.BENCH, Object.keys(BENCHMARKS), NUMBERS))
    rows.push(...(await inChild(name)));
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
