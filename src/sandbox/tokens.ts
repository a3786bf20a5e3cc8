import { randomBytes } from 'node:crypto';
import {
  CompactEncrypt,
  SignJWT,
  compactDecrypt,
  generateKeyPair,
  jwtVerify,
  type KeyLike,
  type JWTPayload,
} from 'jose';
import { CONSUMER_TENANT_ID } from '../domain/roles';
import { consentedGraphPermissions } from '../auth/permissions';
import type { SeedAccount, SeedManagedIdentity } from './seed';
import type { TenantRecord, UserRecord } from './state';

/**
 * Tokens of the sandbox cloud: RS256 JWTs signed by a key pair generated at start, with the claims
 * Entra ID puts in delegated access tokens (tid, oid, upn or email, idp, name, scp, aud, iss,
 * iat/nbf/exp; https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference),
 * and opaque refresh tokens kept in memory. Only this sandbox can verify them.
 */

/** The two APIs of the sandbox and their token audiences. */
export const AUDIENCES = {
  /** Microsoft Graph's application id, the `aud` of Graph v1 tokens. */
  graph: { aud: '00000003-0000-0000-c000-000000000000' },
  /** Azure Resource Manager's `aud`. */
  arm: { aud: 'https://management.core.windows.net/' },
  /**
   * Azure Key Vault's data plane (the resource its challenge names, src/sandbox/keyVaultKeys.ts);
   * only app tokens of a managed identity are issued for it ({@link SandboxTokens.appToken}).
   */
  keyvault: { aud: 'https://vault.azure.net' },
} as const;

/**
 * The delegated permissions a token gets when `.default` is asked for: everything admin consent
 * granted the app, i.e. every permission one of tenantlink's connections asks for
 * (src/auth/permissions.ts); ARM has only `user_impersonation`.
 */
export function defaultScopes(api: Api): string[] {
  return api === 'graph' ? consentedGraphPermissions() : ['user_impersonation'];
}

/** Which API a token is for. */
export type Api = keyof typeof AUDIENCES;

/** Who a verified token speaks for. */
export interface Caller {
  readonly tenantId: string;
  readonly objectId: string;
  readonly accountId: string;
  readonly name: string;
  readonly api: Api;
  /** The delegated permissions of the token (`scp`). */
  readonly scopes: readonly string[];
}

/**
 * Maps an OAuth scope string (`https://graph.microsoft.com/.default …`) to the API it asks for. A
 * permission named without a resource (`User.Read`) is Microsoft Graph's, as the identity platform
 * reads it (https://learn.microsoft.com/entra/identity-platform/scopes-oidc).
 */
export function apiForScope(scope: string): Api | undefined {
  if (/graph\.microsoft\.com/i.test(scope)) return 'graph';
  if (/management\.(azure|core\.windows)\.(com|net)/i.test(scope)) return 'arm';
  const bare = scope
    .split(/\s+/)
    .filter(
      (s) => s && !['openid', 'profile', 'email', 'offline_access'].includes(s.toLowerCase()),
    );
  if (bare.length > 0 && bare.every((s) => /^[A-Za-z]+(\.[A-Za-z]+)+$/.test(s))) return 'graph';
  return undefined;
}

interface RefreshGrant {
  accountId: string;
  tenantId: string;
  /** The permissions asked for at sign-in (undefined: `.default`), kept for refreshes. */
  scopes?: readonly string[];
}

/** Token lifetime in seconds. */
export const TOKEN_LIFETIME_S = 3600;

/**
 * Lifetime of an authorization code, in ms: "Authorization codes are short lived. Typically, they
 * expire after about 10 minutes"
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response).
 */
export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60_000;

/** What an authorization code stands for until it is redeemed once at the token endpoint. */
export interface CodeGrant {
  readonly accountId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** The scope string of the authorize request. */
  readonly scope: string;
  /** PKCE (RFC 7636): the challenge and its method (`S256` or `plain`). */
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain';
  readonly nonce: string | undefined;
  /** Epoch ms after which the code is refused (AADSTS70008). */
  readonly expiresAt: number;
}

/** Result of redeeming a code: the grant, or why it is refused. */
export type CodeRedemption =
  { readonly grant: CodeGrant } | { readonly refused: 'unknown' | 'redeemed' | 'expired' };

/**
 * Lifetime of a managed identity token, in seconds. The REST endpoint reference documents only
 * that `expires_on` is in the answer; the sandbox gives them the lifetime of its other tokens.
 */
export const MANAGED_IDENTITY_TOKEN_LIFETIME_S = TOKEN_LIFETIME_S;

/** The claims of a client assertion the token endpoint matches against federated credentials. */
export interface AssertionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  /** Whether it is an app-only token (no `scp`, `idtyp` `app`): only those are accepted. */
  readonly appOnly: boolean;
}

/** Why a client assertion is not even looked up against the federated credentials. */
export type AssertionRefusal = 'signature' | 'timeRange';

/** Issues and verifies the sandbox's tokens. */
export class SandboxTokens {
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, CodeGrant>();
  /** Refresh tokens revoked by a sign-in session revocation (AADSTS50173, not "unknown"). */
  private readonly revokedRefreshTokens = new Set<string>();
  /** Codes already redeemed (a second use is AADSTS54005, not "unknown"). */
  private readonly redeemedCodes = new Set<string>();

  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    private readonly issuerBase: string,
    /** The key that makes user access tokens opaque (see {@link create}), when they are. */
    private readonly opaqueKey: Uint8Array | undefined,
  ) {}

  /**
   * Generates the signing key pair.
   * @param issuerBase the sandbox's authority host (`https://127.0.0.1:port/login`)
   * @param options.opaqueAccessTokens whether delegated access tokens are encrypted (a compact
   *   JWE, `dir` + A256GCM, with a key only this sandbox has), so a client cannot read them:
   *   "Tokens that a Microsoft API receives might not always be a JWT that can be decoded", and
   *   tokens for Microsoft services "may also be encrypted for consumer (Microsoft account) users"
   *   (https://learn.microsoft.com/entra/identity-platform/access-tokens,
   *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token).
   *   The sandbox's APIs still accept them.
   */
  static async create(
    issuerBase: string,
    options: { readonly opaqueAccessTokens?: boolean } = {},
  ): Promise<SandboxTokens> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return new SandboxTokens(
      privateKey,
      publicKey,
      issuerBase,
      options.opaqueAccessTokens ? new Uint8Array(randomBytes(32)) : undefined,
    );
  }

  /**
   * Signs an access token for `user` of `tenant`, signed in with `account`, for `api`.
   * `idp` is `live.com` for a Microsoft account, the home tenant's issuer for a guest from another
   * directory, and absent for a member of the tenant (as in Entra tokens).
   */
  async accessToken(
    account: SeedAccount,
    tenant: TenantRecord,
    user: UserRecord,
    api: Api,
    scopes: readonly string[] = defaultScopes(api),
  ): Promise<string> {
    const idp = identityProvider(account, tenant);
    const payload: JWTPayload & Record<string, unknown> = {
      tid: tenant.id,
      oid: user.id,
      name: user.displayName,
      scp: scopes.join(' '),
      ver: '1.0',
      sandbox_account: account.accountId,
    };
    if (account.kind === 'work' && account.homeTenantId === tenant.id)
      payload.upn = user.userPrincipalName;
    else payload.email = account.signInName;
    if (idp) payload.idp = idp;
    if (account.homeTenantId === CONSUMER_TENANT_ID)
      payload.altsecid = `1:live.com:${account.accountId}`;
    const signed = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${this.issuerBase}/${tenant.id}/v2.0`)
      .setAudience(AUDIENCES[api].aud)
      .setSubject(`${account.accountId}:${tenant.id}`)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
      .sign(this.privateKey);
    if (!this.opaqueKey) return signed;
    return new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.opaqueKey);
  }

  /**
   * Signs a token of a user-assigned managed identity for `resource`, as Microsoft Entra issues it
   * to an Azure resource's identity endpoint: an app-only v2.0 token (`idtyp` `app`, no `scp`)
   * whose `iss` is the identity's tenant authority, `sub` and `oid` its object (principal) id,
   * `aud` the resource (for `api://AzureADTokenExchange`, the value a federated identity
   * credential names: "audiences specifies the value that appears in the aud claim in the
   * managed identity token",
   * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity;
   * claims per https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
   * @param nowMs the sandbox's clock (epoch ms): `iat`, `nbf` and `exp` follow it
   */
  async managedIdentityToken(
    identity: SeedManagedIdentity,
    resource: string,
    nowMs: number,
  ): Promise<{ token: string; expiresOn: number }> {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + MANAGED_IDENTITY_TOKEN_LIFETIME_S;
    const token = await new SignJWT({
      tid: identity.tenantId,
      oid: identity.principalId,
      azp: identity.clientId,
      appid: identity.clientId,
      idtyp: 'app',
      ver: '2.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${this.issuerBase}/${identity.tenantId}/v2.0`)
      .setAudience(resource)
      .setSubject(identity.principalId)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { token, expiresOn: exp };
  }

  /**
   * Checks a client assertion issued by this sandbox (a managed identity token): its signature,
   * then its validity period against the sandbox's clock, as Entra does before it looks for a
   * matching federated identity credential.
   * @param nowMs the sandbox's clock (epoch ms)
   * @returns its claims, or why it is refused: `signature` (not ours or malformed: AADSTS700027),
   *   `timeRange` (expired or not yet valid: AADSTS700024)
   */
  async verifyAssertion(
    assertion: string,
    nowMs: number,
  ): Promise<{ claims: AssertionClaims } | { refused: AssertionRefusal }> {
    try {
      const { payload } = await jwtVerify(assertion, this.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(nowMs),
      });
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      return {
        claims: {
          iss: String(payload.iss ?? ''),
          sub: String(payload.sub ?? ''),
          aud: String(aud ?? ''),
          appOnly: payload.idtyp === 'app' && payload.scp === undefined,
        },
      };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // jose names an `exp` in the past ERR_JWT_EXPIRED and an `nbf` in the future a failed
      // `nbf` claim check.
      const timeRange =
        code === 'ERR_JWT_EXPIRED' ||
        (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' &&
          (err as { claim?: unknown }).claim === 'nbf');
      return { refused: timeRange ? 'timeRange' : 'signature' };
    }
  }

  /** A new opaque refresh token bound to an account in a directory (and the permissions asked for). */
  refreshToken(accountId: string, tenantId: string, scopes?: readonly string[]): string {
    const token = randomBytes(32).toString('base64url');
    this.refreshGrants.set(token, { accountId, tenantId, ...(scopes ? { scopes } : {}) });
    return token;
  }

  /** The grant of a refresh token, or undefined when unknown. */
  redeem(refreshToken: string): RefreshGrant | undefined {
    return this.refreshGrants.get(refreshToken);
  }

  /**
   * Revokes every refresh token of an account, as Microsoft Graph's `revokeSignInSessions` does
   * (https://learn.microsoft.com/graph/api/user-revokesigninsessions): a later refresh is refused
   * with AADSTS50173 (FreshTokenNeeded).
   * @returns how many refresh tokens were revoked
   */
  revokeAccount(accountId: string): number {
    let revoked = 0;
    for (const [token, grant] of this.refreshGrants) {
      if (grant.accountId !== accountId) continue;
      this.refreshGrants.delete(token);
      this.revokedRefreshTokens.add(token);
      revoked++;
    }
    return revoked;
  }

  /** Whether a refresh token was revoked (see {@link revokeAccount}). */
  isRevoked(refreshToken: string): boolean {
    return this.revokedRefreshTokens.has(refreshToken);
  }

  /** A new authorization code for one redemption within {@link AUTHORIZATION_CODE_LIFETIME_MS}. */
  authorizationCode(grant: Omit<CodeGrant, 'expiresAt'>, now = Date.now()): string {
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { ...grant, expiresAt: now + AUTHORIZATION_CODE_LIFETIME_MS });
    return code;
  }

  /**
   * Redeems an authorization code once: a second redemption is refused as `redeemed` (Entra's
   * AADSTS54005), an old one as `expired` (AADSTS70008), anything else as `unknown`.
   */
  redeemCode(code: string, now = Date.now()): CodeRedemption {
    if (this.redeemedCodes.has(code)) return { refused: 'redeemed' };
    const grant = this.codes.get(code);
    if (!grant) return { refused: 'unknown' };
    this.codes.delete(code);
    this.redeemedCodes.add(code);
    return grant.expiresAt < now ? { refused: 'expired' } : { grant };
  }

  /**
   * Signs an ID token (v2.0) for a sign-in of `account` as `user` in `tenant` to the app
   * `clientId`, with the claims MSAL reads to build its account: `aud`, `iss`, `tid`, `oid`, `sub`,
   * `preferred_username`, `name`, `nonce`, and `idp` as in the access token (the reference lists
   * it for ID tokens too: the identity provider when it is not the issuer, as for guests)
   * (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
   */
  async idToken(
    account: SeedAccount,
    tenant: TenantRecord,
    user: UserRecord,
    clientId: string,
    nonce: string | undefined,
  ): Promise<string> {
    const idp = identityProvider(account, tenant);
    const payload: JWTPayload & Record<string, unknown> = {
      ver: '2.0',
      tid: tenant.id,
      oid: user.id,
      name: user.displayName,
      preferred_username: account.signInName,
      ...(idp ? { idp } : {}),
      ...(nonce ? { nonce } : {}),
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${this.issuerBase}/${tenant.id}/v2.0`)
      .setAudience(clientId)
      .setSubject(`${account.accountId}:${tenant.id}:${clientId}`)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
      .sign(this.privateKey);
  }

  /**
   * The `client_info` of a token response (base64url JSON `{ uid, utid }`): the account's id in its
   * home directory (`utid` = the consumer tenant for a Microsoft account), which MSAL uses as the
   * home account id, the same in every directory the account signs in to.
   */
  clientInfo(account: SeedAccount, homeObjectId: string): string {
    return Buffer.from(
      JSON.stringify({ uid: homeObjectId, utid: account.homeTenantId }),
      'utf8',
    ).toString('base64url');
  }

  /**
   * Signs an app-only access token for a service principal (a managed identity) of `tenantId`,
   * as the managed identity endpoint returns it: `oid`/`sub` the principal's object id, `appid`
   * its client id, `idtyp` `app`, no `scp`
   * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
   */
  async appToken(
    tenantId: string,
    principal: { readonly id: string; readonly appId: string; readonly displayName: string },
    api: Api,
  ): Promise<string> {
    return new SignJWT({
      tid: tenantId,
      oid: principal.id,
      appid: principal.appId,
      idtyp: 'app',
      name: principal.displayName,
      ver: '1.0',
      sandbox_account: `principal:${principal.id}`,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${this.issuerBase}/${tenantId}/v2.0`)
      .setAudience(AUDIENCES[api].aud)
      .setSubject(principal.id)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
      .sign(this.privateKey);
  }

  /** Forgets every refresh token and authorization code (sandbox reset). */
  revokeAll(): void {
    this.refreshGrants.clear();
    this.codes.clear();
    this.redeemedCodes.clear();
  }

  /**
   * Verifies a bearer token for `api`.
   * @returns the caller, or undefined when the token is missing, expired, not ours or for another API
   */
  async verify(authorization: string | undefined, api: Api): Promise<Caller | undefined> {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return undefined;
    try {
      const jws =
        this.opaqueKey && match[1].split('.').length === 5
          ? new TextDecoder().decode((await compactDecrypt(match[1], this.opaqueKey)).plaintext)
          : match[1];
      const { payload } = await jwtVerify(jws, this.publicKey, {
        audience: AUDIENCES[api].aud,
        algorithms: ['RS256'],
      });
      if (typeof payload.iss !== 'string' || !payload.iss.startsWith(this.issuerBase))
        return undefined;
      return {
        tenantId: String(payload.tid),
        objectId: String(payload.oid),
        accountId: String(payload.sandbox_account),
        name: String(payload.name ?? ''),
        api,
        scopes: typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [],
      };
    } catch {
      // Any verification failure (signature, expiry, audience) is "no valid token": the caller
      // answers 401 with the API's own error body.
      return undefined;
    }
  }
}

/**
 * The `idp` claim of a user's tokens: `live.com` for a Microsoft account, the home tenant's issuer
 * for a guest from another directory, absent for a member of the tenant (as in Entra tokens,
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference,
 * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
 */
function identityProvider(account: SeedAccount, tenant: TenantRecord): string | undefined {
  if (account.kind === 'msa') return 'live.com';
  return account.homeTenantId !== tenant.id
    ? `https://sts.windows.net/${account.homeTenantId}/`
    : undefined;
}
