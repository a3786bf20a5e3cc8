import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configureLogging, createLogger } from '../../src/log';
import { testLogging } from '../helpers/logging';
import { scanLogs } from '../setup/logScan';

/** The run-wide log scan (test/setup/globalTeardown.ts) finds leaks, and tenantlink's logger leaves none. */

const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJjb250b3NvIiwib2lkIjoiMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-scan-'));
});
afterEach(() => {
  configureLogging(testLogging());
  rmSync(dir, { recursive: true, force: true });
});

it('finds a JWT, a bearer header and a client secret written raw', () => {
  writeFileSync(
    join(dir, 'a.log'),
    [
      '{"msg":"fine"}',
      `{"msg":"token ${JWT}"}`,
      '{"headers":{"authorization":"Bearer abcdefghijklmnopqrstuvwxyz"}}',
      '{"body":"grant_type=client_credentials&client_secret=s3cr3t-value"}',
      '{"body":"grant_type=authorization_code&client_assertion=opaque-assertion-value"}',
      '{"headers":{"x-identity-header":"853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a"}}',
    ].join('\n'),
  );
  const { lines, leaks } = scanLogs(dir);
  expect(lines).toBe(6);
  expect(leaks.map((l) => l.line)).toEqual(expect.arrayContaining([2, 3, 4, 5, 6]));
  expect(leaks.some((l) => l.line === 1)).toBe(false);
});

it('finds nothing in what tenantlink logs when handed tokens and secrets', () => {
  const file = join(dir, 'b.log');
  configureLogging({ level: 'trace', destination: pino.destination({ dest: file, sync: true }) });
  const log = createLogger('scan-test');
  log.info({ headers: { authorization: `Bearer ${JWT}` } }, 'request');
  log.warn(`failed with Authorization: Bearer ${JWT}`);
  log.error({ err: new Error(`token service said ${JWT}`) }, 'token service');
  log.info({ accessToken: JWT, refresh_token: JWT, password: 'Sandbox-Passw0rd!' }, 'fields');
  log.info(
    {
      client_assertion: 'opaque-assertion-value',
      clientAssertion: JWT,
      headers: { 'x-identity-header': '853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a' },
    },
    'managed identity',
  );
  const { lines, leaks } = scanLogs(dir);
  expect(lines).toBe(5);
  expect(leaks).toEqual([]);
});
