import { startSandboxCloud } from '../src/sandbox';
import { configureLogging } from '../src/log';
import type { RemoteSandboxOptions } from './remoteSandbox';
import { scaledSeed, withResources } from './seeds';

/**
 * Runs a sandbox cloud in its own process for the benchmarks, so that what they measure in the
 * bot's process (RSS, CPU) is tenantlink's. argv: Contoso users to add, role assignments to add,
 * and optionally a JSON {@link RemoteSandboxOptions} (resources on Pay-As-You-Go, Resource Graph's
 * quota).
 * Prints one JSON line `{ url, caCertificatePem, controlSecret }` to its parent when ready; stops on SIGTERM.
 */
async function main(): Promise<void> {
  configureLogging({ level: 'silent' });
  const [users = 0, assignments = 0] = process.argv.slice(2, 4).map(Number);
  const options = JSON.parse(process.argv[4] ?? '{}') as RemoteSandboxOptions;
  const seed = scaledSeed({ contosoUsers: users, assignments });
  const sandbox = await startSandboxCloud({
    seed: options.resources ? withResources(seed, options.resources) : seed,
    ...(options.resourceGraphQuota ? { resourceGraphQuota: options.resourceGraphQuota } : {}),
  });
  process.stdout.write(
    `${JSON.stringify({
      url: sandbox.url,
      caCertificatePem: sandbox.caCertificatePem,
      controlSecret: sandbox.controlSecret,
    })}\n`,
  );
  process.on('SIGTERM', () => void sandbox.stop().then(() => process.exit(0)));
}

void main();
