import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../log';
import { armRoutes } from './arm';
import {
  RESOURCE_GRAPH_QUOTA_DEFAULTS,
  ResourceGraphQuotas,
  type ResourceGraphQuota,
} from './resourceGraph';
import { BotConnections } from './botConnections';
import { loopbackCertificate } from './certificate';
import type { SandboxContext } from './context';
import { controlRoutes } from './control';
import {
  Faults,
  armError,
  graphError,
  loginError,
  type FaultSettingsInput,
  type SandboxApi,
} from './faults';
import { graphRoutes } from './graph';
import { KEY_VAULT_RESOURCE, keyVaultRoutes } from './keyVaultKeys';
import { loginRoutes } from './login';
import { identityHeaderFor, managedIdentityRoutes } from './managedIdentity';
import { Router, type SandboxRequest, type SandboxResponse } from './router';
import { DEFAULT_SEED, type Seed } from './seed';
import { SandboxState, type SandboxSnapshot } from './state';
import { tokenServiceRoutes } from './tokenService';
import { SandboxTokens } from './tokens';
import { SandboxVaultKeys, type SeedVaultKey } from './vaultKeyStore';

/**
 * The sandbox cloud: an in-process HTTPS server on loopback that emulates the parts of Microsoft's
 * cloud tenantlink uses: the identity platform (`/login`), the hosting's managed identity endpoint
 * (`/msi`, src/sandbox/managedIdentity.ts), Microsoft Graph v1.0 (`/graph/v1.0`) and Azure
 * Resource Manager (`/arm`), plus its own control API (`/_sandbox`). Its certificate is
 * generated at start and returned so that only tenantlink's own clients trust it (DESIGN.md,
 * "Known traps": the Azure SDK bearer policy refuses plain http).
 */

/** Options of {@link startSandboxCloud}. */
export interface SandboxCloudOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; loopback by default. */
  readonly host?: string;
  /** World to start from; {@link DEFAULT_SEED} by default. */
  readonly seed?: Seed;
  /** Secret of the control API; a new random one (256 bits) by default. */
  readonly controlSecret?: string;
  /**
   * Told every Graph and ARM call once answered (tests record them to check them against
   * Microsoft's contracts, test/contracts). Never given a token: no Authorization header.
   */
  readonly recorder?: (call: RecordedCall) => void;
  /** Keys to create in seeded vaults at start and at each reset (Key Vault's data plane). */
  readonly vaultKeys?: readonly SeedVaultKey[];
  /**
   * The identity platform's clock (epoch ms), `Date.now` by default: a test skews it to see how a
   * client assertion outside its validity period is refused, without waiting.
   */
  readonly now?: () => number;
  /**
   * Whether the identity platform's delegated access tokens are opaque to clients (encrypted;
   * see `SandboxTokens.create`): a test checks that tenantlink reads who signed in from the ID
   * token, never from an access token. The sandbox's APIs accept them as usual.
   */
  readonly opaqueAccessTokens?: boolean;
  /**
   * Resource Graph's per-user query quota; {@link RESOURCE_GRAPH_QUOTA_DEFAULTS} (15 queries per
   * 5 s, concepts/guidance-for-throttled-requests) by default. Its window follows {@link now}.
   */
  readonly resourceGraphQuota?: ResourceGraphQuota;
}

/** A Graph or ARM call as the sandbox received and answered it (no credentials). */
export interface RecordedCall {
  readonly api: 'graph' | 'arm';
  readonly method: string;
  /** Path below the API root (`/users`, `/subscriptions/…`). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The headers a contract can require: consistencylevel, content-type, user-agent. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseBody: unknown;
}

/** Where a sandbox cloud answers, and the certificate to trust for it (all tenantlink needs). */
export interface SandboxEndpoints {
  /** Root URL, e.g. `https://127.0.0.1:41234`. */
  readonly url: string;
  /** Graph root for @microsoft/microsoft-graph-client's `baseUrl` (`{url}/graph`). */
  readonly graphBaseUrl: string;
  /** ARM endpoint (`{url}/arm`). */
  readonly armEndpoint: string;
  /** Authority host (`{url}/login`): token endpoint `{authorityHost}/{tenant}/oauth2/v2.0/token`. */
  readonly authorityHost: string;
  /** PEM of the self-signed certificate to trust for this sandbox only. */
  readonly caCertificatePem: string;
  /**
   * Secret of the control API (`/_sandbox/*` but `GET /_sandbox/state`, the token service
   * included), sent as `Authorization: Bearer {secret}`: without it any local process could read a
   * user's token or rewrite the world. Generated at each start, known to the bot and the tests.
   */
  readonly controlSecret: string;
  /**
   * Its managed identity endpoint, as App Service publishes one to an app: `IDENTITY_ENDPOINT`
   * (`{url}/msi/token`) and `IDENTITY_HEADER` (see src/sandbox/managedIdentity.ts).
   */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
  /** Stops it. */
  stop(): Promise<void>;
}

/** A running sandbox cloud, in this process. */
export interface SandboxCloud extends SandboxEndpoints {
  /** A JSON copy of the world. */
  snapshot(): SandboxSnapshot;
  /** Back to the seed, faults cleared. */
  reset(): void;
  /** Sets injected faults. @throws ZodError for invalid settings */
  setFaults(settings: FaultSettingsInput): void;
  /** Calls answered by a fault rule so far, per service. */
  injectedFaults(): Readonly<Record<SandboxApi, number>>;
  /** Requests a fault rule's `hold` parks now. */
  heldRequests(): number;
  /** Lets the parked requests go on (and later ones pass the hold rules). @returns how many */
  releaseHeld(): number;
  /** Calls received per service since start or the last {@link resetCallCounts} (Graph `$batch` counts once). */
  callCounts(): Readonly<Record<SandboxApi, number>>;
  /** Sets the call counters to zero and empties the write log. */
  resetCallCounts(): void;
  /**
   * Every call that asked to change something (PUT/PATCH/DELETE, and POST other than Graph
   * `$batch`, ARM `changeTenantStatus` and Resource Graph queries), in arrival order, with its path
   * below the API root.
   */
  writeLog(): readonly { api: SandboxApi; method: string; path: string }[];
  /**
   * Key Vault's data plane (`/keyvault/{vault}`, src/sandbox/keyVaultKeys.ts): its keys, and the
   * token a managed identity of the sandbox gets for it.
   */
  readonly keyVault: SandboxKeyVault;
}

/** The sandbox's Key Vault data plane, as tests drive it. */
export interface SandboxKeyVault {
  /**
   * Creates a key in a seeded vault, or a new current version of it (a rotation: older versions
   * still unwrap what they wrapped).
   * @returns the new version's identifier `https://{vault}.vault.azure.net/keys/{name}/{version}`
   */
  createKey(vault: string, name: string): string;
  /**
   * An access token for `resource` (`https://vault.azure.net` only) of the service principal
   * `principalId` of `tenantId`, as the managed identity endpoint issues one to the identity
   * (the sandbox's principals have no separate client id: `appid` is the object id).
   * @throws Error when the directory has no such service principal, or for another resource
   */
  managedIdentityToken(tenantId: string, principalId: string, resource: string): Promise<string>;
}

const MAX_BODY_BYTES = 1024 * 1024;

interface Mounted {
  readonly prefix: string;
  readonly api: SandboxApi | 'control' | 'keyvault';
  readonly router: Router;
}

/**
 * Starts a sandbox cloud.
 * @throws Error when the port is taken
 */
export async function startSandboxCloud(options: SandboxCloudOptions = {}): Promise<SandboxCloud> {
  const log = createLogger('sandbox');
  const host = options.host ?? '127.0.0.1';
  const pems = await loopbackCertificate('tenantlink-sandbox');

  let url = '';
  const controlSecret = options.controlSecret ?? randomBytes(32).toString('base64url');
  const state = new SandboxState(options.seed ?? DEFAULT_SEED);
  const faults = new Faults();
  const tokens = await SandboxTokens.create(`https://${host}/login`, {
    opaqueAccessTokens: options.opaqueAccessTokens ?? false,
  });
  const vaultKeys = new SandboxVaultKeys(options.vaultKeys);
  const connections = new BotConnections();
  const ctx: SandboxContext = {
    state,
    tokens,
    faults,
    vaultKeys,
    connections,
    url: () => url,
    now: options.now ?? Date.now,
    identityHeader: identityHeaderFor(controlSecret),
  };

  const resourceGraphQuotas = new ResourceGraphQuotas(
    options.resourceGraphQuota ?? RESOURCE_GRAPH_QUOTA_DEFAULTS,
    ctx.now,
  );
  /** Back to the seed: the world, the OAuth connections, quota windows, faults, vault keys. */
  const resetWorld = (): void => {
    state.reset();
    connections.reset();
    resourceGraphQuotas.reset();
    faults.clear();
    vaultKeys.reset();
  };
  const calls: Record<SandboxApi, number> = { login: 0, graph: 0, arm: 0 };
  const writes: { api: SandboxApi; method: string; path: string }[] = [];
  const resetTraffic = (): void => {
    writes.length = 0;
    calls.login = 0;
    calls.graph = 0;
    calls.arm = 0;
  };
  const dispatch = async (
    api: SandboxApi,
    router: Router,
    req: SandboxRequest,
  ): Promise<SandboxResponse> => {
    const decision = faults.decide(api, req.method, req.path);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.hold) await decision.hold;
    if (decision.response) return decision.response;
    const match = router.match(req.method, req.path);
    if (match === 405) return notFound(api, req, 405);
    if (!match) return notFound(api, req, 404);
    return match.handler(req, match.params);
  };
  const graph: Router = graphRoutes(ctx, (sub) => dispatch('graph', graph, sub));
  const mounts: Mounted[] = [
    { prefix: '/login', api: 'login', router: loginRoutes(ctx) },
    // The hosting's managed identity endpoint: identity platform traffic, counted as `login`.
    { prefix: '/msi', api: 'login', router: managedIdentityRoutes(ctx) },
    { prefix: '/graph/v1.0', api: 'graph', router: graph },
    { prefix: '/arm', api: 'arm', router: armRoutes(ctx, resourceGraphQuotas) },
    // Key Vault's data plane; not a fault-injected API (faults name login, graph and arm).
    { prefix: '/keyvault', api: 'keyvault', router: keyVaultRoutes(ctx) },
    { prefix: '/_sandbox/tokenservice', api: 'control', router: tokenServiceRoutes(ctx) },
    {
      // Call counts and the write log, for a sandbox running in another process (benchmarks).
      prefix: '/_sandbox/calls',
      api: 'control',
      router: new Router()
        .add('GET', '/', () => ({ status: 200, body: { counts: { ...calls }, writes } }))
        .add('DELETE', '/', () => {
          resetTraffic();
          return { status: 204 };
        }),
    },
    { prefix: '/_sandbox', api: 'control', router: controlRoutes(ctx, resetWorld) },
  ];

  /** The answer of the mounted service (or 404), the body read first. */
  const answer = async (
    req: IncomingMessage,
    full: URL,
    mount: Mounted | undefined,
  ): Promise<SandboxResponse> => {
    const request: SandboxRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      url: full,
      path: mount ? full.pathname.slice(mount.prefix.length) || '/' : full.pathname,
      headers: req.headers as Record<string, string | undefined>,
      body: await readBody(req),
    };
    (req as IncomingMessage & { recordedBody?: unknown }).recordedBody = request.body;
    if (!mount)
      return { status: 404, body: { error: { code: 'NotFound', message: 'Unknown path.' } } };
    if (mount.api === 'control' || mount.api === 'keyvault') {
      const match = mount.router.match(request.method, request.path);
      return match && match !== 405
        ? match.handler(request, match.params)
        : { status: match ?? 404 };
    }
    calls[mount.api]++;
    if (isWrite(mount.api, request.method, request.path))
      writes.push({ api: mount.api, method: request.method, path: request.path });
    return dispatch(mount.api, mount.router, request);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const full = new URL(req.url ?? '/', url);
    const mount = mounts.find((m) =>
      full.pathname.toLowerCase().startsWith(m.prefix.toLowerCase()),
    );
    const requestId = randomUUID();
    let response: SandboxResponse;
    if (mount?.api === 'control' && !controlAllowed(req, full.pathname, controlSecret)) {
      // The control API answers nothing, and reads no body, without its secret.
      req.resume();
      log.warn({ path: full.pathname }, 'sandbox control call without its secret');
      response = { status: 401, body: CONTROL_UNAUTHORIZED };
    } else {
      response = await answer(req, full, mount).catch((err: unknown) => {
        log.error({ err, path: full.pathname }, 'sandbox handler failed');
        return {
          status: 500,
          body: armError('InternalServerError', 'The sandbox failed to handle the request.'),
        };
      });
    }
    if (options.recorder && (mount?.api === 'graph' || mount?.api === 'arm'))
      record(options.recorder, mount.api, mount.prefix, full, req, response);
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    if (mount?.api === 'graph')
      Object.assign(headers, { 'request-id': requestId, 'client-request-id': requestId });
    if (mount?.api === 'keyvault') headers['x-ms-request-id'] = requestId;
    if (mount?.api === 'arm')
      Object.assign(headers, {
        'x-ms-request-id': requestId,
        'x-ms-correlation-request-id': requestId,
      });
    const payload =
      response.html ?? (response.body === undefined ? undefined : JSON.stringify(response.body));
    if (payload !== undefined)
      headers['content-type'] =
        response.html === undefined
          ? 'application/json; charset=utf-8'
          : 'text/html; charset=utf-8';
    // Not chained: restify, loaded in the same process, patches writeHead to return nothing.
    res.writeHead(response.status, headers);
    res.end(payload);
    log.debug(
      {
        method: req.method,
        path: full.pathname,
        status: response.status,
        ms: Date.now() - started,
      },
      'sandbox call',
    );
  };

  const server: Server = createServer({ key: pems.key, cert: pems.cert }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  log.info({ url }, 'sandbox cloud listening');

  return {
    ...sandboxEndpointsAt(url, pems.cert, controlSecret),
    snapshot: () => state.snapshot(),
    reset: resetWorld,
    setFaults: (settings) => {
      faults.set(settings);
    },
    injectedFaults: () => ({ ...faults.injected }),
    heldRequests: () => faults.heldCount,
    releaseHeld: () => faults.release(),
    callCounts: () => ({ ...calls }),
    writeLog: () => [...writes],
    resetCallCounts: resetTraffic,
    keyVault: {
      createKey: (vault, name) => vaultKeys.createVersion(vault, name),
      managedIdentityToken: async (tenantId, principalId, resource) => {
        const principal = state
          .tenant(tenantId)
          ?.principals.find((p) => p.id === principalId && p.principalType === 'ServicePrincipal');
        if (!principal) throw new Error(`no service principal ${principalId} in ${tenantId}`);
        if (resource.replace(/\/(\.default)?$/, '') !== KEY_VAULT_RESOURCE)
          throw new Error(
            `the sandbox issues managed identity tokens for ${KEY_VAULT_RESOURCE} only`,
          );
        return tokens.appToken(
          tenantId.toLowerCase(),
          { id: principal.id, appId: principal.id, displayName: principal.displayName },
          'keyvault',
        );
      },
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // A request parked by a hold rule would keep its connection (and the close) waiting.
        faults.release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const CONTROL_UNAUTHORIZED = {
  error: { code: 'Unauthorized', message: 'The sandbox control API needs its secret.' },
};

/**
 * Whether a control call may proceed: `GET /_sandbox/state` (no passwords, no tokens) always;
 * anything else only with `Authorization: Bearer {controlSecret}`, compared in constant time.
 */
function controlAllowed(req: IncomingMessage, pathname: string, secret: string): boolean {
  if (req.method === 'GET' && pathname.toLowerCase() === '/_sandbox/state') return true;
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const digest = (v: string): Buffer => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** Hands one answered call to the recorder, without anything secret. */
function record(
  recorder: (call: RecordedCall) => void,
  api: 'graph' | 'arm',
  prefix: string,
  url: URL,
  req: IncomingMessage & { recordedBody?: unknown },
  response: SandboxResponse,
): void {
  const kept = ['consistencylevel', 'content-type', 'user-agent'];
  recorder({
    api,
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname.slice(prefix.length) || '/',
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(
      kept.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])),
    ),
    requestBody: req.recordedBody,
    status: response.status,
    responseBody: response.body,
  });
}

/** Whether a call asks to change something (for the write log). */
function isWrite(api: SandboxApi, method: string, path: string): boolean {
  if (api === 'login' || method === 'GET') return false;
  if (method !== 'POST') return true;
  // Graph `$batch`, ARM `changeTenantStatus` and Resource Graph queries are reads sent as POST.
  return (
    !(api === 'graph' && path === '/$batch') &&
    !/\/changeTenantStatus$/i.test(path) &&
    !/^\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(path)
  );
}

function notFound(api: SandboxApi, req: SandboxRequest, status: 404 | 405): SandboxResponse {
  if (api === 'graph')
    return {
      status: 400,
      body: graphError(
        'BadRequest',
        `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`,
      ),
    };
  if (api === 'login')
    return { status, body: loginError('invalid_request', 'Unknown endpoint.', [900561]) };
  return status === 405
    ? {
        status,
        body: armError(
          'MethodNotAllowed',
          `The HTTP method '${req.method}' is not supported at '${req.path}'.`,
        ),
      }
    : {
        status,
        body: armError(
          'InvalidResourceType',
          `The resource type could not be found for '${req.path}'.`,
        ),
      };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A body that is not JSON is handed to the handler as text; the handlers reject it.
    return text;
  }
}

/**
 * The endpoints of a sandbox cloud that runs at `url` (in this process or another), for clients
 * that trust `caCertificatePem`. `stop()` of the result does nothing: the sandbox is not ours.
 */
export function sandboxEndpointsAt(
  url: string,
  caCertificatePem: string,
  controlSecret: string,
): SandboxEndpoints {
  return {
    url,
    controlSecret,
    graphBaseUrl: `${url}/graph`,
    armEndpoint: `${url}/arm`,
    authorityHost: `${url}/login`,
    identityEndpoint: `${url}/msi/token`,
    identityHeader: identityHeaderFor(controlSecret),
    caCertificatePem,
    stop: async () => undefined,
  };
}

export { DEFAULT_SEED, IDS } from './seed';
export type { Seed } from './seed';
export type { SandboxSnapshot } from './state';
