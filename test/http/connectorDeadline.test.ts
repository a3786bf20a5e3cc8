import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotServer } from '../../src/bot/server';
import { serveBareBot } from '../helpers/bareBot';
import { CaseTable } from '../helpers/caseTable';

/**
 * Outbound calls have deadlines (issue 20, point 7): a connector (service URL) that accepts a
 * request and never answers cannot hold a conversation's turn for ever, and other conversations
 * are served meanwhile.
 */

const table = new CaseTable('Connector that never answers');

/** A loopback connector: `stuck` keeps every request open, otherwise it answers 200. */
class Connector {
  readonly received: string[] = [];
  private readonly held: ServerResponse[] = [];
  private server?: Server;

  constructor(private readonly stuck: boolean) {}

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      this.received.push(req.url ?? '');
      if (this.stuck) this.held.push(res);
      else {
        // Not chained: restify, loaded in the same process, patches writeHead to return nothing.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"1"}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let bot: BotServer;
const stuck = new Connector(true);
const healthy = new Connector(false);
let stuckUrl: string;
let healthyUrl: string;

beforeAll(async () => {
  [stuckUrl, healthyUrl] = await Promise.all([stuck.start(), healthy.start()]);
  bot = (await serveBareBot({ CONNECTOR_TIMEOUT_MS: '500' }, { echo: true })).server;
});
afterAll(async () => {
  await bot?.close();
  await Promise.all([stuck.stop(), healthy.stop()]);
});

const say = (conversation: string, serviceUrl: string, text: string) =>
  fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `${conversation}-${text}`,
      channelId: 'msteams',
      serviceUrl,
      from: { id: 'user-id-0' },
      recipient: { id: '28:bot' },
      conversation: { id: conversation },
      text,
    }),
  });

it('ends a turn whose reply never gets an answer, serves other conversations, and takes the next turn', async () => {
  const first = say('a:stuck', stuckUrl, 'one');
  const other = await say('a:healthy', healthyUrl, 'two');
  expect(table.record('other conversation meanwhile', '200, reply delivered', other.status)).toBe(
    200,
  );
  expect(healthy.received.some((u) => u.includes('a%3Ahealthy') || u.includes('a:healthy'))).toBe(
    true,
  );
  // The stuck conversation's turn ends (its send timed out; the turn error handler answered).
  expect(table.record('turn with a stuck reply', 'ends with 200', (await first).status)).toBe(200);
  const before = stuck.received.length;
  expect((await say('a:stuck', stuckUrl, 'three')).status).toBe(200);
  expect(
    table.record('next turn of that conversation', 'runs', stuck.received.length),
  ).toBeGreaterThan(before);
});
