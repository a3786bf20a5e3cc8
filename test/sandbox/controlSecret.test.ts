import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { projectRoot } from '../../src/paths';

/**
 * The sandbox's control secret stays out of kept output (issue 25, defect 6a): `npm start` prints
 * it only to a terminal. With stdout a pipe or a file (a service manager, `npm start > log`), the
 * secret is written to an owner-only file (0600) in the data folder and the banner gives that
 * file's path: it is in no line of stdout or stderr, logs included (they go to stdout), at debug
 * level, through start and stop.
 */

jest.setTimeout(120_000);

let work: string;
let child: ChildProcess | undefined;
let output = '';
let exited: Promise<number | null>;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'tenantlink-secret-'));
  output = '';
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  // What it printed goes to the run's scanned logs too.
  const logDir = process.env.TENANTLINK_TEST_LOG_DIR;
  if (logDir) appendFileSync(join(logDir, 'control-secret-child.log'), output);
  await rm(work, { recursive: true, force: true });
});

/** Starts `src/index.ts` (what `npm start` runs) with stdout and stderr piped, not a terminal. */
function start(env: Record<string, string>): void {
  const root = projectRoot();
  child = spawn(
    process.execPath,
    // tsx's loader (ESM and CommonJS hooks, like `npm start`'s `tsx src/index.ts`).
    ['--import', pathToFileURL(require.resolve('tsx')).href, join(root, 'src', 'index.ts')],
    {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
        TENANTLINK_MODE: 'local',
        PORT: '0',
        HOST: '127.0.0.1',
        PLAYGROUND: 'off',
        LOG_LEVEL: 'debug',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const running = child;
  running.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  running.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  exited = new Promise((resolve) => running.once('exit', (code) => resolve(code)));
}

/** Resolves when the output has a line matching `pattern`; rejects if the process exits first. */
function lineMatching(pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const look = (): boolean => {
      const match = pattern.exec(output);
      if (match) {
        child!.stdout!.off('data', look);
        child!.stderr!.off('data', look);
        resolve(match);
      }
      return Boolean(match);
    };
    if (look()) return;
    child!.stdout!.on('data', look);
    child!.stderr!.on('data', look);
    void exited.then((code) => {
      if (!look()) reject(new Error(`tenantlink exited (${code}) before: ${pattern.source}`));
    });
  });
}

it('writes the control secret to a 0600 file in the data folder, never to stdout, stderr or the logs', async () => {
  const dataFolder = join(work, 'data');
  start({ STORAGE_DIR: dataFolder });
  const sandboxUrl = (await lineMatching(/sandbox cloud:\s+(https:\/\/\S+)/))[1]!;
  const line = (await lineMatching(/sandbox control:[^\n]*\n/))[0];
  await lineMatching(/stop:\s+Ctrl\+C/);

  const file = join(dataFolder, 'sandbox-control-secret');
  expect(line).toContain(file);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await stat(dataFolder)).mode & 0o777).toBe(0o700);
  // The rest of the data folder is owner-only too: the store and the kept token cache key.
  for (const other of ['tenantlink.db', 'token-cache.key'])
    expect((await stat(join(dataFolder, other))).mode & 0o777).toBe(0o600);
  const secret = (await readFile(file, 'utf8')).trim();
  expect(secret.length).toBeGreaterThanOrEqual(32);

  // It is the sandbox's secret: the control API opens with it, not without it. (The sandbox's
  // certificate is made at its start in the other process: this loopback call does not check it.)
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const control = async (authorization?: string): Promise<number> => {
      const res = await request(`${sandboxUrl}/_sandbox/accounts`, {
        headers: authorization ? { authorization } : {},
        dispatcher: agent,
      });
      await res.body.dump();
      return res.statusCode;
    };
    expect([await control(`Bearer ${secret}`), await control()]).toEqual([200, 401]);
  } finally {
    await agent.close();
  }

  child!.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toMatch(/"msg":"stopping"/);
  expect(output).not.toContain(secret);
});
