import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The sandbox is not in the production build (issue 18): `npm run build` (tsconfig.build.json)
 * compiles only what cloud mode runs; local mode's sandbox cloud, its sign-in card and the Agents
 * Playground live in the development entry (src/dev/localMode.ts), which no production file
 * imports.
 */
it('builds no sandbox or development code for production', () => {
  const root = join(__dirname, '..', '..');
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--listFilesOnly',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(tsc.status).toBe(0);
  const files = tsc.stdout
    .split('\n')
    .map((f) => f.replace(/\\/g, '/'))
    .filter((f) => f.includes(`${root.replace(/\\/g, '/')}/src/`));
  expect(files.length).toBeGreaterThan(40);
  expect(
    files.filter((f) => /\/src\/(sandbox|dev)\/|sandboxTokenService|sandboxSignInDialog/.test(f)),
  ).toEqual([]);
  expect(files.some((f) => f.endsWith('/src/index.ts'))).toBe(true);
});
