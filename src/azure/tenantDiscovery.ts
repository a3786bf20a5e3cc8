import { request } from 'undici';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { TenantlinkError } from '../errors';
import { SUBSCRIPTIONS_API } from './azureManagement';

/**
 * Finds the directory (tenant) a subscription trusts before anyone is signed in to it: an
 * unauthenticated `GET /subscriptions/{id}` is answered 401 by Azure Resource Manager with a
 * `WWW-Authenticate: Bearer authorization_uri="https://login.windows.net/{tenantId}", …` challenge
 * (the tenant discovery Azure PowerShell and the Azure CLI rely on). A Microsoft account can get
 * an ARM token only from such a tenant-specific authority, never through `common` (AADSTS70011),
 * so the subscription admin must be signed in there.
 */

const AUTHORIZATION_URI = /authorization_uri="([^"]+)"/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant id named by ARM's challenge for a subscription.
 * @param armEndpoint e.g. `https://management.azure.com` (or the sandbox's `…/arm`)
 * @param subscriptionId a subscription GUID
 * @returns the tenant id, or undefined when ARM names none (no such subscription: 404)
 * @throws TenantlinkError cloudBadRequest for an id that is not a GUID; cloudUnavailable or
 *   cloudTimeout when ARM cannot be reached
 */
export async function discoverSubscriptionTenant(
  armEndpoint: string,
  subscriptionId: string,
  http: CloudHttpOptions,
): Promise<string | undefined> {
  if (!GUID.test(subscriptionId))
    throw new TenantlinkError('cloudBadRequest', { detail: 'subscription id is not a GUID' });
  const dispatcher = dispatcherFor(http);
  let challenge: string | undefined;
  try {
    const res = await request(
      `${armEndpoint}/subscriptions/${subscriptionId}?api-version=${SUBSCRIPTIONS_API}`,
      {
        headersTimeout: http.timeoutMs,
        bodyTimeout: http.timeoutMs,
        ...(dispatcher ? { dispatcher } : {}),
      },
    );
    await res.body.dump();
    const header = res.headers['www-authenticate'];
    challenge = res.statusCode === 401 ? (Array.isArray(header) ? header[0] : header) : undefined;
  } catch (err) {
    const name = (err as { name?: string; code?: string }).code ?? '';
    throw new TenantlinkError(/TIMEOUT/i.test(name) ? 'cloudTimeout' : 'cloudUnavailable', {
      detail: `tenant discovery: ${(err as Error).message}`,
      cause: err,
    });
  }
  const uri = challenge && AUTHORIZATION_URI.exec(challenge)?.[1];
  const tenant = uri?.replace(/\/+$/, '').split('/').at(-1);
  return tenant && GUID.test(tenant) ? tenant.toLowerCase() : undefined;
}
