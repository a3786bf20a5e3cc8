import { context, metrics, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from './scope';

/**
 * A client span per Microsoft Graph or Azure Resource Manager call (src/graph/graphClient.ts,
 * src/azure/armClient.ts), named and attributed per OpenTelemetry's HTTP client semantic
 * conventions (https://opentelemetry.io/docs/specs/semconv/http/http-spans/): method, URL
 * template (never the URL: Graph paths hold user principal names, ARM paths resource names),
 * status, the number of retries, and the service's correlation ids: ARM's
 * `x-ms-correlation-request-id` and `x-ms-request-id`
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling),
 * Graph's `request-id`. Throttled attempts (429) count in `tenantlink.cloud.throttled` by API.
 */

/** The cloud APIs tenantlink calls. */
export type CloudApi = 'graph' | 'arm';

/** Path segments after which the next one is an identifier or a name. */
const VALUE_AFTER = new Set([
  'subscriptions',
  'resourcegroups',
  'tenants',
  'users',
  'groups',
  'directoryroles',
  'serviceprincipals',
  'applications',
  'invitations',
  'managementgroups',
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The URL template of a request path: identifiers and names replaced by `{id}` / `{name}`, the
 * query left out. ARM paths follow `…/providers/{namespace}/{type}/{name}[/{type}/{name}]…`
 * (https://learn.microsoft.com/rest/api/azure/#uri-parameters), whose names are replaced; a GUID,
 * anything with `@`, and the segment after a collection such as `users` or `subscriptions` are
 * replaced everywhere.
 * @param path a path or URL, e.g. `/v1.0/users/jane@contoso.com?$select=mail`
 * @returns e.g. `/v1.0/users/{id}`
 */
export function urlTemplate(path: string): string {
  const pathname = /^https?:\/\//i.test(path) ? new URL(path).pathname : path.split('?')[0]!;
  const out: string[] = [];
  let provider: 'none' | 'namespace' | 'type' | 'name' = 'none';
  let previous = '';
  for (const segment of pathname.split('/')) {
    const lower = segment.toLowerCase();
    let kept = segment;
    if (segment === '') kept = segment;
    else if (provider === 'namespace') provider = 'type';
    else if (provider === 'type') provider = 'name';
    else if (provider === 'name') {
      kept = '{name}';
      provider = 'type';
    } else if (lower === 'providers') provider = 'namespace';
    else if (VALUE_AFTER.has(previous) || GUID.test(segment) || /@|%40/.test(segment))
      kept = '{id}';
    out.push(kept);
    previous = lower;
  }
  return out.join('/');
}

/**
 * Runs one cloud call (with its retries) in a client span, child of the active span.
 * @param api `graph` or `arm`
 * @param method HTTP method
 * @param path the request's path or URL (templated with {@link urlTemplate})
 */
export async function inCloudSpan<T>(
  api: CloudApi,
  method: string,
  path: string,
  fn: () => Promise<T>,
): Promise<T> {
  const template = urlTemplate(path);
  const span = trace.getTracer(INSTRUMENTATION_SCOPE).startSpan(`${method} ${template}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'tenantlink.api': api,
      'http.request.method': method,
      'url.template': template,
    },
  });
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') span.setAttribute('error.type', code);
    throw err;
  } finally {
    span.end();
  }
}

/** The headers of a response, read by name (undici's `Headers`, the Azure SDK's `HttpHeaders`). */
interface HeaderReader {
  get(name: string): string | null | undefined;
}

/**
 * Records one attempt of the active cloud span: its status, the service's correlation ids, the
 * retry count, and a throttled attempt (429) in `tenantlink.cloud.throttled`.
 * @param api `graph` or `arm`
 * @param status the attempt's HTTP status
 * @param headers the attempt's response headers
 */
export function cloudAttempt(api: CloudApi, status: number, headers: HeaderReader): void {
  const span: Span | undefined = trace.getActiveSpan();
  if (span) {
    const attempts = (attemptCounts.get(span) ?? 0) + 1;
    attemptCounts.set(span, attempts);
    span.setAttribute('http.response.status_code', status);
    if (attempts > 1) span.setAttribute('http.request.resend_count', attempts - 1);
    const ids =
      api === 'arm'
        ? {
            'azure.correlation_request_id': headers.get('x-ms-correlation-request-id'),
            'azure.request_id': headers.get('x-ms-request-id'),
          }
        : { 'azure.request_id': headers.get('request-id') };
    for (const [name, value] of Object.entries(ids)) if (value) span.setAttribute(name, value);
  }
  if (status === 429)
    metrics
      .getMeter(INSTRUMENTATION_SCOPE)
      .createCounter('tenantlink.cloud.throttled', {
        description: 'Graph and ARM answers 429 (throttled), before any retry',
      })
      .add(1, { 'tenantlink.api': api });
}

/** Attempts per span (a WeakMap: nothing outlives the span). */
const attemptCounts = new WeakMap<Span, number>();
