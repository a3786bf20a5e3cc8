import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configureLogging, createLogger, flushLogs } from '../../src/log';
import { testLogging } from '../helpers/logging';

/**
 * A logger created when a module loads, before the composition root configures logging (the
 * card renderer's was), still writes where and at the level configured later (issue 18).
 */
it('follows the logging configured after it was created', () => {
  const early = createLogger('early-module');
  const lines: string[] = [];
  configureLogging({ level: 'warn', destination: { write: (l: string) => lines.push(l) } });
  try {
    early.info('not at warn level');
    early.warn({ code: 'TL-TEST' }, 'written');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ module: 'early-module', code: 'TL-TEST' });
    expect(early.isLevelEnabled('info')).toBe(false);
  } finally {
    configureLogging(testLogging());
  }
});

it('writes out buffered lines before the start banner (flushLogs)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenantlink-flush-'));
  const file = join(dir, 'out.log');
  // Asynchronous, as the default stdout destination is; opened before the first line.
  const destination = pino.destination({ dest: file, sync: false });
  await once(destination, 'ready');
  configureLogging({ level: 'info', destination });
  try {
    createLogger('main').info('tenantlink started');
    await flushLogs();
    expect(readFileSync(file, 'utf8')).toMatch(/tenantlink started/);
  } finally {
    configureLogging(testLogging());
    rmSync(dir, { recursive: true, force: true });
  }
});
