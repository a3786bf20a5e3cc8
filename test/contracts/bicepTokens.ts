/**
 * The tokens of a Bicep text for test/contracts/bicep.ts: identifiers, numbers, operators,
 * strings (`'…'` with `\` escapes and `${…}` interpolation, `'''…'''` multi-line) and new lines;
 * `//` and `/* … *\/` comments dropped. Lexical grammar:
 * https://learn.microsoft.com/azure/azure-resource-manager/bicep/data-types#strings and
 * …/bicep/file#comments. Throws `Error('<file>:<line>: …')` on an unterminated string or comment.
 */

/** One token: its kind, source text, line (1-based) and offsets; `value` for a plain string. */
export interface Token {
  readonly kind: 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'eof';
  readonly text: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
  /** A string without interpolation: its value. */
  readonly value?: string;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$' };
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '??', '=~', '!~', '=>', '::', '.?'];

/** The tokens of a Bicep text, ending with an `eof` token. */
export function tokenize(src: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new Error(`${file}:${line}: ${msg}`);
  };
  /** Scans a `'…'` string from its opening quote; returns its end and value (none if interpolated). */
  const scanString = (at: number): { end: number; value?: string } => {
    let j = at + 1;
    let value: string | undefined = '';
    for (;;) {
      const c = src[j];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === "'") return { end: j + 1, value };
      if (c === '\\') {
        const e = src[j + 1]!;
        if (e === 'u') {
          const close = src.indexOf('}', j);
          if (value !== undefined)
            value += String.fromCodePoint(parseInt(src.slice(j + 3, close), 16));
          j = close + 1;
        } else {
          if (!(e in ESCAPES)) fail(`unknown escape \\${e}`);
          if (value !== undefined) value += ESCAPES[e];
          j += 2;
        }
      } else if (c === '$' && src[j + 1] === '{') {
        value = undefined;
        j = scanInterpolation(j + 2);
      } else {
        if (value !== undefined) value += c;
        j += 1;
      }
    }
  };
  /** From just after `${`: the index after its closing `}` (nested strings and braces skipped). */
  const scanInterpolation = (at: number): number => {
    let depth = 1;
    let j = at;
    while (depth > 0) {
      const c = src[j];
      if (c === undefined) fail('unterminated interpolation');
      if (c === "'") j = scanString(j).end;
      else {
        if (c === '{') depth += 1;
        if (c === '}') depth -= 1;
        j += 1;
      }
    }
    return j;
  };
  const push = (kind: Token['kind'], start: number, end: number, value?: string): void => {
    out.push({ kind, text: src.slice(start, end), line, start, end, value });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      push('newline', i, i + 1);
      line += 1;
      i += 1;
    } else if (/\s/.test(c)) i += 1;
    else if (src.startsWith('//', i)) while (i < src.length && src[i] !== '\n') i += 1;
    else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (src.startsWith("'''", i)) {
      const end = src.indexOf("'''", i + 3);
      if (end < 0) fail('unterminated multi-line string');
      push('string', i, end + 3, src.slice(i + 3, end).replace(/^\r?\n/, ''));
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 3;
    } else if (c === "'") {
      const s = scanString(i);
      push('string', i, s.end, s.value);
      i = s.end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      push('ident', i, i + m[0].length);
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(src.slice(i, i + 32))!;
      push('number', i, i + m[0].length);
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i)) ?? c;
      push('punct', i, i + op.length);
      i += op.length;
    }
  }
  out.push({ kind: 'eof', text: '', line, start: src.length, end: src.length });
  return out;
}
