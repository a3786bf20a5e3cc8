import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackCertificate, type LoopbackCertificate } from '../../src/sandbox/certificate';

/**
 * A tiny HTTPS server on 127.0.0.1 (random port) for client tests: each test sets `handler` to
 * answer with canned ARM or Graph bodies, and reads `requests` to see what reached the server
 * (headers, body and the server-side arrival time).
 */

/** A request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/subscriptions?api-version=2022-12-01`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Date.now()` when the request's body had arrived. */
  readonly at: number;
}

/** Answers one request. `res` may be left open (slow responses): the server closes it on stop. */
export type CannedHandler = (req: RecordedRequest, res: ServerResponse) => void;

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A running canned server. */
export class CannedHttpsServer {
  /** Requests received since the last reset, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** The current answer; 500 until a test sets it. */
  handler: CannedHandler = (_req, res) => sendJson(res, 500, { error: { code: 'NoHandler' } });
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly server: Server;

  private constructor(
    pems: LoopbackCertificate,
    /** The server's self-signed certificate (PEM), to trust in the client under test. */
    readonly caCertificatePem: string = pems.cert,
  ) {
    this.server = createServer({ key: pems.key, cert: pems.cert }, (req, res) =>
      this.receive(req, res),
    );
  }

  /** Root URL, e.g. `https://127.0.0.1:41234`. */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Generates a certificate for 127.0.0.1 and listens on a random loopback port. */
  static async start(): Promise<CannedHttpsServer> {
    const pems = await loopbackCertificate('tenantlink-test');
    const canned = new CannedHttpsServer(pems);
    await new Promise<void>((resolve, reject) => {
      canned.server.once('error', reject);
      canned.server.listen(0, '127.0.0.1', () => resolve());
    });
    return canned;
  }

  /** Answers after `ms` (unless the client has gone), with `answer`. */
  later(res: ServerResponse, ms: number, answer: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) answer();
    }, ms);
    this.timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  /** Forgets recorded requests and the handler. */
  reset(): void {
    this.requests.length = 0;
    this.handler = (_req, res) => sendJson(res, 500, { error: { code: 'NoHandler' } });
  }

  /** Closes the server and every open connection. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.requests.push(recorded);
      try {
        this.handler(recorded, res);
      } catch (err) {
        sendJson(res, 500, { error: { code: 'HandlerFailed', message: String(err) } });
      }
    });
  }
}
