import type { TokenCredential } from '@azure/core-auth';
import {
  AuthenticationHandler,
  Client,
  GraphError,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { fetch as undiciFetch } from 'undici';
import { dispatcherFor, parseRetryAfter, type CloudHttpOptions } from '../cloud/http';
import { ERRORS, TenantlinkError, errorNameForStatus } from '../errors';
import { cloudAttempt, inCloudSpan } from '../telemetry/cloudSpans';

/**
 * Builds @microsoft/microsoft-graph-client instances for one signed-in user, pointed at
 * Microsoft Graph or at the sandbox cloud by `baseUrl`, and translates Graph failures into
 * catalogue errors.
 */

/** The User-Agent of tenantlink's Graph calls (ARM calls carry the `tenantlink` prefix too). */
const USER_AGENT = 'tenantlink';

/**
 * The request's headers (a plain object or a Headers instance, as the Graph client's middleware
 * sets them) with tenantlink's User-Agent: it identifies the app to Microsoft Graph (and to the
 * sandbox's contract recorder).
 */
function withUserAgent(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) headers.forEach((v, k) => (out[k] = v));
  else if (headers && typeof headers === 'object') Object.assign(out, headers);
  out['User-Agent'] = USER_AGENT;
  return out;
}

/** Options of a Graph client. */
export interface GraphClientOptions extends CloudHttpOptions {
  /** Graph root without version, e.g. `https://graph.microsoft.com` or the sandbox's `…/graph`. */
  readonly baseUrl: string;
  /** Delegated scopes to request, e.g. `['https://graph.microsoft.com/.default']`. */
  readonly scopes: readonly string[];
}

/**
 * Last middleware of the chain: sends the request with undici (so the sandbox's certificate can be
 * trusted by this client only) and a per-attempt timeout.
 */
class UndiciFetchHandler implements Middleware {
  constructor(private readonly options: GraphClientOptions) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const init = (context.options ?? {}) as Record<string, unknown>;
    const dispatcher = dispatcherFor(this.options);
    try {
      const response = await undiciFetch(url, {
        method: init.method as string | undefined,
        headers: withUserAgent(init.headers),
        body: init.body as string | undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        ...(dispatcher ? { dispatcher } : {}),
      });
      cloudAttempt('graph', response.status, response.headers);
      // The Graph client reads status, headers, json() and text(): undici's Response has them.
      context.response = response as unknown as Response;
    } catch (err) {
      // By name: undici's DOMException may come from another realm (instanceof fails).
      const name = (err as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new TenantlinkError(timedOut ? 'cloudTimeout' : 'cloudUnavailable', {
        detail: `graph ${init.method ?? 'GET'} ${new URL(url).pathname}: ${(err as Error).message}`,
        cause: err,
      });
    }
  }
}

/**
 * Creates a Graph client for one user's credential.
 * The chain is: authentication (bearer token from `credential`) → retry (429/503/504 honouring
 * Retry-After, `maxRetries`) → undici fetch. `customHosts` lets the token reach a non-Graph host
 * (the sandbox), as the library requires for any host other than graph.microsoft.com.
 */
export function createGraphClient(
  credential: TokenCredential,
  options: GraphClientOptions,
): Client {
  const auth = new AuthenticationHandler(
    new TokenCredentialAuthenticationProvider(credential as never, { scopes: [...options.scopes] }),
  );
  const retry = new RetryHandler(new RetryHandlerOptions(1, Math.min(options.maxRetries, 10)));
  const send = new UndiciFetchHandler(options);
  auth.setNext(retry);
  retry.setNext(send);
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(options.baseUrl).hostname]),
  });
}

/**
 * Runs one Graph call and translates a failure into a TenantlinkError (401/403/404/409/429/5xx
 * to the catalogue; the Graph `code`, request-id and Retry-After kept).
 * @param what short description for the log, e.g. `GET /me`
 */
export async function graphCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  const [method = 'GET', path = '/'] = what.split(' ', 2);
  return inCloudSpan('graph', method, path, () => graphCallInSpan(what, call));
}

/** {@link graphCall}, in the call's span. */
async function graphCallInSpan<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TenantlinkError) throw err;
    if (err instanceof GraphError && err.statusCode <= 0) {
      // A transport failure: the SDK wraps the TenantlinkError thrown by UndiciFetchHandler into
      // a GraphError(-1) that keeps only its message, which starts with the catalogue code.
      const timedOut = err.message.startsWith(`${ERRORS.cloudTimeout.code}:`);
      throw new TenantlinkError(timedOut ? 'cloudTimeout' : 'cloudUnavailable', {
        detail: `graph ${what}: ${err.message}`,
        cause: err,
      });
    }
    if (err instanceof GraphError) {
      const status = err.statusCode || 500;
      throw new TenantlinkError(errorNameForStatus(status, err.code ?? undefined), {
        detail: `graph ${what} → ${status} ${err.code ?? ''}`,
        serviceCode: err.code ?? undefined,
        correlationId: err.requestId ?? undefined,
        retryAfterSeconds: parseRetryAfter(err.headers?.get('retry-after')),
        cause: err,
      });
    }
    throw new TenantlinkError('internal', {
      detail: `graph ${what}: ${(err as Error).message}`,
      cause: err,
    });
  }
}
