import { ActivityHandler, ConversationState, MemoryStorage } from 'botbuilder';
import { createAdapter, createBotAuthentication, serverAccess } from '../../src/bot/adapter';
import {
  installTurnErrorHandler,
  startBotServer,
  type BotServer,
  type ServerLimits,
} from '../../src/bot/server';
import { loadConfig } from '../../src/config';
import { Localizer } from '../../src/i18n';

/**
 * tenantlink's real HTTP server, adapter and authentication around a bare bot, for the tests of
 * the HTTP door: in local mode, or in cloud mode with fake app credentials (no valid token).
 */

/** A running bare bot and the message turns it ran. */
export interface BareBot {
  readonly server: BotServer;
  readonly turns: () => number;
}

/** Cloud mode with an app id and secret that no channel token is for. */
export const FAKE_CLOUD = {
  TENANTLINK_MODE: 'cloud',
  MicrosoftAppId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
  MicrosoftAppPassword: 'not-a-real-secret',
  MicrosoftAppType: 'MultiTenant',
} as const;

/**
 * Starts the server on a free loopback port.
 * @param env configuration variables (local mode when they name none)
 * @param options.limits the server's limits (ms, bytes); `options.echo` replies to each message
 *   (through the connector at the activity's service URL), with the turn error handler installed
 */
export async function serveBareBot(
  env: Record<string, string>,
  options: { limits?: Partial<ServerLimits>; echo?: boolean } = {},
): Promise<BareBot> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env });
  let turns = 0;
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    turns++;
    if (options.echo) await context.sendActivity(`echo ${context.activity.text ?? ''}`);
    await next();
  });
  const auth = createBotAuthentication(config);
  const adapter = createAdapter(config, auth);
  if (options.echo)
    installTurnErrorHandler(
      adapter,
      new ConversationState(new MemoryStorage()),
      new Localizer('locales'),
    );
  const server = await startBotServer({
    adapter,
    bot,
    port: 0,
    host: '127.0.0.1',
    access: serverAccess(config, auth),
    limits: options.limits,
  });
  return { server, turns: () => turns };
}

/** A message activity as Teams sends it, with `extra` fields replaced. */
export const rawActivity = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'message',
  id: '1',
  channelId: 'msteams',
  serviceUrl: 'http://127.0.0.1:9/',
  from: { id: 'user-id-0' },
  recipient: { id: '28:bot' },
  conversation: { id: 'a:1' },
  text: 'help',
  ...extra,
});
