import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { runDoctor, type DoctorReport } from '../../src/doctor/runner';
import { ERRORS, type ErrorName } from '../../src/errors';
import { configureLogging } from '../../src/log';
import { FAKE_CLOUD, serveBareBot, type BareBot } from '../helpers/bareBot';
import { testLogging } from '../helpers/logging';
import { TEST_TOKEN_CACHE_KEY } from '../helpers/testApp';

/**
 * The doctor in cloud mode, against tenantlink's real HTTP door in cloud mode (JWT required): the
 * messaging endpoint must refuse a request without a token with 401 and tenantlink's own body; the
 * sign-in authority and redirect URI are checked; what needs Azure (the managed identity off
 * Azure, an operator who is not signed in) is reported as not checked, not as passed or failed.
 */

let cloudBot: BareBot;
let localBot: BareBot;
let dir: string;

/** An operator who never signed in (DefaultAzureCredential's CredentialUnavailableError). */
const signedOut: TokenCredential = {
  getToken: () => Promise.reject(new Error('CredentialUnavailableError: not signed in')),
};

beforeAll(async () => {
  configureLogging(testLogging());
  cloudBot = await serveBareBot({ ...FAKE_CLOUD });
  localBot = await serveBareBot({ TENANTLINK_MODE: 'local' });
  dir = mkdtempSync(join(tmpdir(), 'tenantlink-doctor-cloud-'));
});

afterAll(async () => {
  await cloudBot.server.close();
  await localBot.server.close();
  rmSync(dir, { recursive: true, force: true });
});

function doctor(env: Record<string, string>): Promise<DoctorReport> {
  return runDoctor({
    cwd: dir,
    env: {
      TENANTLINK_MODE: 'cloud',
      MicrosoftAppId: FAKE_CLOUD.MicrosoftAppId,
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
      STORAGE: 'memory',
      CLOUD_TIMEOUT_MS: '5000',
      SSO_APP_ID: FAKE_CLOUD.MicrosoftAppId,
      ...env,
    },
    operator: signedOut,
    locale: 'en-US',
  });
}

const codes = (r: DoctorReport) =>
  r.findings.filter((f) => f.status === 'fail').map((f) => ERRORS[f.error as ErrorName].code);

it("passes the endpoint that refuses a tokenless POST with tenantlink's 401, and skips what needs Azure", async () => {
  const report = await doctor({
    MESSAGING_ENDPOINT: `${cloudBot.server.url}/api/messages`,
    // Nothing listens on the discard port: the authority gives no metadata.
    AUTHORITY_HOST: 'http://127.0.0.1:9',
  });
  expect(report.findings.map((f) => [f.check, f.status])).toEqual([
    ['identity', 'skip'],
    ['endpoint', 'pass'],
    ['connections', 'skip'],
    ['connections', 'skip'],
    ['connections', 'skip'],
    ['connections', 'skip'],
    ['signInApp', 'fail'],
    ['signInApp', 'skip'],
    ['consent', 'skip'],
    ['storage', 'pass'],
    ['tokenCacheKey', 'skip'],
    ['keyVault', 'skip'],
    ['package', 'skip'],
  ]);
  expect(codes(report)).toEqual(['TL-DOCTOR-AUTHORITY']);
  expect(report.text).toContain('azd auth login');
});

it('fails an endpoint that answers without asking for a token with TL-DOCTOR-ENDPOINT', async () => {
  const report = await doctor({ MESSAGING_ENDPOINT: `${localBot.server.url}/api/messages` });
  const endpoint = report.findings.find((f) => f.check === 'endpoint');
  expect(endpoint).toEqual(
    expect.objectContaining({
      status: 'fail',
      error: 'doctorEndpoint',
      text: expect.stringContaining('HTTP 400 TL-REQUEST-INVALID'),
      fix: expect.stringContaining('Messaging endpoint'),
    }),
  );
});

it("fails a sign-in redirect URI that is not on the messaging endpoint's host", async () => {
  const env = {
    MESSAGING_ENDPOINT: 'https://tenantlink.example/api/messages',
    ADMIN_SIGNIN_CLIENT_ID: '5d2c8e4f-1a3b-4c6d-9e8f-7a6b5c4d3e2f',
    ADMIN_SIGNIN_CLIENT_SECRET: 'not-a-real-secret',
    TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
  };
  const wrong = await doctor({
    ...env,
    ADMIN_SIGNIN_REDIRECT_URI: 'https://attacker.example/auth/azure/callback',
  });
  expect(wrong.findings).toContainEqual(
    expect.objectContaining({
      check: 'signInApp',
      error: 'doctorRedirectUri',
      fix: expect.stringContaining(
        'ADMIN_SIGNIN_REDIRECT_URI=https://tenantlink.example/auth/azure/callback',
      ),
    }),
  );
  const right = await doctor({
    ...env,
    ADMIN_SIGNIN_REDIRECT_URI: 'https://tenantlink.example/auth/azure/callback',
  });
  expect(right.findings).toContainEqual(
    expect.objectContaining({ check: 'signInApp', status: 'pass' }),
  );
});
