import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run doctor`'s real entry point (`npx tsx scripts/doctor.ts`) as a child process, in a
 * project folder of its own: it reads `.env` as `npm start` does and the azd environment named by
 * `.azure/config.json`, starts the sandbox and the bot itself, prints the report and exits 0 when
 * everything passed, 1 on a failure.
 */

const ROOT = join(__dirname, '..', '..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenantlink-doctor-cli-'));
  writeFileSync(
    join(dir, '.env'),
    ['TENANTLINK_MODE=local', 'PORT=0', 'STORAGE=memory', 'CLOUD_TIMEOUT_MS=5000', ''].join('\n'),
  );
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in `dir` and resolves when it exits (no time bound of its own: jest's applies). */
function runCli(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what a shell gives: none of the test process's configuration leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'en_US.UTF-8',
    };
    // tsx of this project (--prefix), run in the temporary project folder.
    const args = ['--no-install', '--prefix', ROOT, 'tsx', join(ROOT, 'scripts', 'doctor.ts')];
    const child = spawn('npx', args, {
      cwd: dir,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('passes in local mode and exits 0', async () => {
  const run = await runCli();
  expect(run.stderr).toBe('');
  expect(run.stdout).toContain('tenantlink doctor (local mode)');
  expect(run.stdout).toMatch(
    /\[ok\] +Messaging endpoint: http:\/\/127\.0\.0\.1:\d+\/api\/messages/,
  );
  expect(run.stdout).toContain('Every check passed');
  expect(run.code).toBe(0);
}, 60_000);

it('exits 1 with the TL- code and fix of a connection the azd environment names and the sandbox lacks', async () => {
  mkdirSync(join(dir, '.azure', 'dev'), { recursive: true });
  writeFileSync(join(dir, '.azure', 'config.json'), JSON.stringify({ defaultEnvironment: 'dev' }));
  writeFileSync(join(dir, '.azure', 'dev', '.env'), 'CONNECTION_AZURE_TARGET="armTargetFromAzd"\n');
  const run = await runCli();
  expect(run.stdout).toMatch(
    /\[FAIL\] +OAuth connection: TL-DOCTOR-CONNECTION-UNKNOWN: the Bot token service knows no OAuth connection named armTargetFromAzd \(CONNECTION_AZURE_TARGET\)\.\n +Fix: set CONNECTION_AZURE_TARGET to a connection the sandbox has/,
  );
  expect(run.stdout).toContain('1 check failed');
  expect(run.code).toBe(1);
}, 60_000);

it('exits 2 on an invalid configuration, naming the variable and never its value', async () => {
  writeFileSync(join(dir, '.env'), 'TENANTLINK_MODE=local\nPORT=not-a-port\n');
  const run = await runCli();
  expect(run.stderr).toContain('TL-CONFIG-INVALID');
  expect(run.stderr).toContain('PORT');
  expect(run.stderr).not.toContain('not-a-port');
  expect(run.code).toBe(2);
}, 60_000);
