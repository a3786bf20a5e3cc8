import type { TokenCredential } from '@azure/core-auth';
import type { ServerResponse } from 'node:http';
import { ArmClient } from '../../src/azure/armClient';
import { ArmAzureManagement } from '../../src/azure/azureManagement';
import { roleAssignmentName } from '../../src/domain/names';
import { BUILT_IN_ROLES, roleDefinitionIdAt } from '../../src/domain/roles';
import { TenantlinkError } from '../../src/errors';
import { CannedHttpsServer, sendJson, type RecordedRequest } from '../helpers/cannedHttps';

/**
 * ArmClient's error mapping against a local HTTPS server answering with ARM's error body
 * `{ error: { code, message } }` and headers (x-ms-correlation-request-id, Retry-After).
 */

const TOKEN = 'test-token';
const credential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }),
};
const SUB = 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa';
const SUBSCRIPTIONS = '/subscriptions?api-version=2022-12-01';
const CORRELATION = '6f1d5b1c-2d2c-4a7e-8a0e-1b7c3f1d9e20';

let server: CannedHttpsServer;

beforeAll(async () => {
  server = await CannedHttpsServer.start();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.stop();
});

function arm(
  options: { timeoutMs?: number; maxRetries?: number; replicationRetries?: number } = {},
): ArmClient {
  return new ArmClient(credential, {
    endpoint: server.url,
    scope: 'https://management.azure.com/.default',
    caCertificatePem: server.caCertificatePem,
    timeoutMs: options.timeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 1,
    // Replication-delay retries are off unless a test asks for them (fast delays).
    replicationRetry: {
      maxRetries: options.replicationRetries ?? 0,
      baseDelayMs: 50,
      maxDelayMs: 200,
    },
  });
}

function armError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { error: { code, message } },
    {
      'x-ms-correlation-request-id': CORRELATION,
      ...headers,
    },
  );
}

/** Runs `call`, which must fail, and returns its TenantlinkError. */
async function failure(call: () => Promise<unknown>): Promise<TenantlinkError> {
  const err: unknown = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TenantlinkError);
  return err as TenantlinkError;
}

function expectNoToken(err: TenantlinkError): void {
  expect(err.message).not.toContain(TOKEN);
  expect(JSON.stringify(err.params)).not.toContain(TOKEN);
}

function expectBearer(requests: readonly RecordedRequest[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
}

describe('ArmClient: success', () => {
  it('sends the bearer token and returns the body, status and correlation id', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        200,
        { value: [{ subscriptionId: SUB }] },
        {
          'x-ms-correlation-request-id': CORRELATION,
        },
      );
    const response = await arm().send<{ value: { subscriptionId: string }[] }>(
      'GET',
      SUBSCRIPTIONS,
    );
    expect(response).toEqual({
      status: 200,
      body: { value: [{ subscriptionId: SUB }] },
      correlationId: CORRELATION,
      headers: expect.anything(),
    });
    expect(response.headers.get('x-ms-correlation-request-id')).toBe(CORRELATION);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: SUBSCRIPTIONS });
    expectBearer(server.requests);
  });

  it('sends a JSON body on PUT', async () => {
    server.handler = (req, res) => sendJson(res, 201, JSON.parse(req.body));
    const response = await arm().send('PUT', '/x?api-version=1', { properties: { a: 1 } });
    expect(response.status).toBe(201);
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ properties: { a: 1 } });
  });

  it('follows nextLink across pages', async () => {
    server.handler = (req, res) =>
      req.url.includes('page=2')
        ? sendJson(res, 200, { value: [{ n: 3 }] })
        : sendJson(res, 200, {
            value: [{ n: 1 }, { n: 2 }],
            nextLink: `${server.url}${SUBSCRIPTIONS}&page=2`,
          });
    expect(await arm().list<{ n: number }>(SUBSCRIPTIONS)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(server.requests.map((r) => r.url)).toEqual([SUBSCRIPTIONS, `${SUBSCRIPTIONS}&page=2`]);
    expectBearer(server.requests);
  });
});

describe('ArmClient: error mapping', () => {
  it.each<[number, string, string, string, boolean]>([
    [400, 'InvalidRequestContent', 'TL-CLOUD-BAD-REQUEST', 'cloudBadRequest', false],
    [400, 'PrincipalNotFound', 'TL-ARM-PRINCIPAL-NOT-FOUND', 'principalNotFound', true],
    [401, 'InvalidAuthenticationToken', 'TL-CLOUD-UNAUTHORIZED', 'cloudUnauthorized', false],
    [403, 'AuthorizationFailed', 'TL-CLOUD-FORBIDDEN', 'cloudForbidden', false],
    [404, 'SubscriptionNotFound', 'TL-CLOUD-NOT-FOUND', 'cloudNotFound', false],
    [409, 'RoleAssignmentExists', 'TL-CLOUD-CONFLICT', 'cloudConflict', false],
  ])('maps %i %s to %s without retrying', async (status, code, tlCode, _name, transient) => {
    const message = `ARM says ${code}.`;
    server.handler = (_req, res) => armError(res, status, code, message);
    const err = await failure(() => arm({ maxRetries: 2 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe(tlCode);
    expect(err.def.transient ?? false).toBe(transient);
    expect(err.serviceCode).toBe(code);
    expect(err.correlationId).toBe(CORRELATION);
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(err.params).toEqual({ serviceMessage: message });
    expect(err.message).toContain(`${status} ${code}`);
    expect(server.requests).toHaveLength(1);
    expectBearer(server.requests);
    expectNoToken(err);
  });

  it('retries 400 PrincipalNotFound (replication delay) until the principal is visible', async () => {
    let calls = 0;
    server.handler = (_req, res) => {
      calls++;
      if (calls <= 2) return armError(res, 400, 'PrincipalNotFound', 'Principal x does not exist.');
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'ok' }));
    };
    const response = await arm({ replicationRetries: 3 }).send('PUT', SUBSCRIPTIONS, { a: 1 });
    expect(response.status).toBe(201);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.body === JSON.stringify({ a: 1 }))).toBe(true);
  });

  it('gives up on PrincipalNotFound after its retries', async () => {
    server.handler = (_req, res) => armError(res, 400, 'PrincipalNotFound', 'Principal x.');
    const err = await failure(() => arm({ replicationRetries: 2 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-ARM-PRINCIPAL-NOT-FOUND');
    expect(server.requests).toHaveLength(3);
  });

  it('falls back to x-ms-request-id for the correlation id', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        404,
        { error: { code: 'NotFound', message: 'gone' } },
        {
          'x-ms-request-id': 'req-42',
        },
      );
    expect((await failure(() => arm().send('GET', SUBSCRIPTIONS))).correlationId).toBe('req-42');
  });

  it('retries 429 after Retry-After and then reports TL-CLOUD-THROTTLED', async () => {
    server.handler = (_req, res) =>
      armError(res, 429, 'TooManyRequests', 'Slow down.', { 'retry-after': '1' });
    const err = await failure(() => arm({ maxRetries: 1 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-THROTTLED');
    expect(err.def.transient).toBe(true);
    expect(err.serviceCode).toBe('TooManyRequests');
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.correlationId).toBe(CORRELATION);
    expect(server.requests).toHaveLength(2);
    // Retry-After: 1 honoured, measured on the server (loose lower bound only).
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expectBearer(server.requests);
    expectNoToken(err);
  });

  it('succeeds when the retry after a 429 succeeds', async () => {
    server.handler = (_req, res) =>
      server.requests.length === 1
        ? armError(res, 429, 'TooManyRequests', 'Slow down.', { 'retry-after': '1' })
        : sendJson(res, 200, { value: [] });
    expect((await arm({ maxRetries: 2 }).send('GET', SUBSCRIPTIONS)).body).toEqual({ value: [] });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('retries 503 after Retry-After and then reports TL-CLOUD-UNAVAILABLE', async () => {
    server.handler = (_req, res) =>
      armError(res, 503, 'ServiceUnavailable', 'Try later.', { 'retry-after': '1' });
    const err = await failure(() => arm({ maxRetries: 1 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-UNAVAILABLE');
    expect(err.serviceCode).toBe('ServiceUnavailable');
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.correlationId).toBe(CORRELATION);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expectNoToken(err);
  });

  it('retries 500 with backoff and then reports TL-CLOUD-UNAVAILABLE', async () => {
    server.handler = (_req, res) => armError(res, 500, 'InternalServerError', 'Oops.');
    const err = await failure(() => arm({ maxRetries: 1 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-UNAVAILABLE');
    expect(err.serviceCode).toBe('InternalServerError');
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(server.requests).toHaveLength(2);
    expectNoToken(err);
  });

  it('reports a response slower than timeoutMs as TL-CLOUD-TIMEOUT', async () => {
    server.handler = (_req, res) =>
      server.later(res, 10_000, () => sendJson(res, 200, { value: [] }));
    const err = await failure(() =>
      arm({ timeoutMs: 200, maxRetries: 0 }).send('GET', SUBSCRIPTIONS),
    );
    expect(err.code).toBe('TL-CLOUD-TIMEOUT');
    expect(err.def.transient).toBe(true);
    expect(err.serviceCode).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expectNoToken(err);
  });

  it('reports a refused connection as TL-CLOUD-UNAVAILABLE', async () => {
    const client = new ArmClient(credential, {
      endpoint: 'https://127.0.0.1:1',
      scope: 'https://management.azure.com/.default',
      caCertificatePem: server.caCertificatePem,
      // Short: the pipeline leaves its per-request timeout timer running after a refused connection.
      timeoutMs: 300,
      maxRetries: 0,
    });
    const err = await failure(() => client.send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-UNAVAILABLE');
    expectNoToken(err);
  });

  it('maps a non-JSON 502 body to TL-CLOUD-UNAVAILABLE', async () => {
    server.handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    };
    const err = await failure(() => arm({ maxRetries: 0 }).send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-UNAVAILABLE');
  });

  it('does not copy a token echoed by the service into the error', async () => {
    server.handler = (req, res) =>
      armError(res, 401, 'InvalidAuthenticationToken', `Rejected ${req.headers.authorization}`);
    const err = await failure(() => arm().send('GET', SUBSCRIPTIONS));
    expect(err.code).toBe('TL-CLOUD-UNAUTHORIZED');
    expectNoToken(err);
  });
});

describe('ArmAzureManagement.grantRole', () => {
  const scope = `/subscriptions/${SUB}`;
  const principalId = 'b7078861-5420-4a6d-943d-0179c0d46d5c';
  const ownerId = roleDefinitionIdAt(SUB, 'Owner');
  const name = roleAssignmentName(scope, principalId, ownerId);
  const putPath = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`;
  const grant = { scope, principalId, principalType: 'User', role: 'Owner' } as const;

  const assignment = (assignmentName: string, roleId: string) => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`,
    name: assignmentName,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { scope, principalId, principalType: 'User', roleDefinitionId: roleId },
  });

  it('PUTs the deterministic name with principalType and reports a new assignment', async () => {
    server.handler = (_req, res) => sendJson(res, 201, assignment(name, ownerId));
    const result = await new ArmAzureManagement(arm()).grantRole(grant);
    expect(result.created).toBe(true);
    expect(result.assignment).toMatchObject({ name, principalId, roleName: 'Owner', scope });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'PUT', url: putPath });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      properties: { roleDefinitionId: ownerId, principalId, principalType: 'User' },
    });
    expectBearer(server.requests);
  });

  it('treats 409 RoleAssignmentExists as success and returns the existing assignment', async () => {
    // Granted earlier in the portal: a different (random) assignment name.
    const existingName = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    server.handler = (req, res) =>
      req.method === 'PUT'
        ? armError(res, 409, 'RoleAssignmentExists', 'The role assignment already exists.')
        : sendJson(res, 200, {
            value: [
              assignment('9a0c0305-e82c-4330-b1f2-504e04f8941d', roleDefinitionIdAt(SUB, 'Reader')),
              assignment(existingName, ownerId),
            ],
          });
    const result = await new ArmAzureManagement(arm()).grantRole(grant);
    expect(result.created).toBe(false);
    expect(result.assignment).toMatchObject({ name: existingName, roleName: 'Owner', principalId });
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'GET']);
    const list = new URL(server.requests[1]!.url, server.url);
    expect(list.pathname).toBe(`${scope}/providers/Microsoft.Authorization/roleAssignments`);
    expect(list.searchParams.get('$filter')).toBe(`assignedTo('${principalId}')`);
    expectBearer(server.requests);
  });

  it('rethrows 409 RoleAssignmentExists when the list does not show the assignment', async () => {
    server.handler = (req, res) =>
      req.method === 'PUT'
        ? armError(res, 409, 'RoleAssignmentExists', 'The role assignment already exists.')
        : sendJson(res, 200, { value: [assignment(name, BUILT_IN_ROLES.Reader)] });
    const err = await failure(() => new ArmAzureManagement(arm()).grantRole(grant));
    expect(err.code).toBe('TL-CLOUD-CONFLICT');
    expect(err.serviceCode).toBe('RoleAssignmentExists');
  });

  it.each<[number, string, string]>([
    [403, 'AuthorizationFailed', 'TL-CLOUD-FORBIDDEN'],
    [400, 'PrincipalNotFound', 'TL-ARM-PRINCIPAL-NOT-FOUND'],
    [409, 'Conflict', 'TL-CLOUD-CONFLICT'],
  ])('reports %i %s as %s without listing', async (status, code, tlCode) => {
    server.handler = (_req, res) => armError(res, status, code, 'No.');
    const err = await failure(() => new ArmAzureManagement(arm()).grantRole(grant));
    expect(err.code).toBe(tlCode);
    expect(server.requests.map((r) => r.method)).toEqual(['PUT']);
    expectNoToken(err);
  });
});
