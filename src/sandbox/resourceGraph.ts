import { createHash } from 'node:crypto';
import { armAuthed, armFail, rolesOf, isVisible } from './armAccess';
import type { SandboxContext } from './context';
import type { Router, SandboxResponse } from './router';
import type { Caller } from './tokens';
import { parseQuery, runQuery, type Query, type Row } from './kql';
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
