import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The dry run lives only in its recording ports (src/link/dryRun.ts, src/bot/dryRunLink.ts;
 * issue 28): no file of src/dialogs mentions it, in code, comments or strings (the words "dry
 * run", `dryRun`, `dry-run`, `DRY_RUN`, any case). A dialog calls its ports, procedure and jobs
 * and shows what they answer; it never asks whether it runs dry.
 */

const DIALOGS = join(__dirname, '..', '..', 'src', 'dialogs');

/** Every file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `file:line: text` for each line of `text` that mentions the dry run. */
function mentions(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) => (/dry.?run/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

it('finds a mention of the dry run in any spelling', () => {
  const spellings = ['if (flow.dryRun)', '// a dry run', "'dryRun.note'", 'DRY_RUN', 'dry-run'];
  for (const line of spellings) expect(mentions('x.ts', line)).toHaveLength(1);
  expect(mentions('x.ts', 'const plan = flow.plan; // dryer')).toEqual([]);
});

it('has no mention of the dry run under src/dialogs', () => {
  const found = files(DIALOGS).flatMap((f) =>
    mentions(relative(DIALOGS, f), readFileSync(f, 'utf8')),
  );
  expect(found).toEqual([]);
});
