import { request } from 'undici';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { TenantlinkError } from '../errors';

/**
 * The user-realm lookup of the Microsoft identity platform: tells whether an email's domain is a
 * work-account realm (`Managed`/`Federated`) or not (`Unknown`, e.g. a Microsoft account domain).
 * `GET {authorityHost}/common/userrealm/{email}?api-version=2.1` (used by MSAL for realm discovery).
 * Needed by rule R5.
 */
export class UserRealmClient {
  constructor(
    private readonly authorityHost: string,
    private readonly http: CloudHttpOptions,
  ) {}

  /**
   * @param email the address to look up
   * @returns the namespace type
   * @throws TenantlinkError cloudUnavailable/cloudTimeout on network failure or 5xx
   */
  async namespaceType(email: string): Promise<'Managed' | 'Federated' | 'Unknown'> {
    const dispatcher = dispatcherFor(this.http);
    const url = `${this.authorityHost}/common/userrealm/${encodeURIComponent(email)}?api-version=2.1`;
    try {
      const res = await request(url, {
        headersTimeout: this.http.timeoutMs,
        bodyTimeout: this.http.timeoutMs,
        ...(dispatcher ? { dispatcher } : {}),
      });
      const body = (await res.body.json()) as { NameSpaceType?: string };
      if (res.statusCode >= 400) throw new Error(`status ${res.statusCode}`);
      return body.NameSpaceType === 'Managed' || body.NameSpaceType === 'Federated'
        ? body.NameSpaceType
        : 'Unknown';
    } catch (err) {
      throw new TenantlinkError('cloudUnavailable', {
        detail: `userrealm lookup: ${(err as Error).message}`,
        cause: err,
      });
    }
  }
}
