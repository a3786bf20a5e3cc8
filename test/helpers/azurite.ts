import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { freePort } from './freePort';
import { until } from './until';

/** Azurite's well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite#http-connection-strings). */
const ACCOUNT = 'devstoreaccount1';
const KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite Blob emulator (in memory) for tests. */
export interface Azurite {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Starts `azurite-blob` from node_modules on a free loopback port, data in memory. */
export async function startAzurite(): Promise<Azurite> {
  const port = await freePort();
  const bin = join(
    dirname(require.resolve('azurite/package.json')),
    'dist',
    'src',
    'blob',
    'main.js',
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
    ],
    { stdio: 'ignore' },
  );
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  // Ready when Azurite itself answers on the port (not another server that took it first).
  // Waits on the process (answering, or exited), never on a clock: Jest's timeout is the bound.
  await until(async () => {
    if (exitCode !== undefined) throw new Error(`azurite exited (${exitCode}) on port ${port}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/${ACCOUNT}?comp=list`);
      return (res.headers.get('server') ?? '').includes('Azurite');
    } catch {
      return false; // Not listening yet.
    }
  });
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
