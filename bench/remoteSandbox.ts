import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { sandboxEndpointsAt, type SandboxEndpoints } from '../src/sandbox';
import type { ResourceGraphQuota } from '../src/sandbox/resourceGraph';

/** What else the child's sandbox holds or allows (JSON, passed on its command line). */
export interface RemoteSandboxOptions {
  /** Resources on Pay-As-You-Go (bench/seeds.ts `withResources`); none by default. */
  readonly resources?: number;
  /** Resource Graph's per-user quota; the sandbox's default (15 queries per 5 s) if not given. */
  readonly resourceGraphQuota?: ResourceGraphQuota;
}

/** A sandbox cloud in a child process, with its call counters read over its control API. */
export interface RemoteSandbox extends SandboxEndpoints {
  /** Graph/ARM/login calls since the last reset. */
  callCounts(): Promise<{ login: number; graph: number; arm: number }>;
  resetCallCounts(): Promise<void>;
  /**
   * CPU time (user + system, ms) the child has used so far, from `/proc/{pid}/stat` (fields 14
   * and 15, in clock ticks of 1/100 s on Linux: proc(5)); undefined where there is no procfs.
   */
  cpuMs(): number | undefined;
}

/**
 * Starts `bench/sandboxChild.ts` with the given extra users and role assignments: compiled
 * (dist/bench, `npm run bench`) or from the sources through tsx's CommonJS hook, like the parent.
 * @throws Error when the child exits before it is ready
 */
export async function startRemoteSandbox(
  users: number,
  assignments: number,
  options: RemoteSandboxOptions = {},
): Promise<RemoteSandbox> {
  const compiled = __filename.endsWith('.js');
  const script = join(__dirname, compiled ? 'sandboxChild.js' : 'sandboxChild.ts');
  const child = spawn(
    process.execPath,
    [
      ...(compiled ? [] : ['--require', require.resolve('tsx/cjs')]),
      script,
      String(users),
      String(assignments),
      JSON.stringify(options),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox child exited (${code})`)));
  });
  const { url, caCertificatePem, controlSecret } = JSON.parse(line) as {
    url: string;
    caCertificatePem: string;
    controlSecret: string;
  };
  const dispatcher = new Agent({ connect: { ca: caCertificatePem } });
  const calls = async (method: 'GET' | 'DELETE'): Promise<string> =>
    (
      await request(`${url}/_sandbox/calls`, {
        method,
        dispatcher,
        headers: { authorization: `Bearer ${controlSecret}` },
      })
    ).body.text();
  return {
    ...sandboxEndpointsAt(url, caCertificatePem, controlSecret),
    callCounts: async () =>
      (JSON.parse(await calls('GET')) as { counts: { login: number; graph: number; arm: number } })
        .counts,
    resetCallCounts: async () => {
      await calls('DELETE');
    },
    cpuMs: () => {
      try {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        // Fields after the command name, which is in parentheses and may hold spaces.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      await dispatcher.close();
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
  };
}
