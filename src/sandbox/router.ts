/**
 * A small request router for the sandbox cloud's emulated APIs: path templates with `:name`
 * parameters, case-insensitive as ARM resource paths are, and plain-object requests/responses so
 * the same handlers serve HTTP requests and Graph `$batch` sub-requests.
 */

/** A request as the handlers see it. */
export interface SandboxRequest {
  readonly method: string;
  /** Full URL as received (absolute, with query). */
  readonly url: URL;
  /** Path below the API's prefix, e.g. `/users` for `/graph/v1.0/users`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Parsed body: JSON object, form fields, or undefined. */
  readonly body: unknown;
}

/** A response before serialisation. */
export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON when not undefined. */
  readonly body?: unknown;
  /** An HTML page instead of a JSON body (the sign-in page of the identity platform). */
  readonly html?: string;
}

/** Handles one route; `params` are the decoded `:name` segments. */
export type Handler = (
  req: SandboxRequest,
  params: Record<string, string>,
) => SandboxResponse | Promise<SandboxResponse>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: string[];
  readonly handler: Handler;
}

/** Routes requests by method and path template. */
export class Router {
  private readonly routes: Route[] = [];

  /**
   * Adds a route.
   * @param template e.g. `/subscriptions/:subscriptionId/providers/Microsoft.Authorization/roleAssignments`;
   *   a `:name*` parameter matches the rest of a path including slashes
   */
  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template
      .split('/')
      .map((segment) => {
        const param = /^:(\w+)(\*)?$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return param[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, 'i'), names, handler });
    return this;
  }

  /** Finds the route for a request: `undefined` when no path matches, `405` when only the method differs. */
  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | 405 | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: route.handler, params };
    }
    return pathMatched ? 405 : undefined;
  }
}
