import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { decodeJwt } from 'jose';
import { request } from 'undici';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { TenantlinkError } from '../errors';
import {
  RESOURCE_SCOPES,
  type Resource,
  type SignInKind,
  type SignedInAccount,
  type TokenSource,
  type UserKey,
} from './signIn';

/**
 * The local stand-in for the Bot Framework token service: signs a user in against the sandbox
 * cloud's token endpoint (OAuth 2.0 password grant, then refresh-token grants per resource, as
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc describes) and keeps the refresh
 * token in memory only, like the token service keeps it on its side. Tokens are never logged or
 * written to storage.
 */

/** A sandbox account as `GET /_sandbox/accounts` lists it (sandbox-only fake credentials). */
export interface SandboxAccount {
  readonly accountId: string;
  readonly signInName: string;
  readonly password: string;
  readonly kind: 'msa' | 'work';
  readonly displayName: string;
  readonly directories: readonly { tenantId: string; displayName: string; userId: string }[];
}

/** What a sign-in card offers: one account in one directory. */
export interface SandboxSignInChoice {
  /** `{accountId}|{tenantId}`: the card's choice value. */
  readonly value: string;
  readonly account: SandboxAccount;
  readonly tenantId: string;
  readonly directoryName: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

interface Session {
  account: SignedInAccount;
  refreshToken: string;
  tenantId: string;
  cache: Map<Resource, AccessToken>;
}

/** Client of the sandbox's token endpoint and account list. */
export class SandboxTokenService implements TokenSource {
  private readonly sessions = new Map<string, Session>();

  /**
   * @param authorityHost the sandbox's `…/login`
   * @param controlUrl the sandbox's root URL (for `/_sandbox/accounts`)
   * @param http TLS trust and timeout
   */
  constructor(
    private readonly authorityHost: string,
    private readonly controlUrl: string,
    private readonly http: CloudHttpOptions,
  ) {}

  /**
   * The choices of a sign-in card: for `office365` each work account in its home directory; for
   * `azure` every account in every directory it belongs to (the subscription admin may be a
   * Microsoft account in its own default directory).
   */
  async choices(kind: SignInKind): Promise<SandboxSignInChoice[]> {
    const accounts = await this.json<SandboxAccount[]>(
      'GET',
      `${this.controlUrl}/_sandbox/accounts`,
    );
    const out: SandboxSignInChoice[] = [];
    for (const account of accounts) {
      if (kind === 'office365' && account.kind !== 'work') continue;
      const dirs = kind === 'office365' ? account.directories.slice(0, 1) : account.directories;
      for (const d of dirs) {
        out.push({
          value: `${account.accountId}|${d.tenantId}`,
          account,
          tenantId: d.tenantId,
          directoryName: d.displayName,
        });
      }
    }
    return out;
  }

  /**
   * Signs a user in with one card choice.
   * @param value the card's choice value (`accountId|tenantId`), validated against the list
   * @throws TenantlinkError cardInvalid for an unknown choice, signInFailed when the endpoint refuses
   */
  async signIn(user: UserKey, kind: SignInKind, value: string): Promise<SignedInAccount> {
    const choice = (await this.choices(kind)).find((c) => c.value === value);
    if (!choice)
      throw new TenantlinkError('cardInvalid', { detail: 'unknown sandbox sign-in choice' });
    const resource: Resource = kind === 'office365' ? 'graph' : 'arm';
    const token = await this.tokenRequest(choice.tenantId, {
      grant_type: 'password',
      username: choice.account.signInName,
      password: choice.account.password,
      scope: `${RESOURCE_SCOPES[resource]} offline_access`,
      client_id: 'tenantlink-sandbox',
    });
    if (!token.refresh_token)
      throw new TenantlinkError('signInFailed', { detail: 'no refresh token' });
    const claims = decodeJwt(token.access_token);
    const account: SignedInAccount = {
      kind,
      email: String(claims.upn ?? claims.email ?? choice.account.signInName),
      displayName: String(claims.name ?? choice.account.displayName),
      tenantId: String(claims.tid),
      objectId: String(claims.oid),
      identityProvider: typeof claims.idp === 'string' ? claims.idp : undefined,
    };
    const session: Session = {
      account,
      refreshToken: token.refresh_token,
      tenantId: account.tenantId,
      cache: new Map(),
    };
    session.cache.set(resource, {
      token: token.access_token,
      expiresOnTimestamp: Date.now() + token.expires_in * 1000,
    });
    this.sessions.set(`${user}|${kind}`, session);
    return account;
  }

  async account(user: UserKey, kind: SignInKind): Promise<SignedInAccount | undefined> {
    return this.sessions.get(`${user}|${kind}`)?.account;
  }

  credential(user: UserKey, kind: SignInKind, resource: Resource): TokenCredential {
    return {
      getToken: async (): Promise<AccessToken> => {
        const session = this.sessions.get(`${user}|${kind}`);
        if (!session)
          throw new TenantlinkError('signInRequired', { detail: `${kind} sign-in required` });
        const cached = session.cache.get(resource);
        if (cached && cached.expiresOnTimestamp - Date.now() > 5 * 60_000) return cached;
        const token = await this.tokenRequest(session.tenantId, {
          grant_type: 'refresh_token',
          refresh_token: session.refreshToken,
          scope: `${RESOURCE_SCOPES[resource]} offline_access`,
          client_id: 'tenantlink-sandbox',
        });
        if (token.refresh_token) session.refreshToken = token.refresh_token;
        const fresh = {
          token: token.access_token,
          expiresOnTimestamp: Date.now() + token.expires_in * 1000,
        };
        session.cache.set(resource, fresh);
        return fresh;
      },
    };
  }

  async signOut(user: UserKey, kind?: SignInKind): Promise<void> {
    for (const k of kind ? [kind] : (['office365', 'azure'] as const))
      this.sessions.delete(`${user}|${k}`);
  }

  private async tokenRequest(tenant: string, form: Record<string, string>): Promise<TokenResponse> {
    return this.json<TokenResponse>(
      'POST',
      `${this.authorityHost}/${tenant}/oauth2/v2.0/token`,
      new URLSearchParams(form).toString(),
    );
  }

  private async json<T>(method: 'GET' | 'POST', url: string, form?: string): Promise<T> {
    const dispatcher = dispatcherFor(this.http);
    let res;
    try {
      res = await request(url, {
        method,
        body: form,
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        headersTimeout: this.http.timeoutMs,
        bodyTimeout: this.http.timeoutMs,
        ...(dispatcher ? { dispatcher } : {}),
      });
    } catch (err) {
      throw new TenantlinkError('cloudUnavailable', {
        detail: `sandbox ${method} ${new URL(url).pathname}: ${(err as Error).message}`,
        cause: err,
      });
    }
    const body = (await res.body.json()) as T & { error?: string; error_codes?: number[] };
    if (res.statusCode >= 400) {
      throw new TenantlinkError('signInFailed', {
        detail: `token endpoint → ${res.statusCode} ${body.error ?? ''} ${body.error_codes?.join(',') ?? ''}`,
      });
    }
    return body;
  }
}
