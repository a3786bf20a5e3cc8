import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * No user-facing literal in the code that talks to users (src/dialogs, src/bot, src/cards): a
 * string literal that reads like a sentence (three or more words) must come from locales/. Log
 * messages, errors for developers and comments are not user-facing and are skipped.
 */

const ROOT = join(__dirname, '..', '..', 'src');
const FOLDERS = ['dialogs', 'bot', 'cards'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * String literals of a line ('…', "…" or `…`, interpolations removed), except object keys (a
 * literal followed by `:`, such as the commands users type).
 */
function literals(line: string): string[] {
  return [...line.matchAll(/'([^'\\]|\\.)*'|"([^"\\]|\\.)*"|`([^`\\]|\\.)*`/g)]
    .filter((m) => !/^\s*:/.test(line.slice((m.index ?? 0) + m[0].length)))
    .map((m) => m[0].slice(1, -1).replace(/\$\{[^}]*\}/g, ''));
}

/** Lines that speak to developers, not users. */
const DEVELOPER_LINE = /^\s*(\*|\/\/|\/\*)|new Error\(|detail:|throw /;

const LOG_CALL = /\blog\.(trace|debug|info|warn|error|fatal)\(/;

/** The text with every logger call (to its closing parenthesis) blanked: logs are for operators. */
function withoutLogCalls(text: string): string {
  let out = text;
  for (let m = LOG_CALL.exec(out); m; m = LOG_CALL.exec(out)) {
    let depth = 0;
    let end = out.length - 1;
    for (let i = m.index + m[0].length - 1; i < out.length; i++) {
      if (out[i] === '(') depth++;
      else if (out[i] === ')' && --depth === 0) {
        end = i;
        break;
      }
    }
    const blank = out.slice(m.index, end + 1).replace(/[^\n]/g, ' ');
    out = out.slice(0, m.index) + blank + out.slice(end + 1);
  }
  return out;
}

it('has no sentence-like literal outside the resource files', () => {
  const offenders: string[] = [];
  for (const file of FOLDERS.flatMap((f) => files(join(ROOT, f)))) {
    const lines = withoutLogCalls(readFileSync(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (DEVELOPER_LINE.test(line)) return;
      for (const text of literals(line)) {
        const words = text.match(/\p{L}{2,}/gu) ?? [];
        if (words.length >= 3 && /\s/.test(text)) offenders.push(`${file}:${i + 1}: ${text}`);
      }
    });
  }
  expect(offenders).toEqual([]);
});
