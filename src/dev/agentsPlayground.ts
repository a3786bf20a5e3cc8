import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { projectRoot } from '../paths';

/**
 * Starts the Microsoft 365 Agents Playground (@microsoft/m365agentsplayground, a registry package)
 * as the local Teams client: headless (`TEAMSAPPTESTER_BROWSER=none`), Teams channel
 * (`-c msteams`), telemetry off, mock world from `.m365agentsplayground.yml` in `cwd`
 * (DESIGN.md, "Driving the Agents Playground"). It runs as a child process of tenantlink with the
 * same Node.js; nothing is fetched from the network. Its own log goes to a file in the OS temp
 * folder, named in every error.
 */

/** Options of {@link startAgentsPlayground}. */
export interface AgentsPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly botEndpoint: string;
  /** Port of the playground's web UI and APIs. */
  readonly port: number;
  readonly logger: Logger;
  /** Folder holding `.m365agentsplayground.yml` (the repository root by default). */
  readonly cwd?: string;
  /** How long to wait for the playground to answer, in ms (default 60,000). */
  readonly startTimeoutMs?: number;
}

/** A running playground. */
export interface AgentsPlayground {
  /** Where to open it, e.g. `http://localhost:56150`. */
  readonly url: string;
  /** Stops the child process (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Path of the playground's CLI inside node_modules. */
function cliPath(): string {
  return join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
}

/**
 * Starts the playground and waits until `GET /_internal/v1/config` answers.
 * @throws Error when the child exits early or does not answer within `startTimeoutMs`, with the
 *   last lines it wrote
 */
export async function startAgentsPlayground(
  options: AgentsPlaygroundOptions,
): Promise<AgentsPlayground> {
  const { logger } = options;
  const cwd = options.cwd ?? projectRoot();
  const logFile = join(tmpdir(), `tenantlink-playground-${options.port}.log`);
  const child = spawn(
    process.execPath,
    [
      cliPath(),
      'start',
      '--app-endpoint',
      options.botEndpoint,
      '--channel-id',
      'msteams',
      '--port',
      String(options.port),
      '--disable-telemetry',
    ],
    {
      cwd,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        TEAMSAPPTESTER_PORT: String(options.port),
        // The playground logs to a file, not to stdout; keep it out of the repository.
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const tail: string[] = [];
  const onLine = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      logger.debug({ stream }, line);
    }
  };
  child.stdout?.on('data', onLine('stdout'));
  child.stderr?.on('data', onLine('stderr'));
  let exited: number | null | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exited = code;
      done();
    }),
  );

  const url = `http://localhost:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(
        `Agents Playground exited (${exited}): ${lastLines(logFile, tail)} (log: ${logFile})`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${options.port}/_internal/v1/config`);
      if (res.ok) {
        logger.info({ url }, 'Agents Playground ready');
        return { url, stop: () => stopChild(child, exit) };
      }
    } catch {
      // Not listening yet: poll again.
    }
    await sleep(250);
  }
  await stopChild(child, exit);
  throw new Error(
    `Agents Playground did not answer within the time limit: ${lastLines(logFile, tail)} (log: ${logFile})`,
  );
}

/** The last error lines of the playground's log file, or of its output. */
function lastLines(logFile: string, output: readonly string[]): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n');
    const errors = lines.filter((l) => l.startsWith('error '));
    return (errors.length ? errors : lines).slice(-3).join(' | ');
  } catch {
    // No log file yet: the process output is all there is.
    return output.join(' | ');
  }
}

async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const grace = new AbortController();
  const killed = await Promise.race([
    exit.then(() => true),
    sleep(5000, undefined, { signal: grace.signal }).then(
      () => false,
      () => true,
    ),
  ]);
  grace.abort();
  if (!killed) {
    child.kill('SIGKILL');
    await exit;
  }
}
