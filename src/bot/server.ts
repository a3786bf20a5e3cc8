import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ActivityTypes,
  type Activity,
  type ActivityHandler,
  type BotAdapter,
  type ConversationState,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import * as restify from 'restify';
import { ERRORS, TenantlinkError, type ErrorDef } from '../errors';
import type { Localizer } from '../i18n';
import { HTML_PAGE_HEADERS } from '../i18n/htmlPage';
import { createLogger } from '../log';
import { ActivityShape } from './activityShape';
import type { TenantlinkAdapter } from './adapter';
import type { ServerAccess } from './serverAccess';
import type { CallbackPage } from './signInCallback';
import { SIGN_IN_CALLBACK_PATH } from './signInCallback';
import {
  checkBodyHeaders,
  isLoopbackHost,
  nestsDeeperThan,
  readJsonBody,
  type DoorRefusal,
} from './requestGuards';

/**
 * The HTTP server: restify 11 with `POST /api/messages` (Bot Framework activities) and
 * `GET /healthz`. Nothing is parsed before the caller is allowed: headers are checked first (415
 * for any encoding but identity or any type but JSON), then, in cloud mode, the Bot Framework JWT
 * (401 with a fixed body), and only then is the body read (JSON only, byte limit on the wire) and
 * validated. Every refusal has a fixed body with a stable `TL-` code and echoes no input.
 */

/** A running server. */
export interface BotServer {
  /** e.g. `http://127.0.0.1:3978`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Limits of the server (bytes and milliseconds). */
export interface ServerLimits {
  /** Largest body accepted, in bytes (default 256 KiB). */
  readonly maxBodyBytes: number;
  /** Time for the whole body to arrive once headers are read, in ms (default 10 s). */
  readonly bodyTimeoutMs: number;
  /** Time for the request headers to arrive, in ms (Node's `headersTimeout`, default 10 s). */
  readonly headersTimeoutMs: number;
  /** Time for the whole request to arrive, in ms (Node's `requestTimeout`, default 30 s). */
  readonly requestTimeoutMs: number;
  /** Idle time of a kept-alive connection, in ms (Node's `keepAliveTimeout`, default 5 s). */
  readonly keepAliveTimeoutMs: number;
  /** Deepest nesting of objects and arrays accepted in a body (default 32). */
  readonly maxDepth: number;
}

const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 256 * 1024,
  bodyTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxDepth: 32,
};

/** The catalogue entry that answers each status the server refuses with. */
const REFUSALS: Record<number, ErrorDef> = {
  400: ERRORS.requestInvalid,
  401: ERRORS.requestUnauthorized,
  403: ERRORS.requestForbidden,
  404: ERRORS.requestNotFound,
  405: ERRORS.requestMethod,
  413: ERRORS.requestTooLarge,
  415: ERRORS.requestMediaType,
  500: ERRORS.internal,
};

/**
 * Sets the adapter's turn error handler: logs the stable code and the ids of the turn (never the
 * dialog stack, the error's text or account data), tells the user in their language, and clears the
 * conversation's dialog state so the next message starts clean. It never throws.
 */
export function installTurnErrorHandler(
  adapter: BotAdapter,
  conversationState: ConversationState,
  localizer: Localizer,
): void {
  const log = createLogger('turn-error');
  adapter.onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    const { activity } = context;
    log.error(
      {
        code: ERRORS.internal.code,
        cause: error instanceof TenantlinkError ? error.code : (error?.name ?? typeof error),
        activityType: activity.type,
        activityId: activity.id,
        conversationId: activity.conversation?.id,
      },
      'unhandled turn error',
    );
    try {
      if (activity.type === ActivityTypes.Message) {
        const text = localizer.t(activity.locale, ERRORS.internal.messageKey);
        await context.sendActivity(`${text} (${ERRORS.internal.code})`);
      }
    } catch {
      // The user may not be reachable (the failure may be the channel itself): state is cleared anyway.
    }
    await conversationState.delete(context).catch(() => undefined);
  };
}

/** Writes a fixed JSON answer (no content negotiation, nothing from the request echoed). */
function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  const json = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    // A refused body may not have been read: the connection is not reused.
    ...(status >= 400 ? { connection: 'close' } : {}),
  });
  res.end(json);
}

/** The fixed body of a refusal: `{ error: { code } }` with the status's stable code. */
function refusalBody(status: number): { error: { code: string } } {
  return { error: { code: (REFUSALS[status] ?? ERRORS.internal).code } };
}

/** Whether a request carries a body (a length above 0, or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Starts the server.
 * @param port TCP port (0 = ephemeral)
 * @param host interface to listen on
 * @param access cloud (JWT before body) or local (loopback callers and service URLs only)
 * @param limits body size (bytes), nesting and timeouts (ms); defaults in {@link ServerLimits}
 * @throws Error when the port cannot be bound
 */
export async function startBotServer(options: {
  adapter: TenantlinkAdapter;
  bot: ActivityHandler;
  port: number;
  host: string;
  access: ServerAccess;
  limits?: Partial<ServerLimits>;
  /**
   * The subscription admin's sign-in redirect (`GET /auth/azure/callback`), when that sign-in is
   * tenantlink's own: gets the query string and whether a body came, answers a page.
   */
  signInCallback?: (search: string, hasBody: boolean) => Promise<CallbackPage>;
}): Promise<BotServer> {
  const log = createLogger('server');
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { access } = options;
  const server = restify.createServer({ name: 'tenantlink', handleUncaughtExceptions: false });
  const refuse = (res: ServerResponse, refusal: DoorRefusal): void => {
    const def = REFUSALS[refusal.status] ?? ERRORS.internal;
    log.warn({ code: def.code, status: refusal.status, reason: refusal.reason }, 'request refused');
    reply(res, refusal.status, refusalBody(refusal.status));
  };

  // Before routing: nothing with a body gets further unless it is plain JSON of allowed size.
  server.pre((req, res, next) => {
    if (access.kind === 'local' && req.headers.origin !== undefined) {
      refuse(res, { status: 403, reason: 'origin' });
      return next(false);
    }
    const refusal =
      req.method === 'POST' || hasBody(req)
        ? checkBodyHeaders(req.headers, limits.maxBodyBytes)
        : undefined;
    if (refusal) {
      refuse(res, refusal);
      return next(false);
    }
    return next();
  });
  // restify's own answers (unknown route, wrong method) quote the request: fixed bodies instead.
  server.on(
    'restifyError',
    (_req, _res, err: { statusCode?: number; toJSON?: () => unknown }, done: () => void) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      err.toJSON = () => refusalBody(status);
      return done();
    },
  );

  server.post('/api/messages', async (req, res) => {
    const authHeader = req.headers.authorization ?? '';
    if (access.kind === 'cloud') {
      const allowed =
        authHeader.trim() !== '' &&
        (await access.authenticate(authHeader).then(
          () => true,
          () => false,
        ));
      if (!allowed) return refuse(res, { status: 401, reason: authHeader ? 'token' : 'no-token' });
    }
    const body = await readJsonBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
    if (!('value' in body)) return refuse(res, body);
    if (nestsDeeperThan(body.value, limits.maxDepth))
      return refuse(res, { status: 400, reason: 'depth' });
    const shape = ActivityShape.safeParse(body.value);
    if (!shape.success) {
      // A 400 that names nothing (the log keeps the field paths), never a 500 that invites a retry.
      const fields = [...new Set(shape.error.issues.map((i) => i.path.join('.') || 'body'))];
      log.warn(
        { code: ERRORS.requestInvalid.code, fields: fields.slice(0, 10) },
        'malformed activity',
      );
      return reply(res, 400, refusalBody(400));
    }
    if (access.kind === 'local' && !isLoopbackHost(new URL(shape.data.serviceUrl).hostname))
      return refuse(res, { status: 403, reason: 'service-url' });
    try {
      const activity = shape.data as unknown as Activity;
      const answer = await options.adapter.processIncoming(authHeader, activity, (context) =>
        options.bot.run(context),
      );
      return reply(res, answer?.status ?? 200, answer?.body);
    } catch (err) {
      if (err instanceof AuthenticationError) return refuse(res, { status: 401, reason: 'claims' });
      log.error(
        { code: ERRORS.internal.code, cause: (err as Error)?.name },
        'activity not processed',
      );
      return reply(res, 500, refusalBody(500));
    }
  });
  const callback = options.signInCallback;
  if (callback) {
    server.get(SIGN_IN_CALLBACK_PATH, async (req, res) => {
      const search = new URL(req.url ?? '', 'http://callback').search;
      const answer = await callback(search, hasBody(req));
      if (res.headersSent) return;
      res.writeHead(answer.status, {
        ...HTML_PAGE_HEADERS,
        'content-length': Buffer.byteLength(answer.html),
        ...(answer.status >= 400 ? { connection: 'close' } : {}),
      });
      res.end(answer.html);
    });
  }
  server.get('/healthz', (_req, res, next) => {
    reply(res, 200, { status: 'ok' });
    return next();
  });

  server.server.headersTimeout = limits.headersTimeoutMs;
  server.server.requestTimeout = limits.requestTimeoutMs;
  server.server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}`;
  log.info({ url }, 'bot listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeIdleConnections();
      }),
  };
}
