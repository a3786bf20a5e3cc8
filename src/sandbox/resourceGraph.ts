import { createHash } from 'node:crypto';
import { armAuthed, armFail, rolesOf, isVisible } from './armAccess';
import type { SandboxContext } from './context';
import type { Router, SandboxResponse } from './router';
import type { Caller } from './tokens';
import type { SubscriptionRecord } from './state';

/**
 * Azure Resource Graph's query API in the sandbox: `POST /providers/Microsoft.ResourceGraph/
 * resources` (operation `Resources`, Azure/azure-rest-api-specs
 * specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/
 * resourcegraph.json at commit 423203f7370f6ca2aedbc2ebd3e57401a083e196, examples
 * ResourcesBasicQuery, ResourcesFirstPageQuery and ResourcesNextPageQuery).
 *
 * - Body `QueryRequest`: `query` (required), `subscriptions`, `options` (`$top` 1–1000, `$skip`,
 *   `$skipToken`, `resultFormat` `objectArray`). Answer `QueryResponse`: `totalRecords`, `count`,
 *   `resultTruncated` (the string `"false"`), `data` (objects), `facets`, and `$skipToken` while
 *   rows remain; a page holds at most 1,000 rows ("Resource Graph limits any query to returning
 *   only 1000 records", concepts/work-with-data). The token is valid only with the same query and
 *   scopes.
 * - Rows are the resources of the subscriptions in the request that the caller can read (any role
 *   there, in the token's directory); others are left out, as Resource Graph does.
 * - The query language is the subset tenantlink sends: a table (`resources`, `policyresources`),
 *   then `where` (`==`, `=~`, `!=`, `in~ (…)` joined by `and`/`or`), `project` (names and
 *   `alias = a.b.c` paths) and `order by`; anything else is refused as `InvalidQuery` (400).
 * - Every answer carries the throttling headers Resource Graph documents
 *   (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`,
 *   concepts/guidance-for-throttled-requests); the quota itself is not enforced (429 comes from the
 *   fault rules).
 */

const VERSIONS = ['2021-03-01', '2022-10-01', '2024-04-01'];
/** Largest page (the spec's `$top` maximum). */
const PAGE_MAX = 1000;

type Row = Record<string, unknown>;

/** A parsed query: a table and the operators that follow it. */
interface Query {
  readonly table: 'resources' | 'policyresources';
  readonly ops: readonly Op[];
}

type Cond = { path: string[]; op: '==' | '=~' | '!=' | 'in~'; values: string[] };
type Op =
  | { kind: 'where'; any: Cond[][] }
  | { kind: 'project'; items: { alias: string; path: string[] }[] }
  | { kind: 'order'; path: string[]; desc: boolean };

/** A query the sandbox cannot run (Resource Graph's 400 `InvalidQuery`). */
class InvalidQuery extends Error {}

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

/** The rows of a table for one subscription, as Resource Graph shows them (lower-case types). */
function tableRows(sub: SubscriptionRecord, table: Query['table']): Row[] {
  const base = (r: { name: string; type: string; resourceGroup: string }) => ({
    id: `/subscriptions/${sub.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${r.type}/${r.name}`,
    name: r.name,
    type: r.type.toLowerCase(),
    tenantId: sub.tenantId,
    resourceGroup: r.resourceGroup.toLowerCase(),
    subscriptionId: sub.subscriptionId,
  });
  if (table === 'policyresources')
    return (sub.policies ?? []).map((p) => ({
      ...base({ name: p.name, type: p.type, resourceGroup: '' }),
      id: `/subscriptions/${sub.subscriptionId}/providers/${p.type}/${p.name}`,
      properties: { displayName: p.displayName ?? p.name },
    }));
  return (sub.resources ?? []).map((r) => ({
    ...base(r),
    kind: r.kind ?? '',
    location: r.location,
    identity: r.identity ?? null,
    properties: r.properties ?? {},
  }));
}

function skipTokenFor(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint }), 'utf8').toString('base64');
}

function offsetOf(token: string, fingerprint: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      o?: unknown;
      f?: unknown;
    };
    return parsed.f === fingerprint && typeof parsed.o === 'number' && parsed.o >= 0
      ? parsed.o
      : undefined;
  } catch {
    return undefined;
  }
}

const QUOTA_HEADERS = {
  'x-ms-user-quota-remaining': '14',
  'x-ms-user-quota-resets-after': '00:00:05',
};

function badRequest(code: string, message: string): SandboxResponse {
  return {
    status: 400,
    headers: QUOTA_HEADERS,
    body: {
      error: {
        code: 'BadRequest',
        message: 'Please provide below info when asking for support: timestamp, correlation id.',
        details: [{ code, message }],
      },
    },
  };
}

/** The subscriptions in scope: those asked for (all the caller's when none) that it can read. */
function scope(
  ctx: SandboxContext,
  caller: Caller,
  asked: readonly string[] | undefined,
): SubscriptionRecord[] {
  const readable = ctx.state.subscriptions.filter(
    (s) =>
      s.tenantId === caller.tenantId.toLowerCase() &&
      isVisible(s) &&
      rolesOf(s, caller.objectId).length > 0,
  );
  if (!asked || asked.length === 0) return readable;
  const wanted = new Set(asked.map((a) => a.toLowerCase()));
  return readable.filter((s) => wanted.has(s.subscriptionId));
}

/** Adds the Resource Graph route to the ARM router. */
export function resourceGraphRoutes(ctx: SandboxContext, router: Router): void {
  router.add(
    'POST',
    '/providers/Microsoft.ResourceGraph/resources',
    armAuthed(ctx, VERSIONS, (req, _p, caller) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as {
        query?: unknown;
        subscriptions?: unknown;
        options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown };
      };
      if (typeof body.query !== 'string' || body.query.trim() === '')
        return armFail(400, 'BadRequest', "The request body must contain the property 'query'.");
      const subscriptions = Array.isArray(body.subscriptions)
        ? body.subscriptions.filter((s): s is string => typeof s === 'string')
        : undefined;
      const options = body.options ?? {};
      const top = options.$top === undefined ? PAGE_MAX : Number(options.$top);
      if (!Number.isInteger(top) || top < 1 || top > PAGE_MAX)
        return badRequest('InvalidQueryRequestOptions', '$top must be between 1 and 1000.');
      if (options.resultFormat !== undefined && options.resultFormat !== 'objectArray')
        return badRequest('UnsupportedResultFormat', 'The sandbox answers objectArray only.');
      let query: Query;
      try {
        query = parseQuery(body.query);
      } catch (err) {
        return badRequest(
          'InvalidQuery',
          `Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying. (${(err as Error).message})`,
        );
      }
      const subs = scope(ctx, caller, subscriptions);
      const rows = runQuery(
        query,
        subs.flatMap((s) => tableRows(s, query.table)),
      );
      const fingerprint = createHash('sha256')
        .update(JSON.stringify([body.query, subs.map((s) => s.subscriptionId)]))
        .digest('hex')
        .slice(0, 16);
      let offset = options.$skip === undefined ? 0 : Number(options.$skip);
      if (typeof options.$skipToken === 'string') {
        const fromToken = offsetOf(options.$skipToken, fingerprint);
        if (fromToken === undefined)
          return badRequest(
            'InvalidSkipToken',
            'The $skipToken is not valid for this query and scope.',
          );
        offset = fromToken;
      }
      const page = rows.slice(offset, offset + top);
      const next = offset + page.length;
      return {
        status: 200,
        headers: QUOTA_HEADERS,
        body: {
          totalRecords: rows.length,
          count: page.length,
          resultTruncated: 'false',
          ...(next < rows.length ? { $skipToken: skipTokenFor(next, fingerprint) } : {}),
          data: page,
          facets: [],
        },
      };
    }),
  );
}
