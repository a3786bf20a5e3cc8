import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { request } from 'undici';
import { dispatcherFor, type CloudHttpOptions } from '../cloud/http';
import { TenantlinkError } from '../errors';
import { accountFromToken } from './accountClaims';
import { connectionNameFor, connectionScopes } from './permissions';
import {
  type Resource,
  type SignInKind,
  type SignedInAccount,
  type TokenSource,
  type UserKey,
} from './signIn';

/**
 * The SignIn port on the sandbox cloud. Signing in is the sandbox card's choice of an account:
 * an OAuth 2.0 password grant at the sandbox's token endpoint
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc), whose refresh token is handed
 * at once to the sandbox's token service (the stand-in for the Bot Framework token service) and
 * forgotten. Access tokens then come from the token service whenever a client needs one, as
 * GetUserToken does in production, so a bot restart loses no sign-in and the bot stores no token.
 * Access tokens are cached in memory for their lifetime only; never logged or written to storage.
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

interface CachedToken {
  token: AccessToken;
  account: SignedInAccount;
}

/** Client of the sandbox's token endpoint and account list. */
export class SandboxTokenService implements TokenSource {
  /** Access tokens per `user|kind|resource`, kept until 5 minutes before they expire. */
  private readonly cache = new Map<string, CachedToken>();

  private readonly authorityHost: string;
  private readonly controlUrl: string;
  private readonly controlSecret: string;
  private readonly cardClientId: string;

  /**
   * @param sandbox the sandbox's authority host (`…/login`), root URL (for `/_sandbox/accounts`
   *   and its token service) and the secret of its control API
   * @param http TLS trust and timeout
   * @param cardClientId the sign-in card's app registration in the sandbox (a public client; the
   *   composition root passes the sandbox seed's id, so no client imports the sandbox)
   */
  constructor(
    sandbox: { authorityHost: string; url: string; controlSecret: string },
    private readonly http: CloudHttpOptions,
    cardClientId: string,
  ) {
    this.authorityHost = sandbox.authorityHost;
    this.controlUrl = sandbox.url;
    this.controlSecret = sandbox.controlSecret;
    this.cardClientId = cardClientId;
  }

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
      // The connection's own scopes, as a Bot Service OAuth connection asks for them.
      scope: connectionScopes(connectionNameFor(kind, resource)),
      // The card's app registration in the sandbox: a public client, which may use this grant.
      client_id: this.cardClientId,
    });
    if (!token.refresh_token)
      throw new TenantlinkError('signInFailed', { detail: 'no refresh token' });
    await this.json('POST', `${this.controlUrl}/_sandbox/tokenservice/signin`, {
      userId: user,
      connection: kind,
      refreshToken: token.refresh_token,
    });
    const account = accountFromToken(kind, token.access_token, choice.account);
    this.cache.set(`${user}|${kind}|${resource}`, {
      account,
      token: {
        token: token.access_token,
        expiresOnTimestamp: Date.now() + token.expires_in * 1000,
      },
    });
    return account;
  }

  /**
   * The local stand-in for a person in a browser on the sign-in page: opens `authorizeUrl` (which
   * must be this sandbox's) and answers its form as the account of a card choice.
   * @param choice the card's choice value (`accountId|tenantId`; the account is what counts)
   * @returns the redirect's query parameters, or the AADSTS code the page showed instead (e.g.
   *   `AADSTS50020` for an account that is not a user of the directory)
   * @throws TenantlinkError cardInvalid for a URL that is not this sandbox's authorize endpoint
   */
  async answerSignInPage(
    authorizeUrl: string,
    choice: string,
  ): Promise<{ query: Record<string, string> } | { pageError: string }> {
    const url = new URL(authorizeUrl);
    if (!authorizeUrl.startsWith(`${this.authorityHost}/`) || !url.pathname.endsWith('/authorize'))
      throw new TenantlinkError('cardInvalid', { detail: 'not the sandbox authorize endpoint' });
    const form = new URLSearchParams(url.searchParams);
    form.set('decision', 'accept');
    form.set('account', choice.split('|')[0] ?? '');
    const dispatcher = dispatcherFor(this.http);
    const res = await request(`${url.origin}${url.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      headersTimeout: this.http.timeoutMs,
      bodyTimeout: this.http.timeoutMs,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const page = await res.body.text();
    const location = res.headers.location;
    if (res.statusCode === 302 && typeof location === 'string')
      return { query: Object.fromEntries(new URL(location).searchParams) };
    return { pageError: /AADSTS\d+/.exec(page)?.[0] ?? `HTTP ${res.statusCode}` };
  }

  async account(user: UserKey, kind: SignInKind): Promise<SignedInAccount | undefined> {
    const resource: Resource = kind === 'office365' ? 'graph' : 'arm';
    return (await this.userToken(user, kind, resource))?.account;
  }

  credential(user: UserKey, kind: SignInKind, resource: Resource): TokenCredential {
    return {
      getToken: async (): Promise<AccessToken> => {
        const cached = await this.userToken(user, kind, resource);
        if (!cached)
          throw new TenantlinkError('signInRequired', { detail: `${kind} sign-in required` });
        return cached.token;
      },
    };
  }

  /** The user's token for a resource from the cache or the token service; undefined when signed out. */
  private async userToken(
    user: UserKey,
    kind: SignInKind,
    resource: Resource,
  ): Promise<CachedToken | undefined> {
    const key = `${user}|${kind}|${resource}`;
    const cached = this.cache.get(key);
    if (cached && cached.token.expiresOnTimestamp - Date.now() > 5 * 60_000) return cached;
    const query = new URLSearchParams({ userId: user, connection: kind, resource });
    const res = await this.json<{ token: string; expiration: string } | undefined>(
      'GET',
      `${this.controlUrl}/_sandbox/tokenservice/token?${query.toString()}`,
      undefined,
      true,
    );
    if (!res) {
      this.cache.delete(key);
      return undefined;
    }
    const fresh: CachedToken = {
      account: accountFromToken(kind, res.token),
      token: { token: res.token, expiresOnTimestamp: Date.parse(res.expiration) },
    };
    this.cache.set(key, fresh);
    return fresh;
  }

  async signOut(user: UserKey, kind?: SignInKind): Promise<void> {
    for (const k of kind ? [kind] : (['office365', 'azure'] as const)) {
      for (const resource of ['graph', 'arm'] as const)
        this.cache.delete(`${user}|${k}|${resource}`);
      const query = new URLSearchParams({ userId: user, connection: k });
      await this.json(
        'DELETE',
        `${this.controlUrl}/_sandbox/tokenservice/signin?${query.toString()}`,
      );
    }
  }

  private async tokenRequest(tenant: string, form: Record<string, string>): Promise<TokenResponse> {
    return this.json<TokenResponse>(
      'POST',
      `${this.authorityHost}/${tenant}/oauth2/v2.0/token`,
      new URLSearchParams(form).toString(),
    );
  }

  /**
   * One call to the sandbox: a form body (string) or JSON; with `allowNotFound`, 404 gives undefined.
   * @throws TenantlinkError cloudUnavailable on network failure, signInFailed on any other error status
   */
  private async json<T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: string | Record<string, unknown>,
    allowNotFound = false,
  ): Promise<T> {
    const dispatcher = dispatcherFor(this.http);
    const isForm = typeof body === 'string';
    const control = url.startsWith(`${this.controlUrl}/_sandbox/`);
    let res;
    try {
      res = await request(url, {
        method,
        body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
        headers: {
          ...(control ? { authorization: `Bearer ${this.controlSecret}` } : {}),
          ...(body === undefined
            ? {}
            : {
                'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json',
              }),
        },
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
    const text = await res.body.text();
    const parsed = (text ? JSON.parse(text) : undefined) as
      (T & { error?: string | { code?: string }; error_codes?: number[] }) | undefined;
    if (allowNotFound && res.statusCode === 404) return undefined as T;
    if (res.statusCode >= 400) {
      const error = parsed?.error;
      const code = typeof error === 'string' ? error : (error?.code ?? '');
      throw new TenantlinkError('signInFailed', {
        detail: `${new URL(url).pathname} → ${res.statusCode} ${code} ${parsed?.error_codes?.join(',') ?? ''}`,
      });
    }
    return parsed as T;
  }
}
