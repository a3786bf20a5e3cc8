import type { AddressInfo } from 'node:net';
import {
  ActivityTypes,
  type BotAdapter,
  type CloudAdapter,
  type ConversationState,
  type TurnContext,
} from 'botbuilder';
import * as restify from 'restify';
import { z } from 'zod';
import type { ActivityHandler } from 'botbuilder';
import { ERRORS } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';

/**
 * The HTTP server: restify 11 with `POST /api/messages` (Bot Framework activities; the
 * CloudAdapter validates the JWT unless local mode) and `GET /healthz`.
 */

/**
 * The fields every activity of the Bot Framework protocol carries and tenantlink relies on
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object);
 * everything else passes through to botbuilder.
 */
const ActivityShape = z
  .object({
    type: z.string().min(1).max(64),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().url(),
    conversation: z.object({ id: z.string().min(1).max(512) }).passthrough(),
    from: z.object({ id: z.string().min(1).max(512) }).passthrough(),
  })
  .passthrough();

/** A running server. */
export interface BotServer {
  /** e.g. `http://127.0.0.1:3978`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Sets the adapter's turn error handler: logs with a stable code, tells the user in their
 * language, and clears the conversation's dialog state so the next message starts clean.
 */
export function installTurnErrorHandler(
  adapter: BotAdapter,
  conversationState: ConversationState,
  localizer: Localizer,
): void {
  const log = createLogger('turn-error');
  adapter.onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    log.error(
      { code: ERRORS.internal.code, err: error, activityType: context.activity.type },
      'unhandled turn error',
    );
    if (context.activity.type === ActivityTypes.Message) {
      await context
        .sendActivity(
          `${localizer.t(context.activity.locale, ERRORS.internal.messageKey)} (${ERRORS.internal.code})`,
        )
        .catch(() => undefined);
    }
    await conversationState.delete(context).catch(() => undefined);
  };
}

/**
 * Starts the server.
 * @param port TCP port (0 = ephemeral)
 * @param host interface to listen on
 * @param maxBodyBytes largest accepted request body in bytes
 */
export async function startBotServer(options: {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  port: number;
  host: string;
  maxBodyBytes?: number;
}): Promise<BotServer> {
  const log = createLogger('server');
  const server = restify.createServer({ name: 'tenantlink' });
  server.use(
    restify.plugins.bodyParser({
      maxBodySize: options.maxBodyBytes ?? 256 * 1024,
      mapParams: false,
    }),
  );
  server.post('/api/messages', async (req, res) => {
    const shape = ActivityShape.safeParse(req.body);
    if (!shape.success) {
      // Answered before any turn: a 400 that names the missing fields, never a 500 that invites
      // the channel to retry a request that can never succeed.
      const fields = [...new Set(shape.error.issues.map((i) => i.path.join('.') || 'body'))];
      log.warn({ code: ERRORS.requestInvalid.code, fields }, 'malformed activity');
      res.json(400, { error: { code: ERRORS.requestInvalid.code, fields } });
      return;
    }
    await options.adapter.process(req, res, (context) => options.bot.run(context));
  });
  server.get('/healthz', (_req, res, next) => {
    res.json(200, { status: 'ok' });
    return next();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}`;
  log.info({ url }, 'bot listening');
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
