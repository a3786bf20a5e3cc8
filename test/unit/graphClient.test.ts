import type { TokenCredential } from '@azure/core-auth';
import type { ServerResponse } from 'node:http';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphOffice365Directory } from '../../src/graph/office365Directory';
import { TenantlinkError } from '../../src/errors';
import { CannedHttpsServer, sendJson, type RecordedRequest } from '../helpers/cannedHttps';

/**
 * The Graph client's error mapping (createGraphClient + GraphOffice365Directory) against a local
 * HTTPS server answering with Graph's error body
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */

const TOKEN = 'test-token';
const credential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }),
};
const REQUEST_ID = '0d3b8e0a-6c55-4f0e-9f5b-1f2c3d4e5f60';
const ME = {
  id: '402d83a0-e941-468c-866e-7574a8ab6a92',
  displayName: 'Kelley Wall',
  userPrincipalName: 'admin@contoso.onmicrosoft.com',
  mail: 'admin@contoso.onmicrosoft.com',
  otherMails: ['kelley.wall@outlook.com'],
};

let server: CannedHttpsServer;

beforeAll(async () => {
  server = await CannedHttpsServer.start();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.stop();
});

/** The pauses the directory asked for before sending throttled batch sub-requests again (ms). */
const pauses: number[] = [];

function directory(
  options: { timeoutMs?: number; maxRetries?: number; batchRetries?: number } = {},
) {
  const client = createGraphClient(credential, {
    baseUrl: `${server.url}/graph`,
    scopes: ['https://graph.microsoft.com/.default'],
    caCertificatePem: server.caCertificatePem,
    timeoutMs: options.timeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 1,
  });
  return new GraphOffice365Directory(client, {
    batchRetries: options.batchRetries ?? 3,
    pause: async (ms) => void pauses.push(ms),
  });
}

function graphErrorBody(code: string, message: string) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: '2024-08-31T12:00:00',
        'request-id': REQUEST_ID,
        'client-request-id': REQUEST_ID,
      },
    },
  };
}

function graphError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, graphErrorBody(code, message), {
    'request-id': REQUEST_ID,
    'client-request-id': REQUEST_ID,
    ...headers,
  });
}

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

describe('Graph client: success', () => {
  it('GETs /v1.0/me with the bearer token and maps the user', async () => {
    server.handler = (_req, res) => sendJson(res, 200, { ...ME, jobTitle: 'Admin' });
    expect(await directory().me()).toEqual(ME);
    expect(server.requests).toHaveLength(1);
    const url = new URL(server.requests[0]!.url, server.url);
    expect(url.pathname).toBe('/graph/v1.0/me');
    expect(url.searchParams.get('$select')).toBe(
      'id,displayName,userPrincipalName,mail,otherMails',
    );
    expectBearer(server.requests);
  });
});

describe('Graph client: error mapping', () => {
  it.each<[number, string, string]>([
    [400, 'Request_BadRequest', 'TL-CLOUD-BAD-REQUEST'],
    [401, 'InvalidAuthenticationToken', 'TL-CLOUD-UNAUTHORIZED'],
    [403, 'Authorization_RequestDenied', 'TL-CLOUD-FORBIDDEN'],
    [404, 'Request_ResourceNotFound', 'TL-CLOUD-NOT-FOUND'],
    [409, 'Conflict', 'TL-CLOUD-CONFLICT'],
    [500, 'generalException', 'TL-CLOUD-UNAVAILABLE'],
  ])('maps %i %s to %s without retrying', async (status, code, tlCode) => {
    server.handler = (_req, res) => graphError(res, status, code, `Graph says ${code}.`);
    const err = await failure(() => directory({ maxRetries: 2 }).me());
    expect(err.code).toBe(tlCode);
    expect(err.serviceCode).toBe(code);
    expect(err.correlationId).toBe(REQUEST_ID);
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(err.message).toContain(`${status} ${code}`);
    expect(server.requests).toHaveLength(1);
    expectBearer(server.requests);
    expectNoToken(err);
  });

  it.each<[number, string, string]>([
    [429, 'TooManyRequests', 'TL-CLOUD-THROTTLED'],
    [503, 'serviceNotAvailable', 'TL-CLOUD-UNAVAILABLE'],
  ])('retries %i %s after Retry-After, then reports %s', async (status, code, tlCode) => {
    server.handler = (_req, res) =>
      graphError(res, status, code, 'Please retry.', { 'retry-after': '1' });
    const err = await failure(() => directory({ maxRetries: 1 }).me());
    expect(err.code).toBe(tlCode);
    expect(err.def.transient).toBe(true);
    expect(err.serviceCode).toBe(code);
    expect(err.retryAfterSeconds).toBe(1);
    expect(err.correlationId).toBe(REQUEST_ID);
    expect(server.requests).toHaveLength(2);
    // Retry-After: 1 honoured, measured on the server (loose lower bound only).
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expectBearer(server.requests);
    expectNoToken(err);
  });

  it('succeeds when the retry after a 429 succeeds', async () => {
    server.handler = (_req, res) =>
      server.requests.length === 1
        ? graphError(res, 429, 'TooManyRequests', 'Please retry.', { 'retry-after': '1' })
        : sendJson(res, 200, ME);
    expect(await directory({ maxRetries: 2 }).me()).toEqual(ME);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expectBearer(server.requests);
  });

  it('maps a non-JSON 502 body by its status', async () => {
    server.handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    };
    const err = await failure(() => directory({ maxRetries: 0 }).me());
    expect(err.code).toBe('TL-CLOUD-UNAVAILABLE');
    expectNoToken(err);
  });

  it('reports a response slower than timeoutMs as TL-CLOUD-TIMEOUT', async () => {
    server.handler = (_req, res) => server.later(res, 10_000, () => sendJson(res, 200, ME));
    const err = await failure(() => directory({ timeoutMs: 200, maxRetries: 0 }).me());
    expect(server.requests).toHaveLength(1);
    expect(err.code).toBe('TL-CLOUD-TIMEOUT');
  });

  it('reports a response slower than timeoutMs as a TenantlinkError without the token', async () => {
    server.handler = (_req, res) => server.later(res, 10_000, () => sendJson(res, 200, ME));
    const err = await failure(() => directory({ timeoutMs: 200, maxRetries: 0 }).me());
    expect(server.requests).toHaveLength(1);
    expectNoToken(err);
  });
});

describe('Graph $batch', () => {
  const EMAIL = 'jane@contoso.onmicrosoft.com';
  const JANE = {
    id: 'b7078861-5420-4a6d-943d-0179c0d46d5c',
    displayName: 'Jane',
    userPrincipalName: EMAIL,
    mail: EMAIL,
    otherMails: [],
  };

  interface BatchRequest {
    requests: { id: string; method: string; url: string }[];
  }
  const batchOf = (r: RecordedRequest) => JSON.parse(r.body) as BatchRequest;

  it('POSTs one batch and merges the users of its sub-responses', async () => {
    server.handler = (req, res) =>
      sendJson(res, 200, {
        responses: batchOf(req)
          .requests.map((r) => ({ id: r.id, status: 200, body: { value: [JANE] } }))
          .reverse(),
      });
    expect(await directory().usersWithEmail(EMAIL)).toEqual([JANE]);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/graph/v1.0/$batch' });
    const batch = batchOf(request!);
    expect(batch.requests.map((r) => [r.id, r.method])).toEqual([
      ['1', 'GET'],
      ['2', 'GET'],
    ]);
    expect(batch.requests[0]!.url).toContain(`userPrincipalName eq '${EMAIL}'`);
    expect(batch.requests[1]!.url).toContain(`mail eq '${EMAIL}'`);
    expectBearer(server.requests);
  });

  it('sends a throttled sub-request again after its Retry-After, alone, and merges the answers', async () => {
    pauses.length = 0;
    let call = 0;
    server.handler = (req, res) => {
      call++;
      const requests = batchOf(req).requests;
      sendJson(res, 200, {
        responses: requests.map((r, k) =>
          call === 1 && k === 1
            ? {
                id: r.id,
                status: 429,
                headers: { 'Retry-After': '7' },
                body: graphErrorBody('TooManyRequests', 'Slow down.'),
              }
            : { id: r.id, status: 200, body: { value: [JANE] } },
        ),
      });
    };
    expect(await directory().usersWithEmail(EMAIL)).toEqual([JANE]);
    expect(pauses).toEqual([7000]);
    expect(server.requests.map((r) => batchOf(r).requests.length)).toEqual([2, 1]);
    expect(batchOf(server.requests[1]!).requests[0]!.url).toContain(`mail eq '${EMAIL}'`);
  });

  it('gives up on a sub-request still throttled after its retries', async () => {
    pauses.length = 0;
    server.handler = (req, res) =>
      sendJson(res, 200, {
        responses: batchOf(req).requests.map((r) => ({
          id: r.id,
          status: 429,
          headers: { 'Retry-After': '2' },
          body: graphErrorBody('TooManyRequests', 'Slow down.'),
        })),
      });
    const err = await failure(() => directory({ batchRetries: 2 }).usersWithEmail(EMAIL));
    expect(err.code).toBe('TL-CLOUD-THROTTLED');
    expect(err.retryAfterSeconds).toBe(2);
    expect(server.requests).toHaveLength(3);
    expect(pauses).toEqual([2000, 2000]);
  });

  it.each<[number, string, string, Record<string, string>, number | undefined]>([
    [404, 'Request_ResourceNotFound', 'TL-CLOUD-NOT-FOUND', {}, undefined],
    [403, 'Authorization_RequestDenied', 'TL-CLOUD-FORBIDDEN', {}, undefined],
  ])(
    'maps a sub-response %i %s to %s',
    async (status, code, tlCode, headers, retryAfterSeconds) => {
      server.handler = (_req, res) =>
        sendJson(res, 200, {
          responses: [
            { id: '1', status: 200, body: { value: [JANE] } },
            { id: '2', status, headers, body: graphErrorBody(code, 'No.') },
          ],
        });
      const err = await failure(() => directory().usersWithEmail(EMAIL));
      expect(err.code).toBe(tlCode);
      expect(err.serviceCode).toBe(code);
      expect(err.retryAfterSeconds).toBe(retryAfterSeconds);
      expect(server.requests).toHaveLength(1);
      expectNoToken(err);
    },
  );

  it('reports a missing sub-response as TL-CLOUD-UNAVAILABLE', async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, { responses: [{ id: '1', status: 200, body: { value: [] } }] });
    expect((await failure(() => directory().usersWithEmail(EMAIL))).code).toBe(
      'TL-CLOUD-UNAVAILABLE',
    );
  });

  it('maps a throttled $batch itself after retrying it', async () => {
    server.handler = (_req, res) =>
      graphError(res, 429, 'TooManyRequests', 'Please retry.', { 'retry-after': '1' });
    const err = await failure(() => directory({ maxRetries: 1 }).usersWithEmail(EMAIL));
    expect(err.code).toBe('TL-CLOUD-THROTTLED');
    expect(err.retryAfterSeconds).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body).toBe(server.requests[0]!.body);
  });

  it('never puts more than 20 requests in one batch (usersById of 301 ids)', async () => {
    const ids = Array.from(
      { length: 301 },
      (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    );
    server.handler = (req, res) =>
      sendJson(res, 200, {
        responses: batchOf(req).requests.map((r) => {
          const inList = /id in \(([^)]*)\)/.exec(decodeURIComponent(r.url))?.[1] ?? '';
          const value = [...inList.matchAll(/'([^']+)'/g)].map((m) => ({
            id: m[1],
            displayName: `User ${m[1]}`,
          }));
          return { id: r.id, status: 200, body: { value } };
        }),
      });
    const people = await directory().usersById(ids);
    expect(people.map((p) => p.id)).toEqual(ids);
    const sizes = server.requests.map((r) => batchOf(r).requests.length);
    expect(sizes).toEqual([20, 1]);
    for (const r of server.requests) {
      for (const sub of batchOf(r).requests) {
        const count = (decodeURIComponent(sub.url).match(/'/g) ?? []).length / 2;
        expect(count).toBeLessThanOrEqual(15);
      }
    }
  });
});
