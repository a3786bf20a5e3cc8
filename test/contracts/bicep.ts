import { type Token, tokenize } from './bicepTokens';

/**
 * A small reader of Bicep (no compiler runs here): it finds the resource and module declarations
 * of a file and the object literals they set, for test/contracts/infraCheck.ts. Grammar from
 * https://learn.microsoft.com/azure/azure-resource-manager/bicep/file (resource, module, param,
 * extension declarations, decorators, `existing`, `if (…)` conditions, `[for … : …]` loops, nested
 * child resources) and …/bicep/data-types (strings: `'…'` with `\` escapes and `${…}`
 * interpolation, `'''…'''` multi-line strings; objects and arrays whose items are separated by new
 * lines or commas; `//` and `/* … *\/` comments). Expressions are kept as text, never evaluated:
 * only object keys and literal strings are read. Throws `Error('<file>:<line>: …')` when the text
 * is not of this form.
 */

/** A value as written: an object or array literal, a plain string literal, or an expression. */
export type BicepValue =
  | { readonly kind: 'object'; readonly line: number; readonly props: readonly BicepProperty[] }
  | { readonly kind: 'array'; readonly line: number; readonly items: readonly BicepValue[] }
  | { readonly kind: 'string'; readonly line: number; readonly value: string }
  | { readonly kind: 'expression'; readonly line: number; readonly text: string };

/** One key of an object literal; `key` is undefined for an interpolated (computed) key. */
export interface BicepProperty {
  readonly key: string | undefined;
  readonly line: number;
  readonly value: BicepValue;
}

/** `resource <symbol> '<type>@<version>' [existing] = …` (nested ones with their full type). */
export interface BicepResource {
  readonly symbol: string;
  readonly type: string;
  readonly existing: boolean;
  readonly line: number;
  readonly body: Extract<BicepValue, { kind: 'object' }>;
}

/** `module <symbol> '<path>' = …`. */
export interface BicepModule {
  readonly symbol: string;
  readonly path: string;
  readonly line: number;
  readonly body: Extract<BicepValue, { kind: 'object' }>;
}

/** What a file declares. `extensions`: the text after each `extension` keyword. */
export interface BicepFile {
  readonly resources: BicepResource[];
  readonly modules: BicepModule[];
  readonly params: { name: string; required: boolean; line: number }[];
  readonly extensions: string[];
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Reads one Bicep text (see the module comment). `file` names it in errors. */
export function readBicep(src: string, file = 'main.bicep'): BicepFile {
  const tokens = tokenize(src, file);
  let p = 0;
  const peek = (k = 0): Token => tokens[Math.min(p + k, tokens.length - 1)]!;
  const next = (): Token => tokens[Math.min(p++, tokens.length - 1)]!;
  const is = (t: Token, text: string): boolean => t.kind !== 'string' && t.text === text;
  const fail = (t: Token, msg: string): never => {
    throw new Error(`${file}:${t.line}: ${msg} (at ${t.text ? `'${t.text}'` : 'the end'})`);
  };
  const expect = (text: string): Token =>
    is(peek(), text) ? next() : fail(peek(), `${text} expected`);
  const skipNewlines = (): void => {
    while (peek().kind === 'newline' || is(peek(), ',')) next();
  };
  /** Skips tokens up to a new line, `,` or unmatched closer at depth 0 (not consumed). */
  const skipExpression = (stopAtNewline = true): void => {
    let depth = 0;
    for (;;) {
      const t = peek();
      if (t.kind === 'eof') return;
      if (
        depth === 0 &&
        (CLOSE.has(t.text) || is(t, ',') || (stopAtNewline && t.kind === 'newline'))
      )
        return;
      if (t.kind === 'punct' && OPEN.has(t.text)) depth += 1;
      if (t.kind === 'punct' && CLOSE.has(t.text)) depth -= 1;
      next();
    }
  };
  /** Skips from an opening bracket to its matching closer, both included. */
  const skipBalanced = (): void => {
    const open = next();
    for (let depth = 1; depth > 0;) {
      const t = next();
      if (t.kind === 'eof') fail(open, 'unbalanced brackets');
      if (t.kind === 'punct' && OPEN.has(t.text)) depth += 1;
      if (t.kind === 'punct' && CLOSE.has(t.text)) depth -= 1;
    }
  };
  /** The first token from index `at` that is not a new line. */
  const firstAfter = (at: number): Token | undefined =>
    tokens.slice(at).find((t) => t.kind !== 'newline');
  const skipDecorator = (): void => {
    expect('@');
    next();
    while (is(peek(), '.')) {
      next();
      next();
    }
    if (is(peek(), '(')) skipBalanced();
  };
  const isEnd = (t: Token): boolean =>
    t.kind === 'newline' || t.kind === 'eof' || is(t, ',') || is(t, '}') || is(t, ']');

  const resources: BicepResource[] = [];
  const modules: BicepModule[] = [];

  const parseValue = (): BicepValue => {
    const first = peek();
    let value: BicepValue;
    if (is(first, '{')) value = parseObject();
    else if (is(first, '[') && firstAfter(p + 1)?.text !== 'for') value = parseArray();
    else if (first.kind === 'string' && first.value !== undefined && isEnd(peek(1)))
      return { kind: 'string', line: next().line, value: first.value };
    else {
      skipExpression();
      return { kind: 'expression', line: first.line, text: src.slice(first.start, peek(-1).end) };
    }
    if (isEnd(peek())) return value;
    skipExpression();
    return { kind: 'expression', line: first.line, text: src.slice(first.start, peek(-1).end) };
  };
  const parseArray = (): BicepValue => {
    const open = expect('[');
    const items: BicepValue[] = [];
    for (skipNewlines(); !is(peek(), ']'); skipNewlines()) {
      if (peek().kind === 'eof') fail(open, 'unterminated array');
      items.push(parseValue());
    }
    next();
    return { kind: 'array', line: open.line, items };
  };
  const parseObject = (owner?: { type: string }): Extract<BicepValue, { kind: 'object' }> => {
    const open = expect('{');
    const props: BicepProperty[] = [];
    for (skipNewlines(); !is(peek(), '}'); skipNewlines()) {
      const t = peek();
      if (t.kind === 'eof') fail(open, 'unterminated object');
      if (is(t, '@')) skipDecorator();
      else if (owner && is(t, 'resource') && peek(1).kind === 'ident') parseResource(owner.type);
      else if (t.kind === 'ident' || (t.kind === 'string' && t.value !== undefined)) {
        next();
        expect(':');
        props.push({
          key: t.kind === 'ident' ? t.text : t.value,
          line: t.line,
          value: parseValue(),
        });
      } else if (t.kind === 'string') {
        next();
        expect(':');
        props.push({ key: undefined, line: t.line, value: parseValue() });
      } else fail(t, 'object key expected');
    }
    next();
    return { kind: 'object', line: open.line, props };
  };
  /** `= {…}`, `= if (…) {…}` or `= [for … : [if (…)] {…}]`: the body object. */
  const parseDeclaredBody = (owner?: { type: string }): Extract<BicepValue, { kind: 'object' }> => {
    expect('=');
    const loop = is(peek(), '[');
    if (loop) {
      next();
      skipNewlines();
      expect('for');
      for (let ternaries = 0; !(is(peek(), ':') && ternaries === 0);) {
        const t = peek();
        if (t.kind === 'eof' || is(t, ']')) fail(t, "the loop's ':' expected");
        if (is(t, '?')) ternaries += 1;
        if (is(t, ':')) ternaries -= 1;
        if (OPEN.has(t.text) && t.kind === 'punct') skipBalanced();
        else next();
      }
      next();
      skipNewlines();
    }
    if (is(peek(), 'if')) {
      next();
      if (!is(peek(), '(')) fail(peek(), '( expected');
      skipBalanced();
      skipNewlines();
    }
    const body = parseObject(owner);
    if (loop) {
      skipNewlines();
      expect(']');
    }
    return body;
  };
  const parseResource = (parentType?: string): void => {
    const keyword = expect('resource');
    const symbol = next().text;
    const typeToken = next();
    if (typeToken.kind !== 'string' || typeToken.value === undefined)
      fail(typeToken, "the resource type '<Type>@<version>' expected");
    let type = typeToken.value!;
    if (parentType && !type.includes('/')) {
      // A nested child: '<child>' or '<child>@<version>' under the parent's type and version.
      const [parent, version] = parentType.split('@');
      type = `${parent}/${type.includes('@') ? type : `${type}@${version}`}`;
    }
    const existing = is(peek(), 'existing');
    if (existing) next();
    const body = parseDeclaredBody({ type });
    resources.push({ symbol, type, existing, line: keyword.line, body });
  };

  const params: BicepFile['params'] = [];
  const extensions: string[] = [];
  for (skipNewlines(); peek().kind !== 'eof'; skipNewlines()) {
    const t = peek();
    if (is(t, '@')) skipDecorator();
    else if (is(t, 'resource')) parseResource();
    else if (is(t, 'module')) {
      next();
      const symbol = next().text;
      const path = next();
      if (path.kind !== 'string' || path.value === undefined) fail(path, 'module path expected');
      modules.push({ symbol, path: path.value!, line: t.line, body: parseDeclaredBody() });
    } else if (is(t, 'param')) {
      next();
      const name = next().text;
      const start = p;
      skipExpression();
      const statement = tokens.slice(start, p);
      const assign = statement.findIndex((s) => is(s, '='));
      const typeEnd = assign < 0 ? statement.length : assign;
      const nullable = typeEnd > 0 && is(statement[typeEnd - 1]!, '?');
      params.push({ name, required: assign < 0 && !nullable, line: t.line });
    } else if (is(t, 'extension')) {
      next();
      const start = peek();
      skipExpression();
      extensions.push(src.slice(start.start, peek(-1).end).trim());
    } else {
      skipExpression();
      if (CLOSE.has(peek().text)) fail(peek(), 'unbalanced brackets');
    }
  }
  return { resources, modules, params, extensions };
}
