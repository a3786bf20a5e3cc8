import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { CaseTable } from '../helpers/caseTable';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The sandbox is private (issue 20, point 6): every control call that changes the sandbox or
 * returns a token or password needs the secret generated at its start; only the token-free state
 * snapshot is open. Fault rules are validated when set.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;
const table = new CaseTable('Sandbox control API without its secret');

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

const userId = '29:kelley';
// Three cells a row: jest-each reads a shorter row as a test that takes a `done` callback.
const CONTROL_CALLS: ['GET' | 'POST' | 'DELETE', string, unknown][] = [
  [
    'GET',
    `/_sandbox/tokenservice/token?userId=${userId}&connection=office365&resource=graph`,
    undefined,
  ],
  ['POST', '/_sandbox/tokenservice/signin', { userId, connection: 'office365', refreshToken: 'x' }],
  ['DELETE', `/_sandbox/tokenservice/signin?userId=${userId}&connection=office365`, undefined],
  ['GET', '/_sandbox/accounts', undefined],
  ['POST', '/_sandbox/faults', { rules: [{ status: 500 }] }],
  ['DELETE', '/_sandbox/faults', undefined],
  ['POST', '/_sandbox/faults/release', undefined],
  ['POST', '/_sandbox/accounts/kelley-msa/revokeSignInSessions', undefined],
  ['POST', '/_sandbox/reset', undefined],
  ['GET', '/_sandbox/calls', undefined],
  ['DELETE', '/_sandbox/calls', undefined],
  [
    'POST',
    `/_sandbox/portal/subscriptions/${IDS.subscriptions.devTest}/changeDirectory`,
    { destinationTenantId: IDS.tenants.contoso, ownerObjectId: IDS.users.kelleyContoso },
  ],
];

it.each(CONTROL_CALLS)(
  'refuses %s %s without the secret and with a wrong one',
  async (method, path, body) => {
    const before = JSON.stringify(sandbox.snapshot());
    const missing = await http.call(method, path, { body, anonymous: true });
    const wrong = await http.call(method, path, {
      body,
      anonymous: true,
      headers: { authorization: 'Bearer not-the-secret' },
    });
    table.record(`${method} ${path.split('?')[0]}`, '401, nothing changed', missing.status);
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(JSON.stringify(missing.body)).not.toMatch(/eyJ|Passw0rd/);
    expect(JSON.stringify(sandbox.snapshot())).toBe(before);
  },
);

it('serves the token-free state snapshot to anyone and every control call with the secret', async () => {
  const state = await http.call('GET', '/_sandbox/state', { anonymous: true });
  expect(table.record('GET /_sandbox/state', '200 without the secret', state.status)).toBe(200);
  expect(JSON.stringify(state.body)).not.toMatch(/eyJ|Passw0rd/);
  const accounts = await http.call('GET', '/_sandbox/accounts');
  expect(accounts.status).toBe(200);
  expect(accounts.body.length).toBeGreaterThan(0);
  expect((await http.call('POST', '/_sandbox/reset')).status).toBeLessThan(300);
});

it('generates a new secret at each start', async () => {
  const other = await startSandboxCloud();
  try {
    expect(other.controlSecret).not.toBe(sandbox.controlSecret);
    expect(other.controlSecret.length).toBeGreaterThanOrEqual(32);
  } finally {
    await other.stop();
  }
});

describe('fault rules', () => {
  it.each([
    ['catastrophic backtracking', '(a+)+$'],
    ['does not compile', '('],
    ['too long', 'a'.repeat(300)],
  ])('refuses a path pattern that %s with 400 and keeps serving', async (name, path) => {
    const res = await http.call('POST', '/_sandbox/faults', {
      body: { rules: [{ api: 'arm', path, status: 500 }] },
    });
    expect(table.record(`fault pattern: ${name}`, '400', res.status)).toBe(400);
    expect(sandbox.injectedFaults().arm).toBe(0);
    const token = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
    const list = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', { token });
    expect(list.status).toBe(200);
  });

  it('applies a safe pattern case-insensitively', async () => {
    const res = await http.call('POST', '/_sandbox/faults', {
      body: { rules: [{ api: 'arm', path: '^/SUBSCRIPTIONS$', status: 503, count: 1 }] },
    });
    expect(res.status).toBe(200);
    const token = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
    const list = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', { token });
    expect(list.status).toBe(503);
  });
});

describe('hold rules', () => {
  it('park matching requests until released, and report how many wait', async () => {
    const token = await http.token(IDS.tenants.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    await http.call('POST', '/_sandbox/faults', {
      body: { rules: [{ api: 'arm', method: 'GET', path: '^/subscriptions$', hold: true }] },
    });
    let answered = false;
    const inFlight = http
      .call('GET', '/arm/subscriptions?api-version=2022-12-01', { token })
      .then((res) => {
        answered = true;
        return res;
      });
    const held = async (): Promise<number> =>
      (await http.call('GET', '/_sandbox/faults')).body.held as number;
    while ((await held()) === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    const released = await http.call('POST', '/_sandbox/faults/release');
    expect(released.body).toEqual({ released: 1 });
    expect((await inFlight).status).toBe(200);
    expect(await held()).toBe(0);
  });
});
