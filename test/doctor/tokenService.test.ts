import { decodeJwt } from 'jose';
import { SandboxTokenService } from '../../src/auth/sandboxTokenService';
import { probeConnection, sandboxUserTokenClient } from '../../src/doctor/tokenService';
import { configureLogging } from '../../src/log';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { IDS } from '../../src/sandbox/seed';
import { testLogging } from '../helpers/logging';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The sandbox's Bot Framework token service as the doctor asks it (botframework-connector's
 * UserTokenClient, GET api/usertoken/GetToken): a connection it has answers "not signed in", an
 * unknown one the service's ServiceError "Could not find Connection Setting with name …"; and the
 * tokens it gives carry the connection's configured scopes, an unconsented one failing as Entra's
 * AADSTS65001.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;

beforeAll(async () => {
  configureLogging(testLogging());
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
});

afterAll(async () => {
  await sandbox.stop();
});

beforeEach(() => sandbox.reset());

it('tells a known connection from an unknown one through the bot framework client', async () => {
  const client = await sandboxUserTokenClient(sandbox, 5000)();
  expect(await probeConnection(client, 'graph')).toEqual({ kind: 'known' });
  expect(await probeConnection(client, 'azureSourceGraph')).toEqual({ kind: 'known' });
  expect(await probeConnection(client, 'Graph')).toEqual({ kind: 'unknown' });
  expect(await probeConnection(client, 'nope')).toEqual({ kind: 'unknown' });
  await http.call('DELETE', '/_sandbox/tokenservice/connections/graph');
  expect(await probeConnection(client, 'graph')).toEqual({ kind: 'unknown' });
});

it('answers an unknown connection with the token service ServiceError, and nothing without the secret', async () => {
  const q = 'userId=u1&connectionName=nope&channelId=msteams';
  const res = await http.call('GET', `/_sandbox/tokenservice/api/usertoken/GetToken?${q}`);
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    error: { code: 'ServiceError', message: "Could not find Connection Setting with name 'nope'" },
  });
  const known = await http.call(
    'GET',
    '/_sandbox/tokenservice/api/usertoken/GetToken?userId=u1&connectionName=graph&channelId=msteams',
  );
  expect(known.status).toBe(404);
  const anonymous = await http.call('GET', `/_sandbox/tokenservice/api/usertoken/GetToken?${q}`, {
    anonymous: true,
  });
  expect(anonymous.status).toBe(401);
});

it('reads and changes connections in the shape of ARM, and resets them', async () => {
  const got = await http.call('GET', '/_sandbox/tokenservice/connections/azureTarget');
  expect(got.body).toEqual({
    name: 'azureTarget',
    properties: {
      clientId: expect.any(String),
      scopes: 'https://management.azure.com/user_impersonation offline_access',
      serviceProviderDisplayName: 'Azure Active Directory v2',
    },
  });
  expect(
    (await http.call('PUT', '/_sandbox/tokenservice/connections/x', { body: {} })).status,
  ).toBe(400);
  expect((await http.call('DELETE', '/_sandbox/tokenservice/connections/x')).status).toBe(404);
  await http.call('DELETE', '/_sandbox/tokenservice/connections/azureTarget');
  expect((await http.call('GET', '/_sandbox/tokenservice/connections/azureTarget')).status).toBe(
    404,
  );
  await http.call('POST', '/_sandbox/reset');
  expect((await http.call('GET', '/_sandbox/tokenservice/connections')).body.value).toHaveLength(4);
});

describe('tokens of a signed-in user', () => {
  const httpOptions = () => ({
    caCertificatePem: sandbox.caCertificatePem,
    timeoutMs: 5000,
    maxRetries: 0,
  });

  /** Signs Kelley in (office365) and returns a fresh client's Graph token scopes. */
  async function graphScopes(): Promise<string[]> {
    const tokens = new SandboxTokenService(sandbox, httpOptions(), IDS.applications.signInCard);
    const choice = (await tokens.choices('office365'))[0]!;
    await tokens.signIn('user-1', 'office365', choice.value);
    const fresh = new SandboxTokenService(sandbox, httpOptions(), IDS.applications.signInCard);
    const token = await fresh.credential('user-1', 'office365', 'graph').getToken([]);
    return String(decodeJwt(token!.token).scp).split(' ');
  }

  it("carry the connection's scopes: one it lacks is not in the token", async () => {
    expect(await graphScopes()).toContain('User.Invite.All');
    await http.call('PUT', '/_sandbox/tokenservice/connections/graph', {
      body: { scopes: 'openid profile offline_access User.Read User.Read.All' },
    });
    const scopes = await graphScopes();
    expect(scopes).toEqual(['User.Read', 'User.Read.All']);
  });

  it('fail as Entra does (AADSTS65001) for a scope admin consent did not grant', async () => {
    await http.call('PUT', '/_sandbox/tokenservice/connections/graph', {
      body: { scopes: 'openid profile offline_access User.Read Mail.Read' },
    });
    await expect(graphScopes()).rejects.toThrow(/invalid_grant 65001/);
  });
});
