import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import httpProxy from 'http-proxy';
import { projectRoot } from '../../src/paths';
import { freePort } from './freePort';
import { until } from './until';

/**
 * Several tenantlink processes (`src/index.ts`, as `npm start` runs it) behind a round-robin HTTP
 * proxy, as Azure Bot Service and a load balancer would put them: for the scale-out test. Each
 * instance's output goes to the run's scanned log folder.
 */

/** A tenantlink process. */
export interface BotInstance {
  readonly id: string;
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** SIGKILL: the process dies at once, in the middle of whatever it was doing. */
  kill(): Promise<void>;
  /** SIGTERM: graceful stop; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/**
 * Starts `src/index.ts` in a child process with `env` (plus PORT, INSTANCE_ID, PLAYGROUND=off)
 * and waits until `/healthz` answers.
 * @throws Error when it exits before it is healthy
 */
export async function startInstance(id: string, env: Record<string, string>): Promise<BotInstance> {
  const port = await freePort();
  const root = projectRoot();
  const logDir = process.env.TENANTLINK_TEST_LOG_DIR;
  const out = logDir ? openSync(join(logDir, `instance-${id}-${port}.log`), 'a') : 'ignore';
  const child: ChildProcess = spawn(
    process.execPath,
    // tsx's loader (ESM and CommonJS hooks, like `npm start`'s `tsx src/index.ts`).
    ['--import', pathToFileURL(require.resolve('tsx')).href, join(root, 'src', 'index.ts')],
    {
      // Its own working folder: no developer .env is read, no .data is shared by accident.
      cwd: mkdtempSync(join(tmpdir(), `tenantlink-${id}-`)),
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        INSTANCE_ID: id,
        PLAYGROUND: 'off',
      },
      stdio: ['ignore', out, out],
    },
  );
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  // Waits on the process, never on a clock of its own: it is healthy, or it exited (the test's
  // own timeout is the only bound, so a loaded machine makes the test slower, never wrong).
  await until(async () => {
    if (exitCode !== undefined) throw new Error(`instance ${id} exited (${exitCode})`);
    try {
      return (await fetch(`${url}/healthz`)).ok;
    } catch {
      return false; // Not listening yet.
    }
  });
  return {
    id,
    url,
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A round-robin reverse proxy (http-proxy) over the instances that are in rotation. */
export interface RoundRobinProxy {
  readonly url: string;
  /** Requests forwarded to each instance, by id. */
  readonly forwarded: Record<string, number>;
  /** Takes an instance out of rotation (as a load balancer's failed health probe would). */
  remove(id: string): void;
  /** Whether an instance is in rotation. */
  serving(id: string): boolean;
  stop(): Promise<void>;
}

/** Starts the proxy on a free loopback port. */
export async function startRoundRobinProxy(
  instances: readonly BotInstance[],
): Promise<RoundRobinProxy> {
  const pool = [...instances];
  const forwarded: Record<string, number> = Object.fromEntries(instances.map((i) => [i.id, 0]));
  const proxy = httpProxy.createProxyServer({ xfwd: true });
  let next = 0;
  const server: Server = createServer((req, res) => {
    const target = pool[next++ % pool.length];
    if (!target) {
      res.writeHead(503);
      res.end();
      return;
    }
    forwarded[target.id] = (forwarded[target.id] ?? 0) + 1;
    proxy.web(req, res, { target: target.url }, () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    serving: (id) => pool.some((p) => p.id === id),
    remove(id) {
      const i = pool.findIndex((p) => p.id === id);
      if (i >= 0) pool.splice(i, 1);
    },
    async stop() {
      proxy.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
