import { readFileSync } from 'node:fs';

/**
 * Reads the JSON report of `npm run mutate` (reports/mutation/mutation.json, Stryker's
 * mutation-testing-report-schema, https://github.com/stryker-mutator/mutation-testing-elements)
 * and prints the mutation score of each folder (src/domain, src/link) and every mutant that
 * survived or had no covering test, with its line and the source line, so that each one can be
 * killed by a test or listed in test/mutation/EQUIVALENT.md.
 *
 * Usage: `node scripts/runtime.cjs tsx scripts/mutationSurvivors.ts [report.json]`.
 * Exit code 0; 1 when the report cannot be read.
 */

/** The part of a mutant of the report that this script reads. */
export interface ReportMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  /** Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored, Pending. */
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

/** The part of a report that this script reads: its files by path, with source and mutants. */
export interface MutationReport {
  readonly files: Readonly<
    Record<string, { readonly source: string; readonly mutants: readonly ReportMutant[] }>
  >;
}

/** Counts of one folder and its score in percent (undefined when it has no valid mutant). */
export interface FolderScore {
  readonly folder: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly score: number | undefined;
}

/** The folder of a report path, e.g. `src/domain` for `src/domain/rules.ts`. */
function folderOf(path: string): string {
  return path.split('/').slice(0, -1).join('/');
}

/**
 * Per-folder counts and scores: (killed + timeout) / (killed + timeout + survived + no
 * coverage), as Stryker computes its mutation score (compile and runtime errors and ignored
 * mutants left out).
 */
export function folderScores(report: MutationReport): FolderScore[] {
  const byFolder = new Map<string, Record<string, number>>();
  for (const [path, file] of Object.entries(report.files)) {
    const counts = byFolder.get(folderOf(path)) ?? {};
    for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
    byFolder.set(folderOf(path), counts);
  }
  return [...byFolder.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([folder, c]) => {
      const killed = c.Killed ?? 0;
      const timeout = c.Timeout ?? 0;
      const survived = c.Survived ?? 0;
      const noCoverage = c.NoCoverage ?? 0;
      const valid = killed + timeout + survived + noCoverage;
      return {
        folder,
        killed,
        timeout,
        survived,
        noCoverage,
        ignored: c.Ignored ?? 0,
        score: valid === 0 ? undefined : (100 * (killed + timeout)) / valid,
      };
    });
}

/** One line per surviving or uncovered mutant: path:line:column status mutator → replacement | source. */
export function survivorLines(report: MutationReport): string[] {
  const lines: string[] = [];
  for (const [path, file] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const source = file.source.split('\n');
    const left = file.mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .sort((a, b) => a.location.start.line - b.location.start.line);
    for (const m of left) {
      const { line, column } = m.location.start;
      const code = (source[line - 1] ?? '').trim().slice(0, 100);
      lines.push(
        `${path}:${line}:${column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')} | ${code}`,
      );
    }
  }
  return lines;
}

function main(): number {
  const file = process.argv[2] ?? 'reports/mutation/mutation.json';
  let report: MutationReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${err instanceof Error ? err.message : err}\n`);
    return 1;
  }
  for (const s of folderScores(report)) {
    const score = s.score === undefined ? 'n/a' : `${s.score.toFixed(2)} %`;
    process.stdout.write(
      `${s.folder}: ${score} (killed ${s.killed}, timeout ${s.timeout}, survived ${s.survived}, ` +
        `no coverage ${s.noCoverage}, ignored ${s.ignored})\n`,
    );
  }
  for (const line of survivorLines(report)) process.stdout.write(`${line}\n`);
  return 0;
}

if (require.main === module) process.exit(main());
