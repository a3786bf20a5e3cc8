import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHttpHeadersLike, type WebResourceLike } from '@azure/core-http-compat';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { connectorHttpClient } from '../../src/bot/connectorHttp';

/**
 * The connector transport's deadline and cancellation (src/bot/connectorHttp.ts): past the
 * deadline a request rejects with a `TimeoutError`, a request's own shorter `timeout` wins, and
 * the pipeline's abort signal cancels the request with its reason. (The clients of the last two
 * cases have a 10-minute deadline: should the short timeout or the signal be lost, the test runs
 * into jest's timeout instead of passing.)
 */

let server: Server;
let base: string;
const held: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    // `/stuck` never answers; anything else answers at once.
    if (req.url === '/stuck') held.push(res);
    else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-answer': 'yes' });
      res.end('{"id":"1"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A connector POST to `path` (the fields of core-http's WebResource the transport reads). */
function post(path: string, timeout = 0, abortSignal?: AbortSignal): WebResourceLike {
  return {
    url: `${base}${path}`,
    method: 'POST',
    headers: toHttpHeadersLike(createHttpHeaders({ 'content-type': 'application/json' })),
    body: '{"type":"message"}',
    timeout,
    abortSignal,
  } as unknown as WebResourceLike;
}

it('answers with the status, headers and body of the reply', async () => {
  const res = await connectorHttpClient(5_000).sendRequest(post('/ok'));
  expect(res.status).toBe(200);
  expect(res.bodyAsText).toBe('{"id":"1"}');
  expect(res.headers.get('x-answer')).toBe('yes');
});

it('rejects with a TimeoutError past the deadline', async () => {
  await expect(connectorHttpClient(200).sendRequest(post('/stuck'))).rejects.toMatchObject({
    name: 'TimeoutError',
  });
});

it("lets a request's own shorter timeout win", async () => {
  await expect(connectorHttpClient(600_000).sendRequest(post('/stuck', 200))).rejects.toMatchObject(
    {
      name: 'TimeoutError',
    },
  );
});

it("cancels a request when the pipeline's signal aborts, with its reason", async () => {
  const controller = new AbortController();
  const sending = connectorHttpClient(600_000).sendRequest(post('/stuck', 0, controller.signal));
  controller.abort(new Error('cancelled by the caller'));
  await expect(sending).rejects.toThrow('cancelled by the caller');
  const already = new AbortController();
  already.abort(new Error('aborted before sending'));
  await expect(
    connectorHttpClient(600_000).sendRequest(post('/ok', 0, already.signal)),
  ).rejects.toThrow('aborted before sending');
});
