import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadLocalMode, startApp } from './app';
import { loadConfig, redactedSummary, type Config } from './config';
import { ensurePrivateFolder, writePrivateFile } from './state/privateFiles';
import type { DestinationStream } from 'pino';
import { startTelemetry } from './telemetry';
import { configureLogging, createLogger, writeAfterLogs } from './log';

/**
 * Entry point of `npm start`: reads .env when there is one, validates the configuration, starts
 * tenantlink (in local mode with the sandbox cloud) and, in local mode, the Microsoft 365 Agents
 * Playground as the chat client. Ctrl+C (SIGINT) or SIGTERM stops all of them gracefully: no new
 * turn is taken, running background jobs get SHUTDOWN_GRACE_MS to finish and are otherwise handed
 * over to another instance, and the process exits within that grace plus 10 s.
 */
async function main(): Promise<void> {
  const envFile = resolve(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  // People read local mode's logs in a terminal: pretty lines there; JSON everywhere else.
  configureLogging({
    level: config.logLevel,
    destination:
      config.mode === 'local' && process.stdout.isTTY ? await prettyDestination() : undefined,
  });
  const log = createLogger('main');
  log.info({ config: redactedSummary(config) }, 'configuration');

  // Local mode (sandbox cloud, sandbox sign-in, Agents Playground) comes from the development
  // entry, which the production build leaves out.
  // Telemetry first: the spans of every later call go through it (src/telemetry).
  const telemetry = await startTelemetry(config);
  const local = config.mode === 'local' ? await loadLocalMode() : undefined;
  const app = await startApp(config, { local });
  let playground: { url: string; stop(): Promise<void> } | undefined;
  if (local && config.playground.enabled) {
    playground = await local.startChatClient({
      botEndpoint: `${app.server.url}/api/messages`,
      port: config.playground.port,
      logger: createLogger('playground'),
    });
  }
  const lines =
    config.mode === 'local'
      ? [
          '',
          'tenantlink is running on the sandbox cloud (no Azure account needed).',
          `  bot:            ${app.server.url}/api/messages`,
          `  sandbox cloud:  ${app.sandbox?.url ?? '-'}  (state: ${app.sandbox?.url ?? ''}/_sandbox/state)`,
          await sandboxControlLine(config, app.sandbox?.controlSecret),
          playground
            ? `  chat with it:   open ${playground.url} and type "link"`
            : '  chat client:    off (PLAYGROUND=off)',
          '  stop:           Ctrl+C',
          '',
        ]
      : [
          '',
          `tenantlink is running on Microsoft's cloud as bot ${config.bot.appId} (instance ${config.scaleOut.instanceId}).`,
          `  messaging endpoint: ${app.server.url}/api/messages  (set it on the Azure Bot)`,
          '',
        ];
  // The banner comes after the start-up log lines, not in the middle of them.
  writeAfterLogs(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    // Bound: the grace for running jobs plus 10 s to close the store; then exit anyway.
    setTimeout(() => {
      log.error({ code: 'TL-SHUTDOWN-TIMEOUT' }, 'did not stop in time; exiting');
      process.exit(1);
    }, config.scaleOut.shutdownGraceMs + 10_000).unref();
    await Promise.allSettled([playground?.stop(), app.stop()]);
    await telemetry.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** File name of the sandbox's control secret in the data folder, when stdout is no terminal. */
const SANDBOX_SECRET_FILE = 'sandbox-control-secret';

/**
 * The banner's line about the sandbox's control secret (the rest of /_sandbox needs it). It is
 * for the person at the keyboard only, never logged: printed when stdout is a terminal; otherwise
 * (a pipe, a file, a service manager: output that is kept) written to an owner-only file (0600)
 * in the data folder (`STORAGE_DIR`, made 0700), replacing the last run's, and the line gives that
 * file's path. A shared sandbox (SANDBOX_URL) belongs to whoever started it: its secret is not
 * repeated.
 * @throws Error from the file system when the file cannot be written
 */
async function sandboxControlLine(config: Config, secret: string | undefined): Promise<string> {
  if (config.sandbox.url)
    return '  sandbox control: the secret of the shared sandbox (SANDBOX_SECRET)';
  if (!secret) return '  sandbox control: -';
  if (process.stdout.isTTY) return `  sandbox control: Authorization: Bearer ${secret}`;
  const folder = resolve(config.storage.directory);
  await ensurePrivateFolder(folder);
  const file = join(folder, SANDBOX_SECRET_FILE);
  await writePrivateFile(file, `${secret}\n`);
  return `  sandbox control: Authorization: Bearer <the secret in ${file}>`;
}

/**
 * pino-pretty as a synchronous destination, when installed (a development dependency: the
 * production image has none and logs JSON); undefined otherwise.
 */
async function prettyDestination(): Promise<DestinationStream | undefined> {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  } catch {
    return undefined;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `tenantlink failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
