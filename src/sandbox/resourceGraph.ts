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
 * - Throttling per user (MicrosoftDocs/azure-docs
 *   articles/governance/resource-graph/concepts/guidance-for-throttled-requests.md at commit
 *   03adcc30b28ecad9f81aba5638a15fb1930f5ec0, "Understand throttling headers" and "Pagination"):
 *   each user (directory + object id) has a quota of queries per time window, 15 per 5 s by
 *   default ({@link RESOURCE_GRAPH_QUOTA_DEFAULTS}); every query, each page included, takes one.
 *   Every answer carries `x-ms-user-quota-remaining` (int, queries left in the window) and
 *   `x-ms-user-quota-resets-after` (hh:mm:ss until the window resets, rounded up to whole seconds
 *   so that a client waiting that long finds a new window). A query past the quota is answered
 *   429 with `Retry-After` (seconds) and the ARM error `RateLimiting` as Resource Graph sends it
 *   (body seen in Azure/azure-cli-extensions issue 3325); it takes no quota. The window follows the
 *   sandbox's clock (`SandboxCloudOptions.now`), so a test can let it pass without waiting.
 */

/** A Resource Graph quota: queries per window of `windowMs` ms, per user. */
export interface ResourceGraphQuota {
  /** Queries each user may send per window. */
  readonly queries: number;
  /** Length of the window in ms. */
  readonly windowMs: number;
}

/**
 * The documented example quota: "a user can send at most 15 queries within every 5-second window
 * without being throttled" (concepts/guidance-for-throttled-requests).
 */
export const RESOURCE_GRAPH_QUOTA_DEFAULTS: ResourceGraphQuota = { queries: 15, windowMs: 5_000 };

/**
 * The users' quota windows of one sandbox.
 */
export class ResourceGraphQuotas {
  private readonly windows = new Map<string, { start: number; used: number }>();

  /**
   * @param quota queries per window
   * @param now the sandbox's clock (epoch ms)
   */
  constructor(
    private readonly quota: ResourceGraphQuota,
    private readonly now: () => number,
  ) {}

  /**
   * Takes one query of a user's quota.
   * @returns whether the query is allowed, and the throttling headers of its answer
   */
  take(user: string): { allowed: boolean; headers: Record<string, string> } {
    const now = this.now();
    let window = this.windows.get(user);
    if (!window || now - window.start >= this.quota.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(user, window);
    }
    const allowed = window.used < this.quota.queries;
    if (allowed) window.used++;
    const resetsInS = Math.max(1, Math.ceil((window.start + this.quota.windowMs - now) / 1000));
    const headers: Record<string, string> = {
      'x-ms-user-quota-remaining': String(this.quota.queries - window.used),
      'x-ms-user-quota-resets-after': hhmmss(resetsInS),
    };
    if (!allowed) headers['retry-after'] = String(resetsInS);
    return { allowed, headers };
  }

  /** Forgets every window (the sandbox's reset). */
  reset(): void {
    this.windows.clear();
  }
}

/** Seconds as `hh:mm:ss`. */
function hhmmss(seconds: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

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

function badRequest(
  headers: Record<string, string>,
  code: string,
  message: string,
): SandboxResponse {
  return {
    status: 400,
    headers,
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

/**
 * Adds the Resource Graph route to the ARM router.
 * @param quotas the users' quota windows (the sandbox resets them with its world)
 */
export function resourceGraphRoutes(
  ctx: SandboxContext,
  router: Router,
  quotas: ResourceGraphQuotas,
): void {
  router.add(
    'POST',
    '/providers/Microsoft.ResourceGraph/resources',
    armAuthed(ctx, VERSIONS, (req, _p, caller) => {
      const { allowed, headers: quotaHeaders } = quotas.take(
        `${caller.tenantId.toLowerCase()}/${caller.objectId}`,
      );
      if (!allowed)
        return {
          status: 429,
          headers: quotaHeaders,
          body: {
            error: {
              code: 'RateLimiting',
              message:
                'Please provide below info when asking for support: timestamp, correlation id.',
              details: [
                {
                  code: 'RateLimiting',
                  message:
                    'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.',
                },
              ],
            },
          },
        };
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
        return badRequest(
          quotaHeaders,
          'InvalidQueryRequestOptions',
          '$top must be between 1 and 1000.',
        );
      if (options.resultFormat !== undefined && options.resultFormat !== 'objectArray')
        return badRequest(
          quotaHeaders,
          'UnsupportedResultFormat',
          'The sandbox answers objectArray only.',
        );
      let query: Query;
      try {
        query = parseQuery(body.query);
      } catch (err) {
        return badRequest(
          quotaHeaders,
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
            quotaHeaders,
            'InvalidSkipToken',
            'The $skipToken is not valid for this query and scope.',
          );
        offset = fromToken;
      }
      const page = rows.slice(offset, offset + top);
      const next = offset + page.length;
      return {
        status: 200,
        headers: quotaHeaders,
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
