import type { ErrorName } from '../errors';
import { redactString } from '../log';
import type { CheckId, Finding } from './types';

/** Shorthands for the doctor's findings (src/doctor/types.ts). */

/** A passed check. */
export function pass(check: CheckId, text: string): Finding {
  return { check, status: 'pass', text };
}

/** A check that was not run, with why. */
export function skip(check: CheckId, text: string): Finding {
  return { check, status: 'skip', text };
}

/** A failed check: its catalogue entry (TL- code), what is wrong and the exact fix. */
export function fail(check: CheckId, error: ErrorName, text: string, fix: string): Finding {
  return { check, status: 'fail', error, text, fix };
}

/**
 * A short, single-line reason from anything thrown, for the report: no stack, at most 300
 * characters, bearer tokens and JWTs a service may have echoed redacted (src/log.ts).
 */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return redactString(text.replace(/\s+/g, ' ')).slice(0, 300);
}
