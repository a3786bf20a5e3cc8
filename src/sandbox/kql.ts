/**
 * The subset of the Kusto Query Language that the sandbox's Resource Graph runs (what tenantlink
 * sends): a table (`resources`, `policyresources`), then `where` (`==`, `=~`, `!=`, `in~ (…)`
 * joined by `and`/`or`), `project` (names and `alias = a.b.c` paths) and `order by`. Anything
 * else is {@link InvalidQuery} (Resource Graph's 400 `InvalidQuery`).
 *
 * Source: "Understanding the Azure Resource Graph query language"
 * (https://learn.microsoft.com/azure/governance/resource-graph/concepts/query-language): the
 * tables (`Resources`, `PolicyResources`; names case-insensitive) and the KQL operators Resource
 * Graph supports (`where`, `project`, `order by`/`sort by`), with KQL's string operators (`==`,
 * `=~`, `!=`, `in~`) as the Kusto reference defines them.
 */

/** A row of a table: a resource as Resource Graph shows it. */
export type Row = Record<string, unknown>;

/** A parsed query: a table and the operators that follow it. */
export interface Query {
  readonly table: 'resources' | 'policyresources';
  readonly ops: readonly Op[];
}

type Cond = { path: string[]; op: '==' | '=~' | '!=' | 'in~'; values: string[] };
type Op =
  | { kind: 'where'; any: Cond[][] }
  | { kind: 'project'; items: { alias: string; path: string[] }[] }
  | { kind: 'order'; path: string[]; desc: boolean };

/** A query the sandbox cannot run (Resource Graph's 400 `InvalidQuery`). */
export class InvalidQuery extends Error {}

/** Splits on `sep` outside single or double quotes. */
function splitOutsideQuotes(text: string, sep: RegExp): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      current += c;
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
      continue;
    }
    const rest = text.slice(i);
    const m = sep.exec(rest);
    if (m && m.index === 0) {
      parts.push(current);
      current = '';
      i += m[0].length - 1;
      continue;
    }
    current += c;
  }
  if (quote) throw new InvalidQuery('unterminated string');
  parts.push(current);
  return parts.map((p) => p.trim());
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `a.b['c'].d` → `['a', 'b', 'c', 'd']`. */
function parsePath(text: string): string[] {
  const parts = text
    .trim()
    .replace(/\[\s*'([^']*)'\s*\]/g, '.$1')
    .split('.');
  if (parts.some((p) => !IDENT.test(p))) throw new InvalidQuery(`not a column: ${text}`);
  return parts;
}

function parseString(text: string): string {
  const m = /^'([^']*)'$|^"([^"]*)"$/.exec(text.trim());
  if (!m) throw new InvalidQuery(`not a string literal: ${text}`);
  return m[1] ?? m[2] ?? '';
}

function parseCond(text: string): Cond {
  const inMatch = /^(.+?)\s+in~\s*\((.*)\)$/i.exec(text);
  if (inMatch)
    return {
      path: parsePath(inMatch[1]!),
      op: 'in~',
      values: splitOutsideQuotes(inMatch[2]!, /,/).map(parseString),
    };
  const m = /^(.+?)\s*(==|=~|!=)\s*(.+)$/.exec(text);
  if (!m) throw new InvalidQuery(`not a condition: ${text}`);
  return { path: parsePath(m[1]!), op: m[2] as Cond['op'], values: [parseString(m[3]!)] };
}

/** Parses the supported subset (see the module comment). @throws InvalidQuery */
export function parseQuery(text: string): Query {
  if (text.length > 10_000) throw new InvalidQuery('query too long');
  const [head, ...rest] = splitOutsideQuotes(text, /\|/);
  const table = (head ?? '').toLowerCase();
  if (table !== 'resources' && table !== 'policyresources')
    throw new InvalidQuery(`unknown table: ${head ?? ''}`);
  const ops = rest.map((segment): Op => {
    const where = /^where\s+(.+)$/is.exec(segment);
    if (where)
      return {
        kind: 'where',
        any: splitOutsideQuotes(where[1]!, /\s+or\s+/i).map((alt) =>
          splitOutsideQuotes(alt, /\s+and\s+/i).map(parseCond),
        ),
      };
    const project = /^project\s+(.+)$/is.exec(segment);
    if (project)
      return {
        kind: 'project',
        items: splitOutsideQuotes(project[1]!, /,/).map((item) => {
          const [alias, path] = splitOutsideQuotes(item, /=(?![=~])/);
          if (path === undefined)
            return { alias: parsePath(item).join('_'), path: parsePath(item) };
          if (!IDENT.test(alias ?? '')) throw new InvalidQuery(`not a column name: ${alias}`);
          return { alias: alias!, path: parsePath(path) };
        }),
      };
    const order = /^(?:order|sort)\s+by\s+(\S+)(?:\s+(asc|desc))?$/is.exec(segment);
    if (order) return { kind: 'order', path: parsePath(order[1]!), desc: order[2] === 'desc' };
    throw new InvalidQuery(`unsupported operator: ${segment.split(/\s+/)[0] ?? ''}`);
  });
  return { table, ops };
}

function valueAt(row: Row, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return null;
    // KQL's dynamic access is case-sensitive on property bags, case-insensitive on column names.
    const obj = value as Row;
    value =
      key in obj
        ? obj[key]
        : obj[Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase()) ?? ''];
  }
  return value === undefined ? null : value;
}

function holds(row: Row, cond: Cond): boolean {
  const value = valueAt(row, cond.path);
  const text = value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  switch (cond.op) {
    case '==':
      return text === cond.values[0];
    case '!=':
      return text !== cond.values[0];
    case '=~':
      return text.toLowerCase() === (cond.values[0] ?? '').toLowerCase();
    case 'in~':
      return cond.values.some((v) => v.toLowerCase() === text.toLowerCase());
  }
}

/** Runs a parsed query over rows. */
export function runQuery(query: Query, rows: readonly Row[]): Row[] {
  let out: Row[] = [...rows];
  for (const op of query.ops) {
    if (op.kind === 'where')
      out = out.filter((r) => op.any.some((all) => all.every((c) => holds(r, c))));
    else if (op.kind === 'project')
      out = out.map((r) => Object.fromEntries(op.items.map((i) => [i.alias, valueAt(r, i.path)])));
    else {
      const key = (r: Row): string => String(valueAt(r, op.path) ?? '');
      out.sort((a, b) => (op.desc ? -1 : 1) * key(a).localeCompare(key(b)));
    }
  }
  return out;
}
