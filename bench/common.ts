import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { configureLogging } from '../src/log';
import type { Seed } from '../src/sandbox';
import { TeamsChannel } from '../test/helpers/teamsChannel';
import { startRemoteSandbox, type RemoteSandbox } from './remoteSandbox';
import { startHarness, type Harness } from '../test/helpers/testApp';

/** One row of the results table. */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** `<=` target met when value ≤ target. */
  readonly target?: number;
  readonly note?: string;
}

/** Whether a row meets its target (rows without a target are informative). */
export const passed = (r: BenchRow): boolean => r.target === undefined || r.value <= r.target;

/** A running sandbox + tenantlink + in-process Teams channel: the tests' harness. */
export type Rig = Harness;

/** Starts a rig on free loopback ports with in-memory state and silent logs. */
export async function startRig(seed?: Seed): Promise<Rig> {
  return startHarness({}, seed);
}

/** tenantlink and the test channel in this process, the sandbox cloud in a child process. */
export interface RemoteRig {
  readonly sandbox: RemoteSandbox;
  readonly app: App;
  readonly channel: TeamsChannel;
  stop(): Promise<void>;
}

/** Starts a {@link RemoteRig}, the sandbox seeded with extra users and role assignments. */
export async function startRemoteRig(users = 0, assignments = 0): Promise<RemoteRig> {
  configureLogging({ level: 'silent' });
  const sandbox = await startRemoteSandbox(users, assignments);
  const app = await startApp(
    loadConfig({
      TENANTLINK_MODE: 'local',
      PORT: '0',
      HOST: '127.0.0.1',
      PLAYGROUND: 'off',
      STORAGE: 'memory',
    }),
    { sandbox },
  );
  const channel = new TeamsChannel(`${app.server.url}/api/messages`);
  await channel.start();
  return {
    sandbox,
    app,
    channel,
    async stop() {
      await channel.stop();
      await app.stop();
      await sandbox.stop();
    },
  };
}

/** A Bot Connector stand-in that accepts every reply (for load runs, records nothing). */
export async function startSinkConnector(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}
