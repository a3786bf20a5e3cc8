import { escapeHtml, type SandboxContext } from './context';
import type { SandboxRequest, SandboxResponse } from './router';
import type { SeedAccount } from './seed';
import type { TenantRecord } from './state';
import { apiForScope } from './tokens';

/**
 * The interactive half of the sandbox's identity platform, as the Microsoft identity platform
 * documents it for the authorization code flow with PKCE
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow):
 * - `GET /{tenant}/v2.0/.well-known/openid-configuration`: the OpenID Connect metadata MSAL reads
 *   before it builds an authorize URL or redeems a code
 *   (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri);
 * - `GET /{tenant}/oauth2/v2.0/authorize`: validates the request and answers the sign-in page, a
 *   form listing the sandbox accounts that can sign in at that authority (the stand-in for Entra's
 *   account picker; the sandbox's passwords are fake and sandbox-only);
 * - `POST /{tenant}/oauth2/v2.0/authorize`: the page's answer. It redirects (302) to the app's
 *   `redirect_uri` with `code` and `state`, or with `error`, `error_description` and `state`
 *   (`access_denied` / AADSTS65004 when the user declines). Errors about the request itself, or an
 *   account that is not a user of the directory (AADSTS50020), are shown on the page (400) and never
 *   redirected, as Entra does for a request it cannot trust.
 *
 * Both halves first check the client: a `client_id` that is no app registration of the seed is
 * AADSTS700016, and a `redirect_uri` that is not one registered for that client (see
 * {@link isRegisteredRedirectUri}) is AADSTS50011 ("InvalidReplyTo - The reply address is
 * missing, misconfigured, or doesn't match reply addresses configured for the app",
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes), both shown on the
 * page and never redirected: for security the sign-in server sends neither the user nor a token
 * to a URI that is not added to the app registration, answering AADSTS50011 instead
 * (https://learn.microsoft.com/entra/identity-platform/reply-url).
 */

/** The authorize request's parameters this sandbox reads. */
interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain';
  readonly nonce: string | undefined;
  readonly loginHint: string | undefined;
}

const MULTI_TENANT = ['common', 'organizations', 'consumers'];

/** The OpenID Connect metadata document of `{tenant}` (the Entra v2.0 fields MSAL reads). */
export function openIdConfiguration(ctx: SandboxContext, segment: string): SandboxResponse {
  const base = `${ctx.url()}/login/${encodeURIComponent(segment)}`;
  const issuerTenant = MULTI_TENANT.includes(segment.toLowerCase()) ? '{tenantid}' : segment;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      jwks_uri: `${ctx.url()}/login/${encodeURIComponent(segment)}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ctx.url()}/login/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'oid',
      ],
      tenant_region_scope: 'WW',
      cloud_instance_name: 'microsoftonline.com',
    },
  };
}

/** A page of the sandbox's sign-in UI (never cached, no script, nothing loaded from elsewhere). */
function page(status: number, title: string, body: string): SandboxResponse {
  return {
    status,
    headers: {
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    },
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

/** An error shown on the sign-in page: `AADSTSnnnnn: description` (not redirected). */
function errorPage(code: number, description: string): SandboxResponse {
  return page(400, 'Sign in', `<p id="error">AADSTS${code}: ${escapeHtml(description)}</p>`);
}

/** Hosts whose redirect URIs match on any port ("Localhost exceptions" of reply-url). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];

/**
 * Whether a requested redirect URI is one registered for the app, as the Microsoft identity
 * platform matches them ("Redirect URI (reply URL) restrictions and limitations",
 * https://learn.microsoft.com/entra/identity-platform/reply-url): scheme, host, path (case-
 * sensitive) and query exactly, a URI without a path being the same as with `/`; but for a
 * `localhost` (or `127.0.0.1`) redirect URI "the port component … is ignored for the purposes of
 * matching" (RFC 8252 §7.3, §8.3). The IPv6 loopback `[::1]` "is not currently supported" and gets
 * no exception.
 * @param requested the request's `redirect_uri`, parsed
 * @param registered the app's registered redirect URIs
 */
export function isRegisteredRedirectUri(requested: URL, registered: readonly string[]): boolean {
  const comparable = (url: URL): string => {
    const copy = new URL(url.href);
    if (LOOPBACK_HOSTS.includes(copy.hostname)) copy.port = '';
    return copy.href;
  };
  const wanted = comparable(requested);
  return registered.some((uri) => URL.canParse(uri) && comparable(new URL(uri)) === wanted);
}

/**
 * Reads and checks an authorize request (query of the GET, fields of the POST): its parameters,
 * its client (an app registration of the sandbox, AADSTS700016) and its redirect URI (one
 * registered for that client, AADSTS50011).
 * @param segment the `{tenant}` of the path, named in the AADSTS700016 text
 * @returns the request, or the error page to answer
 */
function readRequest(
  ctx: SandboxContext,
  segment: string,
  fields: Record<string, string | undefined>,
): AuthorizeRequest | SandboxResponse {
  for (const name of ['client_id', 'response_type', 'redirect_uri', 'scope'])
    if (!fields[name])
      return errorPage(900144, `The request body must contain the following parameter: '${name}'.`);
  const app = ctx.state.application(fields.client_id ?? '');
  if (!app)
    return errorPage(
      700016,
      `Application with identifier '${fields.client_id ?? ''}' was not found in the directory '${segment}'.`,
    );
  if (!(fields.response_type ?? '').split(' ').includes('code'))
    return errorPage(
      9002313,
      "Invalid request. Request is malformed or invalid: response_type must include 'code'.",
    );
  const redirect = URL.canParse(fields.redirect_uri ?? '')
    ? new URL(fields.redirect_uri ?? '')
    : undefined;
  if (!redirect || !isRegisteredRedirectUri(redirect, app.redirectUris))
    return errorPage(
      50011,
      `The redirect URI '${fields.redirect_uri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${app.appId}'.`,
    );
  const method = fields.code_challenge_method ?? (fields.code_challenge ? 'plain' : 'S256');
  if (method !== 'S256' && method !== 'plain')
    return errorPage(9002313, 'Invalid request. code_challenge_method must be S256 or plain.');
  return {
    clientId: fields.client_id ?? '',
    redirectUri: redirect.href,
    scope: fields.scope ?? '',
    state: fields.state,
    codeChallenge: fields.code_challenge,
    codeChallengeMethod: method,
    nonce: fields.nonce,
    loginHint: fields.login_hint,
  };
}

/** The accounts that can sign in at `{tenant}`: its users' accounts, or by kind at a multi-tenant authority. */
function accountsAt(
  ctx: SandboxContext,
  segment: string,
): { account: SeedAccount; tenant: TenantRecord }[] {
  const lower = segment.toLowerCase();
  if (MULTI_TENANT.includes(lower)) {
    return ctx.state.accounts
      .filter((a) =>
        lower === 'organizations'
          ? a.kind === 'work'
          : lower === 'consumers'
            ? a.kind === 'msa'
            : true,
      )
      .flatMap((account) => {
        const home = ctx.state.directoriesOf(account)[0];
        return home ? [{ account, tenant: home }] : [];
      });
  }
  const tenant = ctx.state.tenants.find((t) => t.id === lower || t.domains.includes(lower));
  if (!tenant) return [];
  return ctx.state.accounts
    .filter((a) => ctx.state.userOfAccount(tenant, a.accountId))
    .map((account) => ({ account, tenant }));
}

/** `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in page. */
export function authorizePage(
  ctx: SandboxContext,
  req: SandboxRequest,
  segment: string,
): SandboxResponse {
  const request = readRequest(ctx, segment, Object.fromEntries(req.url.searchParams));
  if ('status' in request) return request;
  const choices = accountsAt(ctx, segment);
  if (choices.length === 0 && !MULTI_TENANT.includes(segment.toLowerCase()))
    return errorPage(90002, `Tenant '${segment}' not found.`);
  const hidden = [...req.url.searchParams]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const options = choices
    .map(
      ({ account }, i) =>
        `<label><input type="radio" name="account" value="${escapeHtml(account.accountId)}"${
          (
            request.loginHint
              ? account.signInName.toLowerCase() === request.loginHint.toLowerCase()
              : i === 0
          )
            ? ' checked'
            : ''
        }> ${escapeHtml(account.displayName)} (${escapeHtml(account.signInName)}, ${account.kind === 'msa' ? 'Microsoft account' : 'work account'})</label><br>`,
    )
    .join('');
  return page(
    200,
    'Sign in',
    `<p>Sandbox cloud: pick an account (no password is typed here).</p><form method="post">${hidden}${options}` +
      `<button type="submit" name="decision" value="accept">Sign in and accept</button> ` +
      `<button type="submit" name="decision" value="decline">Cancel</button></form>`,
  );
}

/** Appends OAuth response parameters to the redirect URI's query. */
function redirectTo(uri: string, params: Record<string, string | undefined>): SandboxResponse {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } };
}

/**
 * `POST /{tenant}/oauth2/v2.0/authorize`: the sign-in page's answer (form fields: the authorize
 * request's parameters, `decision` = `accept` or `decline`, `account` = a sandbox account id).
 */
export async function authorizeAnswer(
  ctx: SandboxContext,
  req: SandboxRequest,
  segment: string,
): Promise<SandboxResponse> {
  const fields = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<
    string,
    string
  >;
  const request = readRequest(ctx, segment, fields);
  if ('status' in request) return request;
  const state = request.state;
  if (fields.decision === 'decline')
    return redirectTo(request.redirectUri, {
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
      state,
    });
  const account = ctx.state.account(fields.account ?? '');
  if (!account) return errorPage(50034, 'The user account does not exist in the directory.');
  const api = apiForScope(request.scope);
  // A Microsoft account gets no ARM token through a multi-tenant authority (see login.ts).
  if (api === 'arm' && account.kind === 'msa' && MULTI_TENANT.includes(segment.toLowerCase()))
    return redirectTo(request.redirectUri, {
      error: 'invalid_scope',
      error_description: `AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope '${request.scope}' does not exist.`,
      state,
    });
  const at = accountsAt(ctx, segment).find((c) => c.account.accountId === account.accountId);
  if (!at)
    return errorPage(
      50020,
      `User account '${account.signInName}' from identity provider '${account.kind === 'msa' ? 'live.com' : account.homeTenantId}' does not exist in tenant '${segment}' and cannot access the application '${request.clientId}' in that tenant.`,
    );
  const code = ctx.tokens.authorizationCode({
    accountId: account.accountId,
    tenantId: at.tenant.id,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
  });
  return redirectTo(request.redirectUri, { code, state, session_state: undefined });
}
