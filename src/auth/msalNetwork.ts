import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request } from 'undici';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';

/**
 * MSAL's network module on undici, so that MSAL's calls to the identity platform (OpenID
 * metadata, token endpoint) get tenantlink's deadline and, in local mode, trust the sandbox's
 * certificate and nothing more (MSAL's `system.networkClient`,
 * https://learn.microsoft.com/entra/msal/javascript/node/configuration#system-config-options).
 * Bodies are handed to MSAL parsed as JSON, as its own HttpClient does.
 */
export class UndiciNetworkModule implements INetworkModule {
  constructor(private readonly http: CloudHttpOptions) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const dispatcher = dispatcherFor(this.http);
    const limit = Math.min(timeout ?? this.http.timeoutMs, this.http.timeoutMs);
    const res = await request(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      headersTimeout: limit,
      bodyTimeout: limit,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const text = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    let body: T;
    try {
      body = (text ? JSON.parse(text) : {}) as T;
    } catch {
      // Not JSON (an HTML error page): MSAL reads the status and finds no token.
      body = {} as T;
    }
    return { headers, body, status: res.statusCode };
  }
}
