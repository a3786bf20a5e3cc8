import {
  toHttpHeadersLike,
  type CompatResponse,
  type WebResourceLike,
} from '@azure/core-http-compat';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { fetch as undiciFetch } from 'undici';
import { dispatcherFor } from '../cloud/http';

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
 * @param caCertificatePem a certificate to trust for these requests only (the sandbox's token
 *   service, in `npm run doctor`'s local mode); the system's CAs alone when undefined
 * @returns the client; its promise rejects with a `TimeoutError` (DOMException) past the deadline
 */
export function connectorHttpClient(
  timeoutMs: number,
  caCertificatePem?: string,
): ConnectorHttpClient {
  const dispatcher = dispatcherFor({ caCertificatePem });
  // undici's own fetch takes its dispatcher; Node's global fetch is used otherwise.
  const send = (dispatcher ? undiciFetch : fetch) as typeof fetch;
  return {
    async sendRequest(request) {
      const deadline = request.timeout > 0 ? Math.min(request.timeout, timeoutMs) : timeoutMs;
      const signals = [AbortSignal.timeout(deadline)];
      if (request.abortSignal) signals.push(request.abortSignal as AbortSignal);
      const res = await send(request.url, {
        ...(dispatcher ? ({ dispatcher } as object) : {}),
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
