import { decodeJwt } from 'jose';
import type { SignInKind, SignedInAccount } from './signIn';

/**
 * Who signed in, read from an access token's claims: `tid`, `oid`, `upn` (work accounts) or
 * `email` (Microsoft accounts, guests), `name` and `idp`
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * The token is decoded, not verified: it came from the token service over TLS and is verified by
 * the API it is for. The returned object holds no token.
 * @param fallback sign-in name and display name to use when the token lacks them (sandbox card)
 * @throws Error (from jose) when `accessToken` is not a JWT
 */
export function accountFromToken(
  kind: SignInKind,
  accessToken: string,
  fallback?: { signInName: string; displayName: string },
): SignedInAccount {
  const claims = decodeJwt(accessToken);
  return {
    kind,
    email: String(
      claims.upn ?? claims.email ?? claims.preferred_username ?? fallback?.signInName ?? '',
    ),
    displayName: String(claims.name ?? fallback?.displayName ?? ''),
    tenantId: String(claims.tid),
    objectId: String(claims.oid),
    identityProvider: typeof claims.idp === 'string' ? claims.idp : undefined,
  };
}

/** What of MSAL's `AuthenticationResult` (or its `AccountInfo`) names who signed in. */
export interface IdTokenAccount {
  /** The ID token's claims, as MSAL validated and parsed them. */
  readonly idTokenClaims?: object;
  /** MSAL's account: `tenantId`, `localAccountId` (oid), `username`, `name`, and its claims. */
  readonly account?: {
    readonly tenantId: string;
    readonly localAccountId: string;
    readonly username: string;
    readonly name?: string;
    readonly idTokenClaims?: object;
  } | null;
}

/**
 * Who signed in, read from the ID token MSAL returned with a token (never from the access token:
 * "access tokens must be treated as opaque strings", and "Tokens that a Microsoft API receives
 * might not always be a JWT that can be decoded",
 * https://learn.microsoft.com/entra/identity-platform/access-tokens). Claims per
 * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference: `tid`, `oid`,
 * `upn` or `email` or `preferred_username`, `name`, `idp`; MSAL's `account` fills what the
 * claims lack. The returned object holds no token.
 * @throws Error when neither the claims nor the account give the tenant and object ids
 */
export function accountFromIdToken(kind: SignInKind, result: IdTokenAccount): SignedInAccount {
  // MSAL types the claims as `object`; each one read is checked to be a string below.
  const claims = (result.idTokenClaims ?? result.account?.idTokenClaims ?? {}) as Record<
    string,
    unknown
  >;
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined;
  const tenantId = text(claims.tid) ?? text(result.account?.tenantId);
  const objectId = text(claims.oid) ?? text(result.account?.localAccountId);
  if (!tenantId || !objectId) throw new Error('the sign-in returned no ID token claims');
  return {
    kind,
    email:
      text(claims.upn) ??
      text(claims.email) ??
      text(claims.preferred_username) ??
      result.account?.username ??
      '',
    displayName: text(claims.name) ?? result.account?.name ?? '',
    tenantId,
    objectId,
    identityProvider: text(claims.idp),
  };
}
