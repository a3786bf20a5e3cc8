import { startSandboxCloud } from '../src/sandbox';
import { configureLogging } from '../src/log';
import { scaledSeed } from './seeds';

/**
 * Runs a sandbox cloud in its own process for the benchmarks, so that what they measure in the
 * bot's process (RSS, CPU) is tenantlink's. argv: Contoso users to add, role assignments to add.
 * Prints one JSON line `{ url, caCertificatePem, controlSecret }` to its parent when ready; stops on SIGTERM.
 */
async function main(): Promise<void> {
  configureLogging({ level: 'silent' });
  const [users = 0, assignments = 0] = process.argv.slice(2).map(Number);
  const sandbox = await startSandboxCloud({
    seed: scaledSeed({ contosoUsers: users, assignments }),
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
