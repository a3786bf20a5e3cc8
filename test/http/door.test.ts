import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import {
  ConversationState,
  MemoryStorage,
  TurnContext,
  type ConversationAccount,
} from 'botbuilder';
import { createAdapter } from '../../src/bot/adapter';
import { installTurnErrorHandler } from '../../src/bot/server';
import { loadConfig } from '../../src/config';
import { Localizer } from '../../src/i18n';
import { configureLogging } from '../../src/log';
import { FAKE_CLOUD, rawActivity, serveBareBot, type BareBot } from '../helpers/bareBot';
import { CaseTable } from '../helpers/caseTable';
import { testLogging } from '../helpers/logging';

/**
 * The HTTP door (issue 20, points 1–5 and 7): what a hostile caller can send before it is
 * authenticated, in cloud mode (fake app credentials, no valid token) and in local mode. Every
 * case must leave the process serving: a quick 4xx with a fixed body, nothing parsed before the
 * caller is allowed, nothing written to disk, no stack trace on stderr.
 */

const serve = (env: Record<string, string>) =>
  serveBareBot(env, { limits: { bodyTimeoutMs: 500 } });
const table = new CaseTable('The HTTP door (cloud mode without a token, and local mode)');

type Served = BareBot;

/** An answer as the client saw it; `status` 0 when the connection was dropped. */
interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Sends one raw request (no client-side encoding or negotiation). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const activity = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify(rawActivity(extra));

const JSON_TYPE = { 'content-type': 'application/json' };
const fixed = (code: string): string => JSON.stringify({ error: { code } });

let cloud: Served;
let local: Served;
let stderr: jest.SpyInstance;
let consoleError: jest.SpyInstance;

beforeAll(async () => {
  cloud = await serve({
    ...FAKE_CLOUD,
    // The OpenID metadata cannot be fetched here (no network): the failure must not leak.
    BOT_OPENID_METADATA_URL: 'https://openid.invalid/.well-known/openid-configuration',
  });
  local = await serve({ TENANTLINK_MODE: 'local' });
  stderr = jest.spyOn(process.stderr, 'write');
  consoleError = jest.spyOn(console, 'error');
});
afterAll(async () => {
  stderr.mockRestore();
  consoleError.mockRestore();
  await cloud?.server.close();
  await local?.server.close();
});

async function stillServing(served: Served): Promise<void> {
  expect((await send(`${served.server.url}/healthz`, { method: 'GET' })).status).toBe(200);
}

describe('point 1: a bad gzip body cannot take the process down', () => {
  it.each([
    [
      '2-byte invalid gzip on /api/messages (cloud)',
      () => cloud,
      '/api/messages',
      Buffer.from('{}'),
    ],
    [
      'truncated gzip on /api/messages (local)',
      () => local,
      '/api/messages',
      gzipSync(activity()).subarray(0, 12),
    ],
    ['truncated gzip on /healthz (local)', () => local, '/healthz', gzipSync('{}').subarray(0, 5)],
  ])('%s is answered 415 and the server keeps serving', async (name, which, path, body) => {
    const answer = await send(`${which().server.url}${path}`, {
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body,
    });
    expect(table.record(name, '415, still serving', answer.status)).toBe(415);
    expect(answer.body).toBe(fixed('TL-REQUEST-MEDIA-TYPE'));
    await stillServing(which());
  });
});

describe('point 2: the body limit holds for what is read, not what is declared', () => {
  it('refuses a gzip bomb before inflating it (RSS does not jump)', async () => {
    // 64 MiB of zeros, gzip-compressed to ~64 KiB: well under the byte limit on the wire.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        send(`${cloud.server.url}/api/messages`, {
          headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
          body: bomb,
        }),
      ),
    );
    const grownMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    table.record('5 gzip bombs (64 MiB each inflated)', '415, RSS < +48 MiB', answers[0]!.status);
    // Refused from the headers, before a byte of the body is read: the server answers 415 and
    // closes, so a client still sending may see the connection reset (status 0) before it reads
    // the 415 — a race of TCP, not of the server. Never anything else.
    for (const a of answers) expect([415, 0]).toContain(a.status);
    expect(
      answers
        .filter((a) => a.status === 415)
        .every((a) => a.body === fixed('TL-REQUEST-MEDIA-TYPE')),
    ).toBe(true);
    expect(grownMiB).toBeLessThan(48);
    await stillServing(cloud);
  });

  it('stops reading a chunked body at the limit (413) in local mode', async () => {
    const answer = await new Promise<number>((resolve) => {
      const req = request(`${local.server.url}/api/messages`, {
        method: 'POST',
        headers: JSON_TYPE, // no content-length: chunked
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 8; i++) req.write(chunk);
      req.end();
    });
    // The server stops reading at the limit and closes: a client still sending may see the
    // reset before the 413 (a TCP race); never another answer, and no turn.
    expect([413, 0]).toContain(table.record('chunked body of 512 KiB', '413', answer));
    expect(local.turns()).toBe(0);
    await stillServing(local);
  });

  it('refuses a declared length over the limit without reading it', async () => {
    const answer = await send(`${cloud.server.url}/api/messages`, {
      headers: { ...JSON_TYPE, 'content-length': String(300 * 1024) },
    });
    // The client never sends the body: the answer comes from the headers alone.
    expect(table.record('declared length 300 KiB', '413', answer.status)).toBe(413);
  });
});

describe('point 3: nothing reaches the disk', () => {
  it('refuses multipart and urlencoded bodies with 415 and writes no upload file', async () => {
    const uploads = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('upload_'));
    const before = uploads().length;
    const boundary = 'x-tenantlink-boundary';
    const part = `--${boundary}\r\ncontent-disposition: form-data; name="f"; filename="a.bin"\r\n\r\n`;
    const multipart = Buffer.concat([
      Buffer.from(part),
      Buffer.alloc(2 * 1024 * 1024, 0x61),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    for (const served of [cloud, local]) {
      const answer = await send(`${served.server.url}/api/messages`, {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: multipart,
      });
      // Refused from its headers; a client still sending 2 MiB may see the reset first.
      expect([415, 0]).toContain(table.record('multipart upload of 2 MiB', '415', answer.status));
      const form = await send(`${served.server.url}/api/messages`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=message&from[id]=user-id-0&serviceUrl=http://evil.example/',
      });
      expect(table.record('urlencoded activity', '415', form.status)).toBe(415);
    }
    expect(uploads().length).toBe(before);
    expect(cloud.turns() + local.turns()).toBe(0);
  });
});

describe('point 4: refusals say nothing about internals', () => {
  it('answers a forged token with a fixed 401 body and no stack trace on stderr', async () => {
    stderr.mockClear();
    consoleError.mockClear();
    const forged =
      'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2ln';
    for (const authorization of [forged, 'Bearer not.a.jwt', '']) {
      const answer = await send(`${cloud.server.url}/api/messages`, {
        headers: { ...JSON_TYPE, ...(authorization ? { authorization } : {}) },
        body: activity(),
      });
      table.record(`token "${authorization.slice(0, 16)}…"`, '401 fixed body', answer.status);
      expect(answer.status).toBe(401);
      expect(answer.body).toBe(fixed('TL-REQUEST-UNAUTHORIZED'));
    }
    expect(consoleError).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(cloud.turns()).toBe(0);
  });

  it('answers a wrong content type with 415 and a malformed activity with 400, echoing nothing', async () => {
    const csv = await send(`${local.server.url}/api/messages`, {
      headers: { 'content-type': 'text/csv' },
      body: activity({ text: 'ECHO-ME' }),
    });
    expect(table.record('text/csv with a JSON body', '415 fixed body', csv.status)).toBe(415);
    expect(csv.body).toBe(fixed('TL-REQUEST-MEDIA-TYPE'));
    const malformed = await send(`${local.server.url}/api/messages`, {
      headers: JSON_TYPE,
      body: activity({ from: undefined, conversation: undefined }),
    });
    expect(table.record('activity without from', '400 fixed body', malformed.status)).toBe(400);
    expect(malformed.body).toBe(fixed('TL-REQUEST-INVALID'));
    const unknownRoute = await send(`${local.server.url}/ECHO-ME`, { method: 'GET' });
    expect(table.record('unknown route', '404 fixed body', unknownRoute.status)).toBe(404);
    expect(unknownRoute.body).toBe(fixed('TL-REQUEST-NOT-FOUND'));
    const wrongMethod = await send(`${local.server.url}/api/messages`, { method: 'GET' });
    expect(table.record('GET /api/messages', '405 fixed body', wrongMethod.status)).toBe(405);
    expect(wrongMethod.body).not.toMatch(/api\/messages/);
  });

  it('a malformed activity with a valid shape but no token is 401 in cloud mode (auth first)', async () => {
    const answer = await send(`${cloud.server.url}/api/messages`, {
      headers: JSON_TYPE,
      body: '{"not": "an activity"',
    });
    expect(table.record('malformed JSON, no token (cloud)', '401', answer.status)).toBe(401);
  });

  it('logs a turn error with its code and ids, not the dialog stack or account data', async () => {
    const lines: string[] = [];
    configureLogging({ level: 'debug', destination: { write: (l: string) => lines.push(l) } });
    try {
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
      const adapter = createAdapter(config);
      const state = new ConversationState(new MemoryStorage());
      installTurnErrorHandler(adapter, state, new Localizer('locales'));
      const error = Object.assign(new Error('kelley.wall@outlook.com failed'), {
        dialogContext: { stack: [{ id: 'link', state: { email: 'kelley.wall@outlook.com' } }] },
      });
      const context = new TurnContext(adapter, {
        type: 'event',
        id: 'act-1',
        channelId: 'msteams',
        conversation: { id: 'conv-1' } as ConversationAccount,
      });
      await expect(adapter.onTurnError!(context, error)).resolves.toBeUndefined();
      const logged = lines.join('\n');
      expect(logged).toMatch(/TL-INTERNAL/);
      expect(logged).toMatch(/act-1/);
      expect(logged).not.toMatch(/outlook\.com|dialogContext/);
    } finally {
      configureLogging(testLogging());
    }
  });
});

describe('point 5: local mode stays on the laptop', () => {
  it('refuses a request from a web page (Origin) and a foreign serviceUrl, running no turn', async () => {
    const fromPage = await send(`${local.server.url}/api/messages`, {
      headers: { ...JSON_TYPE, origin: 'https://evil.example' },
      body: activity(),
    });
    expect(table.record('local: request with Origin', '403', fromPage.status)).toBe(403);
    for (const serviceUrl of ['https://evil.example/', 'http://10.0.0.1:3978/', 'http://[::2]/']) {
      const answer = await send(`${local.server.url}/api/messages`, {
        headers: JSON_TYPE,
        body: activity({ serviceUrl }),
      });
      expect(table.record(`local: serviceUrl ${serviceUrl}`, '403', answer.status)).toBe(403);
    }
    expect(local.turns()).toBe(0);
  });

  it('listens on loopback by default', () => {
    expect(new URL(local.server.url).hostname).toBe('127.0.0.1');
  });
});

describe('point 7 and edges: malformed fields are a 400, never a 500', () => {
  it.each([
    ['locale 42', activity({ locale: 42 })],
    ['locale {}', activity({ locale: {} })],
    ['locale with markup', activity({ locale: '<b>en</b>' })],
    ['text as an object', activity({ text: { a: 1 } })],
    ['from.name as an array', activity({ from: { id: 'u', name: ['x'] } })],
    ['nested 200 deep', activity({ value: JSON.parse('['.repeat(200) + ']'.repeat(200)) })],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    ],
  ])('%s is answered 400 and no turn runs', async (name, body) => {
    const answer = await send(`${local.server.url}/api/messages`, { headers: JSON_TYPE, body });
    expect(table.record(name, '400', answer.status)).toBe(400);
    expect(local.turns()).toBe(0);
  });

  it('drops __proto__ keys while parsing and serves the activity', async () => {
    const body = activity().replace('{', '{"__proto__": {"polluted": true},');
    const answer = await send(`${local.server.url}/api/messages`, { headers: JSON_TYPE, body });
    expect(table.record('__proto__ key', '2xx, no pollution', answer.status)).toBeLessThan(300);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives up on a body that never finishes (the server stays free)', async () => {
    const answer = await new Promise<number>((resolve) => {
      const req = request(`${local.server.url}/api/messages`, {
        method: 'POST',
        headers: { ...JSON_TYPE, 'content-length': '1000' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.write('{"type":');
    });
    // Either a 400 or the connection dropped by the server: never a hang or a turn.
    expect(table.record('body that never finishes', '400 or closed', answer)).not.toBe(200);
    await stillServing(local);
  });
});
