import {
  toHttpHeadersLike,
  type CompatResponse,
  type WebResourceLike,
} from '@azure/core-http-compat';
import { createHttpHeaders } from '@azure/core-rest-pipeline';

/**
 * The transport of botbuilder's connector client (replies, updates and proactive posts to the
 * channel's service URL) with a deadline on every request. botbuilder's own transport waits for
 * ever: a service URL that accepts a connection and never answers blocked that conversation's
 * turns indefinitely (issue 20). The connector's retry policies still run above this transport,
 * so a timed-out send is retried or reported like any other network failure.
 */

/** What botbuilder's ConnectorClient takes as `httpClient` (core-http's HttpClient shape). */
export interface ConnectorHttpClient {
  sendRequest(request: WebResourceLike): Promise<CompatResponse>;
}

/**
 * A connector transport over Node's fetch with a deadline.
 * @param timeoutMs the longest a request may take, headers and body, in ms; a request's own
 *   shorter `timeout` wins
 * @returns the client; its promise rejects with a `TimeoutError` (DOMException) past the deadline
 */
export function connectorHttpClient(timeoutMs: number): ConnectorHttpClient {
  return {
    async sendRequest(request) {
      const deadline = request.timeout > 0 ? Math.min(request.timeout, timeoutMs) : timeoutMs;
      const signals = [AbortSignal.timeout(deadline)];
      if (request.abortSignal) signals.push(request.abortSignal as AbortSignal);
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers.rawHeaders(),
        body:
          typeof request.body === 'string' || request.body instanceof Uint8Array
            ? request.body
            : undefined,
        signal: AbortSignal.any(signals),
      });
      const bodyAsText = await res.text();
      const headers = createHttpHeaders();
      res.headers.forEach((value, name) => headers.set(name, value));
      return { request, status: res.status, headers: toHttpHeadersLike(headers), bodyAsText };
    },
  };
}
