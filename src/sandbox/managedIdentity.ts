import { createHash, timingSafeEqual } from 'node:crypto';
import type { SandboxContext } from './context';
import { Router, type SandboxRequest, type SandboxResponse } from './router';

/**
 * The sandbox's managed identity endpoint: the local token endpoint Azure App Service gives an app
 * with a managed identity ("Managed identities for App Service and Azure Functions", REST endpoint
 * reference, https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference),
 * below `/msi`. An app finds it in two environment variables, `IDENTITY_ENDPOINT` (this URL,
 * `{sandbox}/msi/token`) and `IDENTITY_HEADER` ("used to help mitigate server-side request
 * forgery (SSRF) attacks"; see {@link identityHeaderFor}), which is what MSAL Node's App Service
 * source reads (node_modules/@azure/msal-node …/ManagedIdentitySources/AppService.mjs):
 *
 * `GET /msi/token?resource={resource}&api-version=2019-08-01&client_id={client id}` with the header
 * `X-IDENTITY-HEADER: {IDENTITY_HEADER}` answers
 * `{ access_token, expires_on, resource, token_type: "Bearer", client_id }` (`expires_on` in epoch
 * seconds, as a string), the token signed by the sandbox for the seeded user-assigned identity
 * (src/sandbox/tokens.ts `managedIdentityToken`). The reference documents the request and the
 * success only; the sandbox answers a request it cannot serve with an OAuth-style
 * `{ error, error_description }` (what MSAL reads of a failed managed identity response):
 * 401 without the right header, 400 for another api-version, no resource, or an identity id other
 * than a seeded user-assigned identity's `client_id` (there is no system-assigned identity here).
 */
export function managedIdentityRoutes(ctx: SandboxContext): Router {
  return new Router().add('GET', '/token', (req) => token(ctx, req));
}

/**
 * The `IDENTITY_HEADER` of a sandbox: derived from its control secret (SHA-256, hex), so that a
 * bot that knows the secret of a sandbox running elsewhere (`SANDBOX_SECRET`) knows it too, and
 * nobody else does.
 */
export function identityHeaderFor(controlSecret: string): string {
  return createHash('sha256').update(`identity-header:${controlSecret}`).digest('hex');
}

const refuse = (status: number, error: string, description: string): SandboxResponse => ({
  status,
  body: { error, error_description: description },
});

async function token(ctx: SandboxContext, req: SandboxRequest): Promise<SandboxResponse> {
  const given = req.headers['x-identity-header'] ?? '';
  const digest = (v: string): Buffer => createHash('sha256').update(v).digest();
  if (!timingSafeEqual(digest(given), digest(ctx.identityHeader)))
    return refuse(401, 'unauthorized_client', 'The X-IDENTITY-HEADER header is missing or wrong.');
  const q = req.url.searchParams;
  if (q.get('api-version') !== '2019-08-01')
    return refuse(400, 'invalid_request', "The api-version must be '2019-08-01'.");
  const resource = q.get('resource') ?? '';
  if (!resource) return refuse(400, 'invalid_request', "The 'resource' parameter is required.");
  if (q.has('principal_id') || q.has('object_id') || q.has('mi_res_id'))
    return refuse(400, 'invalid_request', 'The sandbox knows its identities by client_id only.');
  const identity = ctx.state.managedIdentity(q.get('client_id') ?? '');
  if (!identity)
    return refuse(
      400,
      'invalid_request',
      'No user-assigned managed identity with that client_id is assigned to this app.',
    );
  const issued = await ctx.tokens.managedIdentityToken(identity, resource, ctx.now());
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      access_token: issued.token,
      expires_on: String(issued.expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: identity.clientId,
    },
  };
}
