import { configureLogging, createLogger, writeAfterLogs } from '../../src/log';
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

it('writes the start banner after every line logged before it, through the same destination', () => {
  const written: string[] = [];
  configureLogging({ level: 'info', destination: { write: (l: string) => written.push(l) } });
  try {
    createLogger('main').info('tenantlink started');
    writeAfterLogs('tenantlink is running\n');
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/tenantlink started/);
    expect(written[1]).toBe('tenantlink is running\n');
  } finally {
    configureLogging(testLogging());
  }
});
