import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { sandboxEndpointsAt, type SandboxEndpoints } from '../src/sandbox';

/** A sandbox cloud in a child process, with its call counters read over its control API. */
export interface RemoteSandbox extends SandboxEndpoints {
  /** Graph/ARM/login calls since the last reset. */
  callCounts(): Promise<{ login: number; graph: number; arm: number }>;
  resetCallCounts(): Promise<void>;
}

/** Starts `bench/sandboxChild.ts` with the given extra users and role assignments. */
export async function startRemoteSandbox(
  users: number,
  assignments: number,
): Promise<RemoteSandbox> {
  // Compiled (dist/bench) or from the sources through ts-node, like the parent.
  const compiled = __filename.endsWith('.js');
  const script = join(__dirname, compiled ? 'sandboxChild.js' : 'sandboxChild.ts');
  const child = spawn(
    process.execPath,
    [
      ...(compiled ? [] : ['-r', 'ts-node/register/transpile-only']),
      script,
      String(users),
      String(assignments),
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
    stop: async () => {
      await dispatcher.close();
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
  };
}
