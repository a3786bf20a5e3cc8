import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type HttpHeaders,
  type HttpMethods,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { parseRetryAfter, type CloudHttpOptions } from '../cloud/http';
import { cloudAttempt, inCloudSpan } from '../telemetry/cloudSpans';
import { TenantlinkError, errorNameForStatus } from '../errors';
import { redactString } from '../log';
import {
  REPLICATION_RETRY_DEFAULTS,
  principalNotFoundRetryPolicy,
  type ReplicationRetryOptions,
} from './replicationRetry';

/**
 * A small Azure Resource Manager client on the Azure SDK's REST pipeline
 * (@azure/core-rest-pipeline): bearer token from a TokenCredential, retries (429/503 honour
 * Retry-After, other 5xx and network errors back off exponentially), TLS trust of the sandbox
 * certificate for this pipeline only, JSON bodies, `nextLink` paging and translation of ARM's
 * error body `{ error: { code, message } }` into catalogue errors
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling,
 * https://github.com/Azure/azure-rest-api-specs/blob/main/documentation/openapi-authoring-automated-guidelines.md#rpc-error-response).
 */

/** Options of an ARM client. */
export interface ArmClientOptions extends CloudHttpOptions {
  /** ARM endpoint, e.g. `https://management.azure.com` or the sandbox's `…/arm`. */
  readonly endpoint: string;
  /** Token scope, `https://management.azure.com/.default` for both clouds. */
  readonly scope: string;
  /** Retries of 400 PrincipalNotFound (replication delay); {@link REPLICATION_RETRY_DEFAULTS} by default. */
  readonly replicationRetry?: ReplicationRetryOptions;
}

/** A response: parsed JSON body, status, the correlation id ARM returned and its headers. */
export interface ArmResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly correlationId: string | undefined;
  /** The response's headers (names case-insensitive), e.g. Resource Graph's quota headers. */
  readonly headers: HttpHeaders;
}

interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

/** Marks a body that is not JSON. */
const INVALID = Symbol('invalid JSON');

/** The JSON of a body, undefined when empty, {@link INVALID} when it is not JSON. */
function parseJson(text: string | undefined | null): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

/**
 * One HTTP client for every ArmClient (a client is made per user and turn): its keep-alive agents
 * are cached per TLS settings object, so sharing the client and the settings object per CA lets
 * turns reuse TLS connections instead of a handshake per request.
 */
const sharedHttpClient: HttpClient = createDefaultHttpClient();
const tlsSettings = new Map<string, { ca: string }>();
function tlsSettingsFor(ca: string): { ca: string } {
  let settings = tlsSettings.get(ca);
  if (!settings) {
    settings = { ca };
    tlsSettings.set(ca, settings);
  }
  return settings;
}

/** Sends ARM requests with one user's credential. */
export class ArmClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly endpoint: string;

  constructor(
    credential: TokenCredential,
    private readonly options: ArmClientOptions,
  ) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.pipeline = createPipelineFromOptions({
      retryOptions: {
        maxRetries: options.maxRetries,
        retryDelayInMs: 500,
        maxRetryDelayInMs: 10_000,
      },
      tlsOptions: options.caCertificatePem ? tlsSettingsFor(options.caCertificatePem) : undefined,
      userAgentOptions: { userAgentPrefix: 'tenantlink' },
    });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: options.scope }));
    this.pipeline.addPolicy(
      principalNotFoundRetryPolicy(options.replicationRetry ?? REPLICATION_RETRY_DEFAULTS),
      { phase: 'Retry' },
    );
    // Per attempt (after the retry policy): status, correlation ids and 429s on the call's span.
    this.pipeline.addPolicy(
      {
        name: 'tenantlinkTelemetry',
        sendRequest: async (request, next) => {
          const response = await next(request);
          cloudAttempt('arm', response.status, response.headers);
          return response;
        },
      },
      { afterPhase: 'Retry' },
    );
    this.httpClient = sharedHttpClient;
  }

  /**
   * Sends one request and parses the JSON response.
   * @param method HTTP method
   * @param path path below the endpoint, starting with `/`, including `api-version`
   * @param body JSON body for PUT/POST
   * @throws TenantlinkError mapped from the status and ARM error code; the ARM code is in `serviceCode`
   */
  async send<T>(method: HttpMethods, path: string, body?: unknown): Promise<ArmResponse<T>> {
    const url = path.startsWith('https://') ? path : `${this.endpoint}${path}`;
    // The span names the path below the endpoint (the sandbox's endpoint has a path of its own).
    const below = url.startsWith(this.endpoint) ? url.slice(this.endpoint.length) : url;
    return inCloudSpan('arm', method, below, () => this.sendInSpan<T>(method, url, body));
  }

  /** {@link send}, in the call's span. */
  private async sendInSpan<T>(
    method: HttpMethods,
    url: string,
    body: unknown,
  ): Promise<ArmResponse<T>> {
    const request = createPipelineRequest({
      url,
      method,
      timeout: this.options.timeoutMs,
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const what = `${method} ${new URL(url).pathname}`;
    let response;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (err) {
      if (err instanceof TenantlinkError) throw err;
      const timedOut =
        err instanceof RestError &&
        err.code === 'REQUEST_SEND_ERROR' &&
        /timeout|aborted/i.test(err.message);
      const name =
        err instanceof Error && err.name === 'AbortError'
          ? 'cloudTimeout'
          : timedOut
            ? 'cloudTimeout'
            : 'cloudUnavailable';
      throw new TenantlinkError(name, {
        detail: `arm ${what}: ${(err as Error).message}`,
        cause: err,
      });
    }
    const correlationId =
      response.headers.get('x-ms-correlation-request-id') ??
      response.headers.get('x-ms-request-id');
    const parsed = parseJson(response.bodyAsText);
    if (parsed === INVALID && response.status < 400) {
      throw new TenantlinkError('cloudUnavailable', {
        detail: `arm ${what} → ${response.status}: the body is not JSON`,
        correlationId,
      });
    }
    if (response.status >= 400) {
      // A gateway's HTML error page has no ARM error body: map by status alone.
      const error = parsed === INVALID ? undefined : (parsed as ArmErrorBody | undefined)?.error;
      throw new TenantlinkError(errorNameForStatus(response.status, error?.code), {
        detail: `arm ${what} → ${response.status} ${error?.code ?? ''}`,
        serviceCode: error?.code,
        correlationId,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
        params: { serviceMessage: redactString(error?.message ?? '').slice(0, 300) },
      });
    }
    return { status: response.status, body: parsed as T, correlationId, headers: response.headers };
  }

  /**
   * Lists every item of a paged ARM collection (`value` + `nextLink`).
   * @param path first page path with api-version
   * @param maxPages safety bound on the number of pages
   */
  async list<T>(path: string, maxPages = 100): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < maxPages; page++) {
      const { body }: ArmResponse<{ value: T[]; nextLink?: string }> = await this.send('GET', next);
      items.push(...(body.value ?? []));
      next = body.nextLink;
    }
    return items;
  }
}
