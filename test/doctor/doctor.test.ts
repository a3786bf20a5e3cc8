import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { connectionScopes } from '../../src/auth/permissions';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { runDoctor, type DoctorReport } from '../../src/doctor/runner';
import { ERRORS, type ErrorName } from '../../src/errors';
import { configureLogging } from '../../src/log';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { freePort } from '../helpers/freePort';
import { testLogging } from '../helpers/logging';
import { SandboxHttp } from '../helpers/sandboxHttp';
import { TEST_TOKEN_CACHE_KEY } from '../helpers/testApp';

/**
 * `npm run doctor` in local mode (issue 26): it passes on the seeded sandbox, and each seeded
 * misconfiguration fails with its own TL- code and fix. The doctor starts the bot as `npm start`
 * does, on the sandbox of the test, which the test misconfigures through the sandbox's control API.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;
let dir: string;

beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});

afterAll(async () => {
  await sandbox.stop();
});

beforeEach(() => {
  sandbox.reset();
  dir = mkdtempSync(join(tmpdir(), 'tenantlink-doctor-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the doctor in local mode on the test's sandbox, with `env` on top. */
function doctor(env: Record<string, string> = {}): Promise<DoctorReport> {
  return runDoctor({
    cwd: dir,
    env: {
      TENANTLINK_MODE: 'local',
      PORT: '0',
      HOST: '127.0.0.1',
      STORAGE: 'memory',
      TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
      CLOUD_TIMEOUT_MS: '5000',
      CLOUD_MAX_RETRIES: '1',
      ...env,
    },
    sandbox,
    locale: 'en-US',
  });
}

/** The failures of a report, as `{ code, text, fix }`. */
function failures(report: DoctorReport) {
  return report.findings
    .filter((f) => f.status === 'fail')
    .map((f) => ({ code: ERRORS[f.error as ErrorName].code, text: f.text, fix: f.fix ?? '' }));
}

/** A Teams package whose manifest names these ids. */
async function writePackage(botId: string, ssoAppId: string): Promise<string> {
  const zip = new JSZip();
  zip.file(
    'manifest.json',
    JSON.stringify({
      bots: [{ botId }],
      webApplicationInfo: { id: ssoAppId, resource: `api://botid-${ssoAppId}` },
    }),
  );
  mkdirSync(join(dir, 'appPackage', 'build'), { recursive: true });
  const file = join(dir, 'appPackage', 'build', 'tenantlink.zip');
  writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer' }));
  return file;
}

const BOT = '3f1b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d';
const OTHER = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e';

it('passes in local mode: the bot it started, the four connections, the sign-in app, the store', async () => {
  const report = await doctor();
  expect(failures(report)).toEqual([]);
  expect(report.failed).toBe(0);
  const passed = report.findings.filter((f) => f.status === 'pass').map((f) => f.check);
  expect(passed).toEqual([
    'endpoint',
    'connections',
    'connections',
    'connections',
    'connections',
    'signInApp',
    'signInApp',
    'storage',
  ]);
  expect(report.text).toContain('Every check passed');
});

it('fails an unknown connection with TL-DOCTOR-CONNECTION-UNKNOWN and how to fix it', async () => {
  expect((await http.call('DELETE', '/_sandbox/tokenservice/connections/graph')).status).toBe(204);
  const report = await doctor();
  expect(failures(report)).toEqual([
    {
      code: 'TL-DOCTOR-CONNECTION-UNKNOWN',
      text: expect.stringContaining('no OAuth connection named graph (CONNECTION_GRAPH)'),
      fix: expect.stringContaining(`${sandbox.url}/_sandbox/tokenservice/connections/graph`),
    },
  ]);
  expect(report.text).toContain('TL-DOCTOR-CONNECTION-UNKNOWN');
});

it('fails a connection name the token service does not know, with the variable to change', async () => {
  const report = await doctor({ CONNECTION_AZURE_TARGET: 'azureTargetTypo' });
  expect(failures(report)).toEqual([
    {
      code: 'TL-DOCTOR-CONNECTION-UNKNOWN',
      text: expect.stringContaining('azureTargetTypo (CONNECTION_AZURE_TARGET)'),
      fix: expect.stringContaining('set CONNECTION_AZURE_TARGET'),
    },
  ]);
});

it('fails a connection without a scope the permission map needs with TL-DOCTOR-SCOPE-MISSING', async () => {
  const put = await http.call('PUT', '/_sandbox/tokenservice/connections/azureSourceGraph', {
    body: { scopes: 'openid profile offline_access User.Read User.ReadBasic.All' },
  });
  expect(put.status).toBe(200);
  const report = await doctor();
  expect(failures(report)).toEqual([
    {
      code: 'TL-DOCTOR-SCOPE-MISSING',
      text: 'the OAuth connection azureSourceGraph lacks the scopes LicenseAssignment.Read.All.',
      fix: expect.stringContaining(`"${connectionScopes('azureSourceGraph')}"`),
    },
  ]);
});

it('accepts scopes written with Graph resource URIs and in another case', async () => {
  await http.call('PUT', '/_sandbox/tokenservice/connections/azureSourceGraph', {
    body: {
      scopes:
        'openid profile offline_access https://graph.microsoft.com/User.Read user.readbasic.all https://graph.microsoft.com/LicenseAssignment.Read.All',
    },
  });
  expect(failures(await doctor())).toEqual([]);
});

it('fails a redirect URI on another host with TL-DOCTOR-REDIRECT-URI', async () => {
  const report = await doctor({
    ADMIN_SIGNIN_REDIRECT_URI: 'https://elsewhere.example/auth/azure/callback',
  });
  expect(failures(report)).toEqual([
    {
      code: 'TL-DOCTOR-REDIRECT-URI',
      text: expect.stringMatching(
        /^ADMIN_SIGNIN_REDIRECT_URI https:\/\/elsewhere\.example\/auth\/azure\/callback is not this bot's sign-in callback http:\/\/127\.0\.0\.1:\d+\/auth\/azure\/callback\.$/,
      ),
      fix: expect.stringContaining('ADMIN_SIGNIN_REDIRECT_URI'),
    },
  ]);
});

it('fails a redirect URI on the bot host with another path', async () => {
  const report = await doctor({ ADMIN_SIGNIN_REDIRECT_URI: 'http://127.0.0.1/auth/callback' });
  expect(failures(report).map((f) => f.code)).toEqual(['TL-DOCTOR-REDIRECT-URI']);
});

it('fails a Teams package built for another bot with TL-DOCTOR-APP-ID, and passes the right one', async () => {
  await writePackage(OTHER, BOT);
  const wrong = await doctor({ BOT_ID: BOT, SSO_APP_ID: BOT });
  expect(failures(wrong)).toEqual([
    {
      code: 'TL-DOCTOR-APP-ID',
      text: expect.stringContaining(`has bots[0].botId ${OTHER}; the registration has ${BOT}`),
      fix: expect.stringContaining('npm run package'),
    },
  ]);
  await writePackage(BOT, BOT);
  const right = await doctor({ BOT_ID: BOT, SSO_APP_ID: BOT });
  expect(failures(right)).toEqual([]);
  expect(right.findings).toContainEqual(
    expect.objectContaining({ check: 'package', status: 'pass' }),
  );
});

it('fails a package whose SSO app is not the registered one', async () => {
  await writePackage(BOT, OTHER);
  const report = await doctor({ BOT_ID: BOT, SSO_APP_ID: BOT });
  expect(failures(report).map((f) => f.text)).toEqual([
    expect.stringContaining(`webApplicationInfo.id ${OTHER}`),
    expect.stringContaining(`webApplicationInfo.resource api://botid-${OTHER}`),
  ]);
});

it('fails an unreachable store with TL-DOCTOR-STORAGE and still runs the other checks', async () => {
  // The embedded store's folder is a file: the bot's own factory cannot open it.
  const notAFolder = join(dir, 'not-a-folder');
  writeFileSync(notAFolder, 'x');
  const report = await doctor({ STORAGE: 'embedded', STORAGE_DIR: notAFolder });
  expect(failures(report)).toEqual([
    {
      code: 'TL-DOCTOR-STORAGE',
      text: expect.stringContaining('the store (embedded) failed the eTag test at "open"'),
      fix: expect.stringContaining('STORAGE_DIR'),
    },
  ]);
  expect(report.findings).toContainEqual(
    expect.objectContaining({ check: 'endpoint', status: 'pass' }),
  );
});

it('passes the eTag round trip on the embedded store of a data folder', async () => {
  const report = await doctor({ STORAGE: 'embedded', STORAGE_DIR: join(dir, 'data') });
  expect(report.findings).toContainEqual(
    expect.objectContaining({ check: 'storage', status: 'pass' }),
  );
  expect(report.failed).toBe(0);
});

it('checks a bot already running on its port instead of starting one, leaving its embedded store alone', async () => {
  const port = String(await freePort());
  const env = {
    TENANTLINK_MODE: 'local',
    PORT: port,
    HOST: '127.0.0.1',
    PLAYGROUND: 'off',
    STORAGE: 'embedded',
    STORAGE_DIR: join(dir, 'data'),
    TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
  };
  const running = await startApp(loadConfig(env), { sandbox });
  try {
    const report = await doctor(env);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        check: 'endpoint',
        status: 'pass',
        text: `http://127.0.0.1:${port}/api/messages answers as this bot (HTTP 400 without a token).`,
      }),
    );
    expect(report.findings).toContainEqual(
      expect.objectContaining({ check: 'storage', status: 'skip' }),
    );
    expect(report.failed).toBe(0);
  } finally {
    await running.stop();
  }
});
