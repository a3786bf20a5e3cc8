import { sameEmail, type SandboxContext } from './context';
import { loginError } from './faults';
import { Router, type SandboxRequest, type SandboxResponse } from './router';
import type { SeedAccount } from './seed';
import type { TenantRecord } from './state';
import { AUDIENCES, defaultScopes, TOKEN_LIFETIME_S, apiForScope } from './tokens';

/**
 * The identity platform of the sandbox cloud, below `/login`:
 * - `POST /{tenant}/oauth2/v2.0/token`: the resource-owner password grant
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc) and the refresh-token grant
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token),
 *   form-encoded, answering `{ token_type, scope, expires_in, ext_expires_in, access_token, refresh_token }`
 *   or the AADSTS error body;
 * - `GET /common/userrealm/{email}?api-version=2.1`: the realm discovery MSAL uses, `NameSpaceType`
 *   `Managed` for a verified domain of a directory, `Unknown` otherwise (e.g. outlook.com).
 */
export function loginRoutes(ctx: SandboxContext): Router {
  return new Router()
    .add('POST', '/:tenant/oauth2/v2.0/token', (req, p) => token(ctx, req, p.tenant ?? ''))
    .add('GET', '/common/userrealm/:email', (_req, p) => userRealm(ctx, p.email ?? ''));
}

function form(req: SandboxRequest): Record<string, string> {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
}

const fail = (
  status: number,
  error: string,
  description: string,
  code: number,
): SandboxResponse => ({
  status,
  body: loginError(error, description, [code]),
});

/** Resolves the `{tenant}` segment: a tenant id, a verified domain, or common/organizations/consumers. */
function resolveTenant(
  ctx: SandboxContext,
  segment: string,
  account: SeedAccount,
): TenantRecord | undefined {
  const lower = segment.toLowerCase();
  if (['common', 'organizations', 'consumers'].includes(lower)) {
    return ctx.state.directoriesOf(account)[0];
  }
  return ctx.state.tenants.find((t) => t.id === lower || t.domains.includes(lower));
}

async function token(
  ctx: SandboxContext,
  req: SandboxRequest,
  segment: string,
): Promise<SandboxResponse> {
  const f = form(req);
  const api = apiForScope(f.scope ?? '');
  if (!api)
    return fail(400, 'invalid_scope', `The provided scope '${f.scope ?? ''}' is not valid.`, 70011);

  let account: SeedAccount | undefined;
  let tenant: TenantRecord | undefined;
  if (f.grant_type === 'password') {
    const named = ctx.state.accounts.filter((a) => sameEmail(a.signInName, f.username));
    if (named.length === 0)
      return fail(400, 'invalid_grant', 'User account does not exist in the directory.', 50034);
    account = named.find((a) => a.password === f.password);
    if (!account)
      return fail(
        400,
        'invalid_grant',
        'Error validating credentials due to invalid username or password.',
        50126,
      );
    tenant = resolveTenant(ctx, segment, account);
  } else if (f.grant_type === 'refresh_token') {
    const grant = ctx.tokens.redeem(f.refresh_token ?? '');
    account = grant && ctx.state.account(grant.accountId);
    if (!grant || !account)
      return fail(400, 'invalid_grant', 'The refresh token has expired or is invalid.', 70008);
    const requested = resolveTenant(ctx, segment, account);
    tenant = ['common', 'organizations'].includes(segment.toLowerCase())
      ? ctx.state.tenant(grant.tenantId)
      : requested;
  } else {
    return fail(
      400,
      'unsupported_grant_type',
      `The grant type '${f.grant_type ?? ''}' is not supported.`,
      70003,
    );
  }

  // A personal Microsoft account gets no ARM token through a multi-tenant authority: Entra ID
  // answers AADSTS70011 invalid_scope ("The scope … does not exist"), as MSAL users report for
  // https://management.azure.com/user_impersonation at /common; it must sign in at a directory
  // where it is a user (a tenant-specific authority).
  if (
    api === 'arm' &&
    account.kind === 'msa' &&
    ['common', 'consumers', 'organizations'].includes(segment.toLowerCase())
  )
    return fail(
      400,
      'invalid_scope',
      `The provided value for the input parameter 'scope' is not valid. The scope '${f.scope ?? ''}' does not exist.`,
      70011,
    );
  const user = tenant && ctx.state.userOfAccount(tenant, account.accountId);
  if (!tenant || !user) {
    return fail(
      400,
      'invalid_grant',
      `User account '${account.signInName}' from identity provider '${account.kind === 'msa' ? 'live.com' : account.homeTenantId}' does not exist in tenant '${segment}' and cannot access the application in that tenant.`,
      50020,
    );
  }
  // Explicit permissions (a Bot Service connection's scopes) or `.default`; a refresh keeps what
  // the sign-in asked for unless the request names permissions itself.
  const asked =
    requestedPermissions(f.scope ?? '') ??
    (f.grant_type === 'refresh_token'
      ? ctx.tokens.redeem(f.refresh_token ?? '')?.scopes
      : undefined);
  const granted = asked ?? defaultScopes(api);
  const unconsented = granted.filter((p) => !defaultScopes(api).includes(p));
  if (unconsented.length > 0)
    return fail(
      400,
      'invalid_grant',
      `The user or administrator has not consented to use the application with ID 'tenantlink' named 'tenantlink'. Send an interactive authorization request for this user and resource (${unconsented.join(', ')}).`,
      65001,
    );
  const accessToken = await ctx.tokens.accessToken(account, tenant, user, api, granted);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
    body: {
      token_type: 'Bearer',
      scope: granted
        .map((p) =>
          api === 'arm' ? `${AUDIENCES.arm.aud}${p}` : `https://graph.microsoft.com/${p}`,
        )
        .join(' '),
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
      access_token: accessToken,
      refresh_token: ctx.tokens.refreshToken(account.accountId, tenant.id, asked),
    },
  };
}

/** OpenID Connect scopes that name no API permission. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * The delegated permissions a scope string names (`https://graph.microsoft.com/User.Read`,
 * `User.Read`, `https://management.azure.com/user_impersonation`); undefined for `.default`, which
 * asks for everything consented (https://learn.microsoft.com/entra/identity-platform/scopes-oidc).
 */
function requestedPermissions(scope: string): string[] | undefined {
  const names = scope
    .split(/\s+/)
    .filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()))
    .map((s) => s.replace(/^https:\/\/[^/]+\//i, ''));
  if (names.length === 0 || names.some((n) => n === '.default')) return undefined;
  return [...new Set(names)];
}

function userRealm(ctx: SandboxContext, email: string): SandboxResponse {
  const domain = (email.split('@')[1] ?? '').toLowerCase();
  const tenant = ctx.state.tenants.find((t) => t.domains.includes(domain));
  return {
    status: 200,
    body: tenant
      ? {
          NameSpaceType: 'Managed',
          Login: email,
          DomainName: domain,
          FederationBrandName: tenant.displayName,
          TenantBrandingInfo: null,
          cloud_instance_name: 'microsoftonline.com',
        }
      : {
          NameSpaceType: 'Unknown',
          Login: email,
          DomainName: domain,
          cloud_instance_name: 'microsoftonline.com',
        },
  };
}
