import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from 'botbuilder';
import { startApp, type App, type AppOptions } from '../../src/app';
import { configureLogging } from '../../src/log';
import { startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { EmbeddedStorage } from '../../src/state/embeddedStorage';
import { testLogging } from './logging';
import { TeamsChannel } from './teamsChannel';
import { USERS, localTestConfig, type Harness } from './testApp';

/**
 * A tenantlink whose state lives in the embedded store on disk (a folder of its own), for the
 * tests of restarts and of several instances: the sandbox cloud and the test channel outlive the
 * bot, which {@link BotOnDisk.crash}es or {@link BotOnDisk.stop}s and {@link BotOnDisk.boot}s
 * again on the same store; {@link BotOnDisk.instance} starts another bot on that store, as a
 * second instance behind the same Azure Bot Service would be.
 */

/** The team channel the bot is installed in (by Kelley) at {@link startBotOnDisk}. */
export const DISK_BOT_TEAM = '19:contoso-it@thread.tacv2';

/** Options of {@link startBotOnDisk}. */
export interface BotOnDiskOptions {
  /** Prefix of the store's temporary folder's name, e.g. `tenantlink-restart-`. */
  readonly prefix: string;
  /** Options of every boot (e.g. the approval job's `approvalPollMs`). */
  readonly appOptions?: Pick<AppOptions, 'now' | 'approvalPollMs'>;
  /** Configuration of every boot and instance, on top of the test one (e.g. JOB_SWEEP_MS). */
  readonly env?: Record<string, string>;
}

/** The running parts; {@link app} and {@link storage} change at each {@link boot}. */
export interface BotOnDisk {
  readonly sandbox: SandboxCloud;
  readonly channel: TeamsChannel;
  /** The store's folder. */
  readonly dir: string;
  readonly storage: EmbeddedStorage;
  readonly app: App;
  /**
   * Opens the store and starts the bot on it (configuration `env` on top of the test one), and
   * points the channel at it.
   */
  boot(env?: Record<string, string>): Promise<void>;
  /** Stops the bot; its store is closed first, so a turn still running can persist nothing. */
  crash(): Promise<void>;
  /** Stops the bot gracefully (its jobs handed over), then closes its store. */
  stop(): Promise<void>;
  /**
   * Stops the bot gracefully (its jobs handed over) and leaves the store open for the other
   * instances, as an instance taken out of service would.
   */
  halt(): Promise<void>;
  /**
   * Starts another bot on the same open store (or on `storage`, e.g. a view of it) and sandbox
   * (configuration `env` on top of the test one, e.g. its INSTANCE_ID); the channel still points
   * where it did. The caller stops it.
   */
  instance(env?: Record<string, string>, storage?: Storage): Promise<App>;
  /** The current bot as a {@link Harness} (its `stop` does nothing: use {@link dispose}). */
  harness(): Harness;
  /** Stops the channel, the bot (as a crash), the sandbox, and removes the store's folder. */
  dispose(): Promise<void>;
}

/** The configuration every boot starts from: short cloud time limits, one retry. */
const BASE_ENV = { CLOUD_TIMEOUT_MS: '2000', CLOUD_MAX_RETRIES: '1' };

/**
 * Starts the sandbox cloud, the test channel and the bot on a new store in a temporary folder,
 * and installs the bot in {@link DISK_BOT_TEAM} as Kelley.
 */
export async function startBotOnDisk(options: BotOnDiskOptions): Promise<BotOnDisk> {
  configureLogging(testLogging());
  const sandbox = await startSandboxCloud();
  const dir = await mkdtemp(join(tmpdir(), options.prefix));
  const channel = new TeamsChannel('http://127.0.0.1:9/api/messages');
  // The teams' rosters: the test's Teams users.
  channel.members.push(...Object.values(USERS));
  await channel.start();
  let storage: EmbeddedStorage | undefined;
  let app: App | undefined;
  /** Whether {@link app} runs (stopping it twice would close its server twice). */
  let running = false;
  const stopApp = async (): Promise<void> => {
    if (running) await app?.stop();
    running = false;
  };
  const start = (env: Record<string, string>, on: Storage = storage!): Promise<App> =>
    startApp(localTestConfig({ ...BASE_ENV, ...options.env, ...env }), {
      ...options.appOptions,
      sandbox,
      storage: on,
    });
  const bot: BotOnDisk = {
    sandbox,
    channel,
    dir,
    get storage() {
      return storage!;
    },
    get app() {
      return app!;
    },
    async boot(env = {}) {
      storage = await EmbeddedStorage.open(dir);
      app = await start(env);
      running = true;
      channel.retarget(`${app.server.url}/api/messages`);
    },
    async crash() {
      await storage?.close();
      await stopApp();
    },
    async stop() {
      await stopApp();
      await storage?.close();
    },
    halt: stopApp,
    instance: (env = {}, on?: Storage) => start(env, on),
    harness: () => ({ sandbox, app: app!, channel, stop: async () => undefined }),
    async dispose() {
      await channel.stop();
      await bot.crash();
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await bot.boot();
  await channel.installInTeam(USERS.kelley, DISK_BOT_TEAM, 'Contoso IT');
  return bot;
}
