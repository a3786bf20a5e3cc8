import { createHash } from 'node:crypto';
import { authorizeAnswer, authorizePage, openIdConfiguration } from './authorize';
import { sameEmail, type SandboxContext } from './context';
import { loginError } from './faults';
import { Router, type SandboxRequest, type SandboxResponse } from './router';
import type { SeedAccount, SeedApplication } from './seed';
import type { TenantRecord } from './state';
import type { CodeGrant } from './tokens';
import { AUDIENCES, defaultScopes, TOKEN_LIFETIME_S, apiForScope } from './tokens';

/**
 * The identity platform of the sandbox cloud, below `/login`:
 * - `POST /{tenant}/oauth2/v2.0/token`: the resource-owner password grant
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc), open only to an app
 *   registration of the seed (else AADSTS700016) that is a public client or sends a client secret
 *   (else AADSTS7000218; see {@link clientAuthentication}), and the refresh-token grant
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token),
 *   form-encoded, answering `{ token_type, scope, expires_in, ext_expires_in, access_token, refresh_token }`
 *   or the AADSTS error body;
 *   and the authorization code grant with PKCE
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token):
 *   a code is redeemed once (AADSTS54005 after), within its lifetime (AADSTS70008), with the
 *   `code_verifier` of its challenge and with none for a code issued without one (AADSTS501481),
 *   and the same `redirect_uri` and `client_id`, from a client that authenticates (a confidential
 *   client with a secret or a client assertion matching a federated identity credential);
 *   with `openid` asked, the answer adds an `id_token`, and `client_info` when `client_info=1`;
 * - the authorize endpoint and OpenID metadata of src/sandbox/authorize.ts;
 * - `GET /common/userrealm/{email}?api-version=2.1`: the realm discovery MSAL uses, `NameSpaceType`
 *   `Managed` for a verified domain of a directory, `Unknown` otherwise (e.g. outlook.com).
 */
export function loginRoutes(ctx: SandboxContext): Router {
  return new Router()
    .add('POST', '/:tenant/oauth2/v2.0/token', (req, p) => token(ctx, req, p.tenant ?? ''))
    .add('GET', '/:tenant/v2.0/.well-known/openid-configuration', (_req, p) =>
      openIdConfiguration(ctx, p.tenant ?? ''),
    )
    .add('GET', '/:tenant/oauth2/v2.0/authorize', (req, p) =>
      authorizePage(ctx, req, p.tenant ?? ''),
    )
    .add('POST', '/:tenant/oauth2/v2.0/authorize', (req, p) =>
      authorizeAnswer(ctx, req, p.tenant ?? ''),
    )
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
  let codeGrant: CodeGrant | undefined;
  if (f.grant_type === 'authorization_code') {
    // The client first (a refused credential leaves the code unused), once it is named at all.
    const refused = f.client_id ? await clientAuthentication(ctx, segment, f, true) : undefined;
    if (refused) return refused;
    const redeemed = redeemCode(ctx, f);
    if ('status' in redeemed) return redeemed;
    codeGrant = redeemed;
    account = ctx.state.account(codeGrant.accountId);
    tenant = ctx.state.tenant(codeGrant.tenantId);
    if (!account)
      return fail(400, 'invalid_grant', 'The user account does not exist in the directory.', 50034);
  } else if (f.grant_type === 'password') {
    const refused = await clientAuthentication(ctx, segment, f, true);
    if (refused) return refused;
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
    // A confidential client's refresh is checked when it names itself (MSAL always does).
    const refused = f.client_id ? await clientAuthentication(ctx, segment, f, false) : undefined;
    if (refused) return refused;
    if (ctx.tokens.isRevoked(f.refresh_token ?? ''))
      return fail(
        400,
        'invalid_grant',
        'The provided grant has expired due to it being revoked, and a fresh auth token is needed.',
        50173,
      );
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
  const openId = (f.scope ?? '').split(/\s+/).includes('openid');
  const home = ctx.state.directoriesOf(account).find((t) => t.id === account.homeTenantId);
  const homeObjectId =
    (home && ctx.state.userOfAccount(home, account.accountId)?.id) ??
    createHash('sha256').update(account.accountId).digest('hex').slice(0, 16).toUpperCase();
  return {
    status: 200,
    headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
    body: {
      ...(openId
        ? {
            id_token: await ctx.tokens.idToken(
              account,
              tenant,
              user,
              f.client_id ?? '',
              codeGrant?.nonce,
            ),
          }
        : {}),
      ...(f.client_info === '1'
        ? { client_info: ctx.tokens.clientInfo(account, homeObjectId) }
        : {}),
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

/** RFC 7523's client assertion type, the only one Entra takes (`client_assertion_type`). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Authenticates the client of a token request, as Entra does before it looks at the grant:
 * - the `client_id` must be an app registration (else 400 `unauthorized_client`, AADSTS700016
 *   "The application wasn't found in the directory/tenant");
 * - a confidential client (not `isFallbackPublicClient`) "must" authenticate on a password grant
 *   (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc) and on a code redemption
 *   ("client_secret … Required for confidential web apps", or a certificate / federated
 *   `client_assertion`,
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token),
 *   else AADSTS7000218 "The request body must contain the following parameter:
 *   'client_assertion' or 'client_secret'";
 * - a `client_secret` is refused by an app that has none (AADSTS7000215, "Invalid client secret
 *   is provided"); the sandbox checks no secret's value otherwise;
 * - a `client_assertion` must be of type {@link JWT_BEARER_ASSERTION} (else AADSTS9002313,
 *   "Request is malformed or invalid"), a token this sandbox signed (else AADSTS700027, "Client
 *   assertion failed signature validation"), within its validity period by the sandbox's clock
 *   (else AADSTS700024, "Client assertion is not within its valid time range", Entra's text, e.g.
 *   https://github.com/Azure/azure-cli/issues/28708), app-only (else AADSTS700229, "Only app-only
 *   tokens can be used as Federated Identity Credentials for Microsoft Entra issuer"), and its
 *   `iss`, `sub` and `aud` must equal, case-sensitively and without wildcard, the issuer, subject
 *   and one audience of one of the app's federated identity credentials (else AADSTS70021, "No
 *   matching federated identity record found for presented assertion", documented in "Important
 *   considerations and restrictions for federated identity credentials",
 *   https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations;
 *   matching per "Configure an application to trust a managed identity",
 *   https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
 * Codes from https://learn.microsoft.com/entra/identity-platform/reference-error-codes unless
 * cited otherwise; a failed client authentication is 401 `invalid_client` (RFC 6749 §5.2).
 * @param requireCredential whether a confidential client must send a credential on this grant
 * @returns the error answer, or undefined when the client is authenticated (or need not be)
 */
async function clientAuthentication(
  ctx: SandboxContext,
  segment: string,
  f: Record<string, string>,
  requireCredential: boolean,
): Promise<SandboxResponse | undefined> {
  const app = ctx.state.application(f.client_id ?? '');
  if (!app)
    return fail(
      400,
      'unauthorized_client',
      `Application with identifier '${f.client_id ?? ''}' was not found in the directory '${segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      700016,
    );
  if (app.isFallbackPublicClient) return undefined;
  if (f.client_secret && app.hasClientSecret === false)
    return fail(401, 'invalid_client', 'Invalid client secret provided.', 7000215);
  if (f.client_assertion) return assertionRefusal(ctx, app, f);
  if (requireCredential && !f.client_secret)
    return fail(
      401,
      'invalid_client',
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      7000218,
    );
  return undefined;
}

/** Checks a `client_assertion` against the app's federated credentials (see {@link clientAuthentication}). */
async function assertionRefusal(
  ctx: SandboxContext,
  app: SeedApplication,
  f: Record<string, string>,
): Promise<SandboxResponse | undefined> {
  if (f.client_assertion_type !== JWT_BEARER_ASSERTION)
    return fail(
      400,
      'invalid_request',
      `Invalid request. Request is malformed or invalid: client_assertion_type must be '${JWT_BEARER_ASSERTION}'.`,
      9002313,
    );
  const now = ctx.now();
  const verified = await ctx.tokens.verifyAssertion(f.client_assertion ?? '', now);
  if ('refused' in verified)
    return verified.refused === 'timeRange'
      ? fail(
          401,
          'invalid_client',
          `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}.`,
          700024,
        )
      : fail(401, 'invalid_client', 'Client assertion failed signature validation.', 700027);
  const { claims } = verified;
  if (!claims.appOnly)
    return fail(
      401,
      'invalid_client',
      'Only app-only tokens can be used as Federated Identity Credentials for Microsoft Entra issuer.',
      700229,
    );
  const match = (app.federatedIdentityCredentials ?? []).some(
    (fic) =>
      fic.issuer === claims.iss && fic.subject === claims.sub && fic.audiences.includes(claims.aud),
  );
  if (!match)
    return fail(
      401,
      'invalid_client',
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud}'.`,
      70021,
    );
  return undefined;
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

/**
 * Redeems the `code` of an authorization code grant: once, in time, for the client and redirect
 * URI it was issued to, with the PKCE verifier of its challenge (RFC 7636 §4.6), and with no
 * verifier for a code issued without a challenge: "Authorization servers MUST mitigate PKCE
 * Downgrade Attacks by ensuring that a token request containing a code_verifier parameter is
 * accepted only if a code_challenge parameter was present in the authorization request" (RFC 9700
 * §2.1.1, §4.8.2). Entra documents no code of its own for that case; the sandbox answers the one
 * it documents for a verifier that does not match the request's challenge, AADSTS501481
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes), `invalid_grant`.
 * A refused code is used up all the same.
 * @returns the code's grant, or the token endpoint's error answer
 */
function redeemCode(ctx: SandboxContext, f: Record<string, string>): CodeGrant | SandboxResponse {
  for (const name of ['code', 'redirect_uri', 'client_id'])
    if (!f[name])
      return fail(
        400,
        'invalid_request',
        `The request body must contain the following parameter: '${name}'.`,
        900144,
      );
  const redeemed = ctx.tokens.redeemCode(f.code ?? '');
  if ('refused' in redeemed) {
    if (redeemed.refused === 'redeemed')
      return fail(
        400,
        'invalid_grant',
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
        54005,
      );
    return fail(
      400,
      'invalid_grant',
      redeemed.refused === 'expired'
        ? 'The provided authorization code or refresh token has expired due to inactivity.'
        : 'The provided authorization code or refresh token is malformed or invalid.',
      redeemed.refused === 'expired' ? 70008 : 9002313,
    );
  }
  const grant = redeemed.grant;
  if (grant.clientId !== f.client_id)
    return fail(
      400,
      'invalid_grant',
      'The provided authorization code was issued to another application.',
      700016,
    );
  if (grant.redirectUri !== f.redirect_uri)
    return fail(
      400,
      'invalid_grant',
      'The redirect URI does not match the one of the authorization request.',
      50011,
    );
  const verifier = f.code_verifier;
  const verified =
    grant.codeChallenge === undefined
      ? verifier === undefined
      : !!verifier &&
        (grant.codeChallengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier) === grant.codeChallenge;
  if (!verified)
    return fail(
      400,
      'invalid_grant',
      "The Code_Verifier doesn't match the code_challenge supplied in the authorization request.",
      501481,
    );
  return grant;
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
