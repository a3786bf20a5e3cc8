import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctorEnvironment } from '../../src/doctor/env';

/**
 * The doctor reads the configuration as `npm start` does (process environment over .env) and lets
 * the azd environment fill what is still missing.
 */

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenantlink-doctor-env-'));
  mkdirSync(join(dir, '.azure', 'prod'), { recursive: true });
  mkdirSync(join(dir, '.azure', 'dev'), { recursive: true });
  writeFileSync(join(dir, '.azure', 'config.json'), '{"version":1,"defaultEnvironment":"prod"}');
  writeFileSync(
    join(dir, '.azure', 'prod', '.env'),
    [
      'AZURE_TENANT_ID="t-prod"',
      'BOT_ID="bot-prod"',
      'BOT_NAME="bot-tenantlink"',
      'SSO_APP_ID="sso-prod"',
      'BOT_DOMAIN="tenantlink.azurewebsites.net"',
      'BLOB_ACCOUNT_URL="https://st.blob.core.windows.net"',
      'CONNECTION_GRAPH="graphProd"',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, '.azure', 'dev', '.env'), 'BOT_ID="bot-dev"\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("fills missing keys from azd's default environment, the bot being its managed identity", () => {
  const { env, deployment } = doctorEnvironment(dir, {});
  expect(env).toMatchObject({
    MicrosoftAppId: 'bot-prod',
    MicrosoftAppType: 'UserAssignedMSI',
    AZURE_CLIENT_ID: 'bot-prod',
    MicrosoftAppTenantId: 't-prod',
    STORAGE: 'blob',
    BLOB_ACCOUNT_URL: 'https://st.blob.core.windows.net',
    CONNECTION_GRAPH: 'graphProd',
  });
  expect(deployment).toMatchObject({
    botId: 'bot-prod',
    ssoAppId: 'sso-prod',
    botName: 'bot-tenantlink',
    messagingEndpoint: 'https://tenantlink.azurewebsites.net/api/messages',
    azdEnvironment: 'prod',
  });
});

it('takes the environment AZURE_ENV_NAME names, and lets .env and the process win', () => {
  writeFileSync(join(dir, '.env'), 'CONNECTION_GRAPH=fromDotenv\nMicrosoftAppId=fromDotenv\n');
  const { env } = doctorEnvironment(dir, { AZURE_ENV_NAME: 'dev', MicrosoftAppId: 'fromProcess' });
  expect(env.MicrosoftAppId).toBe('fromProcess');
  expect(env.CONNECTION_GRAPH).toBe('fromDotenv');
  expect(env.AZURE_CLIENT_ID).toBe('bot-dev');
});

it('keeps an explicitly local run local: only same-named keys are filled', () => {
  const { env, deployment } = doctorEnvironment(dir, { TENANTLINK_MODE: 'local' });
  expect(env.MicrosoftAppId).toBeUndefined();
  expect(env.STORAGE).toBeUndefined();
  expect(env.CONNECTION_GRAPH).toBe('graphProd');
  expect(deployment.botId).toBe('bot-prod');
});

it('reads nothing more without an azd environment', () => {
  rmSync(join(dir, '.azure'), { recursive: true });
  const { env, deployment } = doctorEnvironment(dir, { PORT: '1' });
  expect(env).toEqual({ PORT: '1' });
  expect(deployment.azdEnvironment).toBeUndefined();
});
