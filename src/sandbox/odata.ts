/**
 * The small part of OData that the sandbox's Graph understands: `$filter` with `eq`, `in` and
 * `startswith` joined by `and`; `$search` as `"property:term"` (prefix match on words, Graph's
 * tokenised search, https://learn.microsoft.com/graph/search-query-parameter); `$select`;
 * `$top`/`$skiptoken` paging. Anything else is refused, as Graph refuses unsupported queries.
 */

/** A record of string-ish properties that filters can read. */
export type Row = Readonly<Record<string, unknown>>;

/** A compiled predicate, or an error message for an unsupported expression. */
export type Compiled =
  | {
      ok: true;
      test: (row: Row) => boolean;
      /**
       * Set when the whole filter is one `eq` or `in` clause: the property and the wanted values
       * (lower case), so that a caller can answer from an index as Graph does.
       */
      lookup?: { prop: string; values: string[] };
    }
  | { ok: false; message: string };

const unquote = (s: string): string => s.slice(1, -1).replace(/''/g, "'");
const eqIgnoreCase = (a: unknown, b: string): boolean =>
  typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/** Compiles a `$filter` expression. */
export function compileFilter(filter: string | null): Compiled {
  if (!filter) return { ok: true, test: () => true };
  const clauses = filter.split(/\s+and\s+/i);
  const tests: ((row: Row) => boolean)[] = [];
  const lookups: { prop: string; values: string[] }[] = [];
  for (const clause of clauses) {
    const c = clause.trim();
    let m = /^(\w+)\s+eq\s+('(?:[^']|'')*')$/i.exec(c);
    if (m?.[1] && m[2]) {
      const [prop, value] = [m[1], unquote(m[2])];
      tests.push((row) => eqIgnoreCase(row[prop], value));
      lookups.push({ prop, values: [value.toLowerCase()] });
      continue;
    }
    m = /^(\w+)\s+in\s+\((.*)\)$/i.exec(c);
    if (m?.[1] && m[2] !== undefined) {
      const prop = m[1];
      const values = (m[2].match(/'(?:[^']|'')*'/g) ?? []).map(unquote);
      if (values.length > 15)
        return { ok: false, message: 'Too many values in the in clause (at most 15).' };
      const wanted = new Set(values.map((v) => v.toLowerCase()));
      lookups.push({ prop, values: [...wanted] });
      tests.push((row) => {
        const value = row[prop];
        return typeof value === 'string' && wanted.has(value.toLowerCase());
      });
      continue;
    }
    m = /^startswith\((\w+),\s*('(?:[^']|'')*')\)$/i.exec(c);
    if (m?.[1] && m[2]) {
      const [prop, prefix] = [m[1], unquote(m[2]).toLowerCase()];
      tests.push((row) =>
        String(row[prop] ?? '')
          .toLowerCase()
          .startsWith(prefix),
      );
      continue;
    }
    return { ok: false, message: `Unsupported or invalid query filter clause specified: '${c}'.` };
  }
  const test = (row: Row): boolean => tests.every((t) => t(row));
  return lookups.length === 1 && clauses.length === 1
    ? { ok: true, test, lookup: lookups[0] }
    : { ok: true, test };
}

/** Compiles a `$search` value such as `"displayName:jan"` (several joined by OR). */
export function compileSearch(search: string | null): Compiled {
  if (!search) return { ok: true, test: () => true };
  const terms = search.split(/\s+OR\s+/);
  const tests: ((row: Row) => boolean)[] = [];
  for (const term of terms) {
    const m = /^"(\w+):([^"]*)"$/.exec(term.trim());
    if (!m?.[1] || m[2] === undefined)
      return { ok: false, message: 'Syntax error: invalid $search.' };
    // Graph tokenises both sides: every word of the term starts a word of the property.
    const prop = m[1];
    const needles = m[2]
      .toLowerCase()
      .split(/[\s._@-]+/)
      .filter(Boolean);
    tests.push((row) => {
      const words = String(row[prop] ?? '')
        .toLowerCase()
        .split(/[\s._@-]+/);
      return needles.every((n) => words.some((word) => word.startsWith(n)));
    });
  }
  return { ok: true, test: (row) => tests.some((t) => t(row)) };
}

/** Keeps `id` plus the `$select`ed properties (all of `defaults` when there is no `$select`). */
export function project(row: Row, select: string | null, defaults: readonly string[]): Row {
  const fields = select ? select.split(',').map((s) => s.trim()) : defaults;
  const out: Record<string, unknown> = {};
  for (const f of ['id', ...fields]) if (f in row) out[f] = row[f];
  return out;
}

/** One page of `rows` from a `$skiptoken` offset and `$top` size, and the next offset if any. */
export function page<T>(
  rows: readonly T[],
  top: number,
  skiptoken: string | null,
): { items: T[]; nextSkip?: string } {
  const offset = skiptoken ? Number(Buffer.from(skiptoken, 'base64url').toString('utf8')) || 0 : 0;
  const items = rows.slice(offset, offset + top);
  const next = offset + top;
  return next < rows.length
    ? { items, nextSkip: Buffer.from(String(next), 'utf8').toString('base64url') }
    : { items };
}
