/**
 * What tenantlink repeats of an identity platform error: a code, never the text that came with it.
 * A redirect's `error` and `error_description` are whatever the browser's URL says (anyone can
 * send the admin a link to tenantlink's callback with a crafted query), so they reach the page,
 * the chat and the log only as one of the codes below (issue 25): an `AADSTS` number (Microsoft
 * Entra's error codes, https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
 * or one of the error names OAuth 2.0 and OpenID Connect define for an authorization response
 * (RFC 6749 §4.1.2.1, OpenID Connect Core 1.0 §3.1.2.6) or a token response (RFC 6749 §5.2).
 * Anything else is {@link UNKNOWN_SIGN_IN_ERROR}.
 */

/** The code of an error that is none of the known ones (no part of it is repeated). */
export const UNKNOWN_SIGN_IN_ERROR = 'unknown_error';

/**
 * The error names of RFC 6749 §4.1.2.1 (authorization response), §5.2 (token response) and
 * OpenID Connect Core 1.0 §3.1.2.6 (authentication error response).
 */
const OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

/**
 * An `AADSTS` code: Entra's codes have 5 to 7 digits (AADSTS50011, AADSTS700016); the bound keeps
 * a crafted number from becoming a long string of digits.
 */
const AADSTS = /\bAADSTS(\d{5,7})\b/;

/**
 * The code to repeat of an identity platform error.
 * @param error the `error` name (a redirect's query, MSAL's `errorCode`), untrusted
 * @param description the `error_description` or MSAL's message, where Entra puts `AADSTS…: text`
 * @returns `AADSTS` + digits when the description (or the name) carries one, else the name when
 *   it is a standard OAuth 2.0 / OpenID Connect error, else {@link UNKNOWN_SIGN_IN_ERROR}
 */
export function signInErrorCode(error: unknown, description?: unknown): string {
  const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 4096) : '');
  const number = AADSTS.exec(text(description))?.[1] ?? AADSTS.exec(text(error))?.[1];
  if (number) return `AADSTS${number}`;
  const name = text(error);
  return OAUTH_ERRORS.has(name) ? name : UNKNOWN_SIGN_IN_ERROR;
}

/**
 * A log field for an untrusted value kept for diagnosis: at most `max` characters (default 64) of
 * letters, digits and `_.-`, anything else replaced by `?`, and the original length when cut.
 */
export function sanitizedLogField(value: unknown, max = 64): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const clean = value.slice(0, max).replace(/[^\w.-]/g, '?');
  return value.length > max ? `${clean}…(${value.length})` : clean;
}
