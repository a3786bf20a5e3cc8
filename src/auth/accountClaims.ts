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
