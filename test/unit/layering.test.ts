import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The layering lint (eslint.config.mjs, issue 18): a layer that imports one above it fails the
 * build. Each row lints a one-line file placed in a layer with the project's own configuration.
 */

const ROOT = join(__dirname, '..', '..');

/**
 * Lints `code` as if it were `file`, with the project's ESLint configuration, in a child process
 * (the flat config is an ES module, which Jest's module system cannot load).
 */
function problems(file: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--stdin',
        '--stdin-filename',
        join(ROOT, file),
        '--format',
        'json',
      ],
      { cwd: ROOT },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const [result] = JSON.parse(out) as { messages: { ruleId: string; message: string }[] }[];
      resolve(
        (result?.messages ?? [])
          .filter((m) => m.ruleId === 'no-restricted-imports')
          .map((m) => m.message),
      );
    });
    child.stdin.end(`${code}\nexport const x = y;\n`);
  });
}

it.each([
  ['src/domain/x.ts', "import { y } from '../link/impact';"],
  ['src/domain/x.ts', "import { y } from '../state/changeRecords';"],
  ['src/state/x.ts', "import { y } from '../link/restore';"],
  ['src/i18n/x.ts', "import { y } from '../cards/render';"],
  ['src/link/x.ts', "import { y } from '../dialogs/linkSteps';"],
  ['src/link/x.ts', "import { y } from 'botbuilder';"],
  ['src/azure/x.ts', "import { y } from '../state/changeRecords';"],
])('refuses an upward import in %s: %s', async (file, code) => {
  expect(await problems(file, code)).toHaveLength(1);
});

it.each([
  ['src/link/x.ts', "import { y } from '../domain/model';"],
  ['src/dialogs/x.ts', "import { y } from '../link/impact';"],
  ['src/state/x.ts', "import { y } from '../domain/restorePlan';"],
])('allows a downward import in %s: %s', async (file, code) => {
  expect(await problems(file, code)).toEqual([]);
});
