import {
  toHttpHeadersLike,
  type CompatResponse,
  type WebResourceLike,
} from '@azure/core-http-compat';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { dispatcherFor } from '../cloud/http';

/**
 * The transport of botbuilder's connector client (replies, updates and proactive posts to the
 * channel's service URL) with a deadline on every request. botbuilder's own transport waits for
 * ever: a service URL that accepts a connection and never answers blocked that conversation's
 * turns indefinitely (issue 20). The connector's retry policies still run above this transport,
 * so a timed-out send is retried or reported like any other network failure.
 *
 * It sends with undici's `request`, not `fetch`: a reply is one small JSON POST, and fetch's
 * WHATWG layer (web streams, Headers, Response) cost about as much CPU per turn as the rest of the
 * turn's own work (a CPU profile of `npm run bench`'s turn-overhead load, issue 30).
 */

/** What botbuilder's ConnectorClient takes as `httpClient` (core-http's HttpClient shape). */
export interface ConnectorHttpClient {
  sendRequest(request: WebResourceLike): Promise<CompatResponse>;
}

/**
 * A connector transport over undici with a deadline.
 * @param timeoutMs the longest a request may take, headers and body, in ms; a request's own
 *   shorter `timeout` wins
 * @param caCertificatePem a certificate to trust for these requests only (the sandbox's token
 *   service, in `npm run doctor`'s local mode); the system's CAs alone when undefined
 * @returns the client; its promise rejects with a `TimeoutError` (DOMException) past the deadline
 */
export function connectorHttpClient(
  timeoutMs: number,
  caCertificatePem?: string,
): ConnectorHttpClient {
  const dispatcher = dispatcherFor({ caCertificatePem });
  return {
    async sendRequest(request) {
      const deadline = request.timeout > 0 ? Math.min(request.timeout, timeoutMs) : timeoutMs;
      // One controller and one timer, cleared with the reply: AbortSignal.any over
      // AbortSignal.timeout took about 7× the CPU (14 µs against 2 µs per request on the bench
      // machine, issue 30) and left the timeout's timer armed for the whole deadline.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException('connector timeout', 'TimeoutError')),
        deadline,
      );
      timer.unref();
      const outer = request.abortSignal as AbortSignal | undefined;
      const forward = (): void => controller.abort(outer?.reason);
      if (outer?.aborted) forward();
      else outer?.addEventListener('abort', forward, { once: true });
      try {
        const res = await undiciRequest(request.url, {
          ...(dispatcher ? { dispatcher } : {}),
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers.rawHeaders(),
          body:
            typeof request.body === 'string' || request.body instanceof Uint8Array
              ? request.body
              : undefined,
          signal: controller.signal,
        });
        const bodyAsText = await res.body.text();
        const headers = createHttpHeaders();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined)
            headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        return { request, status: res.statusCode, headers: toHttpHeadersLike(headers), bodyAsText };
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener('abort', forward);
      }
    },
  };
}
