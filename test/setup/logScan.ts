import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What must never appear in a log line: a JWT (any access or id token), a bearer credential, an
 * Authorization header's value, and the fixed secrets the tests use (sandbox passwords, the
 * bot's test client secret, Azurite's well-known account key, a client_secret or client_assertion
 * form field, a managed identity request's X-IDENTITY-HEADER).
 */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*/,
  /bearer\s+(?!\[REDACTED\])[\w.~+/-]{16,}/i,
  /"authorization"\s*:\s*"(?!\[REDACTED\])[^"]+"/i,
  /Sandbox-(Msa-)?Passw0rd!/,
  /not-a-real-secret/,
  /Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/,
  /client_secret=(?!\[REDACTED\])[^&\s"]+/,
  /client_assertion=(?!\[REDACTED\])[^&\s"]+/,
  /"x-identity-header"\s*:\s*"(?!\[REDACTED\])[^"]+"/i,
];

/** One log line that leaked, with where it was found (the line itself is not repeated). */
export interface Leak {
  readonly file: string;
  readonly line: number;
  readonly pattern: string;
}

/**
 * Scans every `*.log` file of a folder line by line.
 * @returns the number of lines read and the leaks found
 */
export function scanLogs(dir: string): { lines: number; leaks: Leak[] } {
  let lines = 0;
  const leaks: Leak[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const text = readFileSync(join(dir, file), 'utf8').split('\n');
    text.forEach((l, i) => {
      if (!l) return;
      lines++;
      for (const p of SECRET_PATTERNS) {
        if (p.test(l)) leaks.push({ file, line: i + 1, pattern: p.source });
      }
    });
  }
  return { lines, leaks };
}
