import { runDoctor } from '../src/doctor/runner';
import { configureLogging } from '../src/log';

/**
 * `npm run doctor`: checks a live tenantlink setup before anyone chats (src/doctor/runner.ts) and
 * prints the report. Exit code 0 when every check passed or could not be run, 1 when one failed,
 * 2 when the configuration itself is invalid. The bot's own logs are off unless DOCTOR_LOG_LEVEL
 * names a pino level: the report is the output.
 */
async function main(): Promise<number> {
  configureLogging({ level: process.env.DOCTOR_LOG_LEVEL ?? 'silent' });
  const report = await runDoctor({ cwd: process.cwd(), env: process.env });
  process.stdout.write(report.text);
  return report.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `tenantlink doctor: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(2);
  },
);
