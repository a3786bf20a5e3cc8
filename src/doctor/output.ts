import { ERRORS } from '../errors';
import type { CheckId, Finding, Translate } from './types';

/**
 * The doctor's report as text: one line per finding (status, check, TL- code of a failure, what
 * was found), the fix indented below a failure, and a summary. Every word comes from the locale
 * catalogue; codes, URLs and commands are printed as they are.
 */

/** Each check's title (literal keys, which the locale test finds). */
const TITLES: Readonly<Record<CheckId, (t: Translate) => string>> = {
  identity: (t) => t('doctor.check.identity'),
  endpoint: (t) => t('doctor.check.endpoint'),
  connections: (t) => t('doctor.check.connections'),
  signInApp: (t) => t('doctor.check.signInApp'),
  consent: (t) => t('doctor.check.consent'),
  storage: (t) => t('doctor.check.storage'),
  tokenCacheKey: (t) => t('doctor.check.tokenCacheKey'),
  keyVault: (t) => t('doctor.check.keyVault'),
  package: (t) => t('doctor.check.package'),
};

/** Formats the report. @param mode `local` or `cloud` */
export function formatReport(findings: readonly Finding[], mode: string, t: Translate): string {
  const status = {
    pass: t('doctor.status.pass'),
    fail: t('doctor.status.fail'),
    skip: t('doctor.status.skip'),
  };
  const width = Math.max(...Object.values(status).map((s) => s.length)) + 2;
  const lines = [t('doctor.title', { mode }), ''];
  for (const f of findings) {
    const label = `[${status[f.status]}]`.padEnd(width + 1);
    const code = f.error ? `${ERRORS[f.error].code}: ` : '';
    lines.push(`${label}${TITLES[f.check](t)}: ${code}${f.text}`);
    if (f.fix) lines.push(`${' '.repeat(width + 1)}${t('doctor.fix', { fix: f.fix })}`);
  }
  const failed = findings.filter((f) => f.status === 'fail').length;
  const skipped = findings.filter((f) => f.status === 'skip').length;
  lines.push('', t('doctor.summary', { failed, skipped }), '');
  return lines.join('\n');
}
