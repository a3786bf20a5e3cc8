import type { AccessToken, TokenCredential } from '@azure/core-auth';
import {
  ConfidentialClientApplication,
  CryptoProvider,
  InteractionRequiredAuthError,
  ServerError,
  type ICachePlugin,
} from '@azure/msal-node';
import type { Storage } from 'botbuilder';
import type { CloudHttpOptions } from '../cloud/http';
import { ERRORS, TenantlinkError } from '../errors';
import { createLogger } from '../log';
import { accountFromIdToken } from './accountClaims';
import type { AssertionIdentity } from './managedIdentityAssertion';
import { UndiciNetworkModule } from './msalNetwork';
import { CONNECTION_PERMISSIONS } from './permissions';
import { PendingSignIns, type SignInContext } from './pendingSignIns';
import { hashedKey, SealedStore, Sealer, type Sealed } from './sealedStore';
import { UNKNOWN_SIGN_IN_ERROR, sanitizedLogField, signInErrorCode } from './signInErrors';
import type { Resource, SignedInAccount, UserKey } from './signIn';

/**
 * The subscription administrator's sign-in where Azure lets them sign in: at the directory the
 * subscription trusts (found by src/azure/tenantDiscovery.ts), with an authority chosen at run
 * time. A Microsoft account gets an Azure Resource Manager token only from a tenant-specific
 * authority, never through `common` (AADSTS70011), and a Bot Framework OAuth connection has one
 * fixed tenant, so this sign-in is tenantlink's own: MSAL Node's authorization code flow with PKCE
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow,
 * https://learn.microsoft.com/entra/msal/javascript/node/) as a confidential client, redirecting to
 * tenantlink's own HTTPS endpoint (src/bot/signInCallback.ts).
 *
 * - `begin` stores a pending sign-in under the hash of a random `state` (32 bytes), bound to the
 *   Teams user, the flow and the conversation, with the PKCE verifier sealed; it lives 15 minutes.
 * - `complete` takes the redirect's query: the state is used once (an eTag-guarded mark, then a
 *   delete), the code redeemed with the verifier, and the tokens kept only in MSAL's cache,
 *   sealed (AES-256-GCM, src/auth/sealedStore.ts) per Teams user; a token for another directory
 *   than the one asked for is not kept.
 * - Tokens then come from that cache (`acquireTokenSilent` at the same tenant, MSAL refreshing
 *   them), for ARM and for Microsoft Graph of the subscription's directory; an expired or revoked
 *   refresh token ends the sign-in (`signInRequired`).
 *
 * The app authenticates with a client secret, or with no secret at all: a client assertion that is
 * a token of the bot's user-assigned managed identity, which the app registration trusts through a
 * federated identity credential (src/auth/managedIdentityAssertion.ts). "Configure an application
 * to trust a managed identity"
 * (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity)
 * supports that for tenantlink's flow with these limits, which the configuration
 * (src/config.ts) and the errors below tell the operator:
 * - the app registration "must belong to the same tenant as the managed identity" (the bot's), and
 *   the FIC names that tenant's issuer, the identity's object id and the cloud's audience exactly;
 * - "If you need to access resources in another tenant, your app registration must be a
 *   multitenant application and provisioned into the other tenant": the subscription's directory
 *   is such another tenant, so the admin's consent there (which provisions the app) stays needed,
 *   as with a secret; a Microsoft account signs in at that directory as its user (a tenant-specific
 *   authority), never through `consumers`, where no app can be provisioned;
 * - "Accessing resources in another cloud is not supported": one cloud, whose audience follows
 *   `AUTHORITY_HOST`; system-assigned identities are not supported.
 * A refusal of the app's credential (AADSTS70021 and the others of {@link APP_CREDENTIAL_CODES})
 * is the operator's to fix, not the admin's: it is TL-AUTH-SIGNIN-CREDENTIAL, logged with the
 * issuer, subject and audience the federated credential must name, and the admin is told so.
 * Nothing here logs a token, an assertion, a code, a state or a verifier.
 */

/**
 * Who a sign-in is for and where its result goes: kept with the pending sign-in
 * (src/auth/pendingSignIns.ts, where it is declared, so the two modules form no import circle).
 */
export type { SignInContext };

/** Why a completion was refused: the chat message and the log code follow from it. */
export type SignInRefusal =
  /** No pending sign-in for this state (forged, replayed, expired or from another deployment). */
  | 'unknownState'
  /** The admin declined consent or cancelled (`access_denied`, AADSTS65004). */
  | 'declined'
  /** The token is for another directory than the subscription's. */
  | 'wrongDirectory'
  /**
   * The identity platform refused tenantlink's own app credential (TL-AUTH-SIGNIN-CREDENTIAL):
   * the operator's configuration, not the admin's account.
   */
  | 'appCredential'
  /** The identity platform refused (its AADSTS code is in `detail`). */
  | 'failed';

/** The result of a redirect. */
export type SignInCompletion =
  | { readonly ok: true; readonly context: SignInContext; readonly account: SignedInAccount }
  | {
      readonly ok: false;
      readonly reason: SignInRefusal;
      readonly context?: SignInContext;
      /**
       * The identity platform's error code (e.g. `AADSTS65004`, `access_denied`; see
       * src/auth/signInErrors.ts), never its text; absent when the code is not a known one.
       */
      readonly detail?: string;
    };

/** The redirect's query parameters tenantlink reads. */
export interface RedirectQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly error_description?: string;
}

/** A source of client assertions (src/auth/managedIdentityAssertion.ts `ManagedIdentityAssertion`). */
export interface ClientAssertionSource {
  /** The assertion (a JWT; never logged). */
  get(): Promise<string>;
  /** Drops a cached assertion the identity platform refused. */
  forget(): void;
  /** What a federated identity credential must name to trust it, once one was obtained. */
  identity(): AssertionIdentity | undefined;
}

/** How the sign-in app authenticates: a client secret, or a client assertion. */
export type SignInAppCredential =
  { readonly clientSecret: string } | { readonly clientAssertion: ClientAssertionSource };

/**
 * The AADSTS codes that refuse the app's credential rather than the admin
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, and AADSTS70021 in
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations):
 * no credential (7000218), a wrong or expired secret (7000215, 7000222, 70002), an assertion with a
 * bad signature (700027), outside its validity period (700024), not app-only (700229), matching
 * no federated identity credential (70021), or issued by another tenant than the app's (700236,
 * "Entra ID tokens issued by issuer … may not be used for federated identity credential flows for
 * applications or managed identities registered in this tenant": not in the reference, Entra's
 * answer quoted on Microsoft Q&A, https://learn.microsoft.com/answers/questions/2139753; the doc's
 * rule is that the app and the managed identity "must belong to the same tenant").
 */
export const APP_CREDENTIAL_CODES: ReadonlySet<string> = new Set(
  ['7000218', '7000215', '7000222', '70002', '700027', '700024', '700229', '70021', '700236'].map(
    (n) => `AADSTS${n}`,
  ),
);

/** Configuration of the sign-in. */
export interface DirectorySignInOptions {
  /** App registration (multi-tenant, personal accounts allowed) of the sign-in. */
  readonly clientId: string;
  /** Its credential (never logged). */
  readonly credential: SignInAppCredential;
  /**
   * Where the identity platform sends the admin back: tenantlink's callback URL (a function: in
   * local mode the port is known once the server listens).
   */
  readonly redirectUri: string | (() => string);
  /** e.g. `https://login.microsoftonline.com` (the sandbox's `…/login` locally). */
  readonly authorityHost: string;
  /** Base64 of the 32-byte key that seals tokens at rest. */
  readonly cacheKey: string;
  readonly http: CloudHttpOptions;
  /** How long a started sign-in can be completed, in ms (default 15 min). */
  readonly pendingTtlMs?: number;
  readonly now?: () => number;
}

/** What is sealed per user: the directory, MSAL's account id and its serialized cache. */
interface UserTokens {
  readonly tenantId: string;
  readonly homeAccountId: string;
  readonly msal: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKENS = 'signin/azure';
/** The associated data of a sealed sign-in link: the flow's, never a storage key. */
const linkContext = (flowId: string): string => `signin/link/${flowId}`;

/** Scopes per resource: ARM `user_impersonation`; Graph's from the permission map. */
export const DIRECTORY_SCOPES: Readonly<Record<Resource, string[]>> = {
  arm: ['https://management.azure.com/user_impersonation'],
  graph: CONNECTION_PERMISSIONS.azureSourceGraph.permissions.map(
    (p) => `https://graph.microsoft.com/${p}`,
  ),
};

/**
 * The MSAL error code worth logging: `AADSTS…` from the message, else the OAuth error name, else
 * MSAL's own code (MSAL Node's `errorCode`, e.g. `no_tokens_found`), never the message's text.
 */
function aadsts(err: unknown): string {
  const e = err as { errorCode?: unknown; errorMessage?: unknown; message?: unknown };
  const code = signInErrorCode(e.errorCode, e.errorMessage ?? e.message);
  if (code !== UNKNOWN_SIGN_IN_ERROR) return code;
  return typeof e.errorCode === 'string' && /^[a-z_]{1,64}$/.test(e.errorCode)
    ? e.errorCode
    : 'unknown';
}

/**
 * Whether a silent token failure ends the user's sign-in: MSAL's InteractionRequiredAuthError
 * (`interaction_required`, `consent_required`, `login_required`, or its `bad_token` sub-error), or
 * the identity platform's `invalid_grant`, "Some of the authentication material (auth code, refresh
 * token, access token, PKCE challenge) was invalid, unparseable, missing, or otherwise unusable",
 * whose client action is a new request to `/authorize`: an expired refresh token (AADSTS70008), a
 * revoked one (AADSTS50173), one past its session's lifetime (AADSTS700082), or consent withdrawn
 * (AADSTS65001). Every other `error`, such as `temporarily_unavailable` ("The server is temporarily
 * too busy to handle the request"; client action "Retry the request"), leaves the sign-in as it is
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes, "Handling error
 * codes in your application"; RFC 6749 §5.2).
 */
export function endsSignIn(err: unknown): boolean {
  if (err instanceof InteractionRequiredAuthError) return true;
  return err instanceof ServerError && err.errorCode === 'invalid_grant';
}

/** MSAL's `auth` credential fields: `clientSecret`, or `clientAssertion` as a callback. */
function credentialConfig(
  credential: SignInAppCredential,
): { clientSecret: string } | { clientAssertion: () => Promise<string> } {
  if ('clientSecret' in credential) return { clientSecret: credential.clientSecret };
  const source = credential.clientAssertion;
  // Called by MSAL for each token request that authenticates the client.
  return { clientAssertion: () => source.get() };
}

/** The subscription admin's sign-in at a directory chosen at run time (see the module comment). */
export class DirectorySignIn {
  private readonly log = createLogger('directory-sign-in');
  private readonly sealer: Sealer;
  private readonly sealed: SealedStore;
  private readonly pending: PendingSignIns;
  private readonly network: UndiciNetworkModule;
  private readonly crypto = new CryptoProvider();
  private readonly now: () => number;
  /**
   * Access tokens per `user|resource`, with who they are for (from the ID token), in memory only,
   * until 5 minutes before they expire.
   */
  private readonly memory = new Map<string, { token: AccessToken; account: SignedInAccount }>();

  constructor(
    storage: Storage,
    private readonly options: DirectorySignInOptions,
  ) {
    this.sealer = new Sealer(options.cacheKey);
    this.sealed = new SealedStore(storage, this.sealer);
    this.pending = new PendingSignIns(
      storage,
      this.sealer,
      options.pendingTtlMs ?? 15 * 60_000,
      options.now ?? Date.now,
    );
    this.network = new UndiciNetworkModule(options.http);
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts a sign-in at `context.tenantId`.
   * @param loginHint the account to preselect (the email the admin gave), if any
   * @returns the URL to open in a browser (the identity platform's authorize endpoint)
   */
  async begin(context: SignInContext, loginHint?: string): Promise<string> {
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const state = await this.pending.create(context, verifier);
    return this.app().getAuthCodeUrl({
      authority: this.authority(context.tenantId),
      scopes: DIRECTORY_SCOPES.arm,
      extraScopesToConsent: DIRECTORY_SCOPES.graph,
      redirectUri: this.redirectUri(),
      state,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      prompt: 'select_account',
      ...(loginHint ? { loginHint } : {}),
    });
  }

  /**
   * Seals the sign-in page's URL (from {@link begin}) for keeping in a conversation's dialog
   * state: the URL carries the `state` that completes a sign-in, so whoever opens it can finish the
   * initiator's sign-in as another account. It is never stored in clear (issue 25); the card that
   * shows it is rebuilt from the sealed value (AES-256-GCM, bound to the flow).
   * @param url the authorize URL
   * @param flowId the flow the sign-in belongs to (the seal's associated data)
   */
  sealLink(url: string, flowId: string): Sealed {
    return this.sealer.seal(url, linkContext(flowId));
  }

  /**
   * Opens a URL sealed by {@link sealLink} for the same flow.
   * @returns the URL, or undefined when the value is malformed, of another flow, or sealed with
   *   another key (the key was rotated: the admin starts the sign-in again)
   */
  openLink(sealed: unknown, flowId: string): string | undefined {
    return this.sealer.open(sealed, linkContext(flowId));
  }

  /**
   * Completes a sign-in from the redirect's query. Refuses (and stores nothing for) an unknown,
   * replayed or expired state; the pending sign-in is gone after the first call with its state,
   * whatever the outcome.
   */
  async complete(query: RedirectQuery): Promise<SignInCompletion> {
    const claimed = await this.pending.claim(query.state ?? '');
    if (!claimed || 'expired' in claimed) return { ok: false, reason: 'unknownState' };
    const { context, verifier } = claimed;
    if (query.error) {
      // The query is the browser's: only a known code is repeated (src/auth/signInErrors.ts).
      const code = signInErrorCode(query.error, query.error_description);
      if (code === UNKNOWN_SIGN_IN_ERROR)
        this.log.warn(
          { code: ERRORS.signInFailed.code, error: sanitizedLogField(query.error) },
          'sign-in redirect with an unknown error',
        );
      return {
        ok: false,
        reason: query.error === 'access_denied' ? 'declined' : 'failed',
        context,
        ...(code === UNKNOWN_SIGN_IN_ERROR ? {} : { detail: code }),
      };
    }
    if (!query.code || !verifier)
      return { ok: false, reason: 'failed', context, detail: 'no code' };

    let serialized = '';
    const capture: ICachePlugin = {
      beforeCacheAccess: () => Promise.resolve(),
      afterCacheAccess: (ctx) => {
        serialized = ctx.tokenCache.serialize();
        return Promise.resolve();
      },
    };
    try {
      const result = await this.app(capture).acquireTokenByCode({
        authority: this.authority(context.tenantId),
        code: query.code,
        codeVerifier: verifier,
        redirectUri: this.redirectUri(),
        scopes: DIRECTORY_SCOPES.arm,
      });
      const account = accountFromIdToken('azure', result);
      // A directory asked for by id must be the one the token is for; `organizations` takes any.
      const expected = GUID.test(context.tenantId) ? context.tenantId.toLowerCase() : undefined;
      if ((expected && account.tenantId !== expected) || !result.account)
        return { ok: false, reason: 'wrongDirectory', context, detail: 'tid' };
      const tokens: UserTokens = {
        tenantId: account.tenantId,
        homeAccountId: result.account.homeAccountId,
        msal: serialized,
      };
      await this.sealed.set(hashedKey(TOKENS, context.userId), JSON.stringify(tokens));
      this.forget(context.userId);
      return { ok: true, context, account };
    } catch (err) {
      if (this.isAppCredentialRefusal(err))
        return { ok: false, reason: 'appCredential', context, detail: this.appCredentialCode(err) };
      if (err instanceof ServerError || err instanceof InteractionRequiredAuthError)
        return { ok: false, reason: 'failed', context, detail: aadsts(err) };
      throw new TenantlinkError('cloudUnavailable', {
        detail: `sign-in code redemption: ${aadsts(err)}`,
        cause: err,
      });
    }
  }

  /**
   * Whether an error refuses the app's own credential: the managed identity gave no assertion, or
   * the identity platform answered one of {@link APP_CREDENTIAL_CODES}. Logs it for the operator
   * (with what the federated credential must name) and drops the refused assertion.
   */
  private isAppCredentialRefusal(err: unknown): boolean {
    const code = this.appCredentialCode(err);
    if (!code) return false;
    const source =
      'clientAssertion' in this.options.credential
        ? this.options.credential.clientAssertion
        : undefined;
    // What the app registration's federated identity credential must name, exactly.
    const federatedCredential = source?.identity();
    source?.forget();
    this.log.error(
      {
        code: ERRORS.signInCredential.code,
        aadsts: code,
        credential: source ? 'managedIdentity' : 'secret',
        ...(federatedCredential ? { federatedCredential } : {}),
      },
      "the identity platform refused the sign-in app's own credential: fix the app registration's credential (see README, Troubleshooting)",
    );
    return true;
  }

  /** The code of an app credential refusal (see {@link isAppCredentialRefusal}), else undefined. */
  private appCredentialCode(err: unknown): string | undefined {
    if (err instanceof TenantlinkError && err.def === ERRORS.signInCredential)
      return ERRORS.signInCredential.code;
    if (!(err instanceof ServerError)) return undefined;
    const code = aadsts(err);
    return APP_CREDENTIAL_CODES.has(code) ? code : undefined;
  }

  /**
   * A credential for `resource` of the user's sign-in (ARM, or Graph of the subscription's directory).
   * @throws TenantlinkError signInRequired (from getToken) when not signed in or the sign-in
   *   expired or was revoked; cloudUnavailable when the identity platform cannot be reached
   */
  credential(user: UserKey, resource: Resource): TokenCredential {
    return { getToken: () => this.token(user, resource) };
  }

  /** The account the user is signed in with, or undefined. */
  async account(user: UserKey): Promise<SignedInAccount | undefined> {
    try {
      return (await this.silent(user, 'arm')).account;
    } catch (err) {
      if (err instanceof TenantlinkError && err.def.code === 'TL-AUTH-SIGNIN-REQUIRED')
        return undefined;
      throw err;
    }
  }

  /** Forgets the user's sign-in: the sealed cache and the tokens in memory. */
  async signOut(user: UserKey): Promise<void> {
    this.forget(user);
    await this.sealed.delete(hashedKey(TOKENS, user));
  }

  private forget(user: UserKey): void {
    for (const resource of ['arm', 'graph'] as const) this.memory.delete(`${user}|${resource}`);
  }

  private async token(user: UserKey, resource: Resource): Promise<AccessToken> {
    return (await this.silent(user, resource)).token;
  }

  /**
   * A token for `resource` from the user's sealed cache (MSAL refreshing it when needed), and who
   * it is for, read from the ID token MSAL keeps with it (an access token is opaque to a client,
   * https://learn.microsoft.com/entra/identity-platform/access-tokens).
   * @throws TenantlinkError signInRequired when there is no sign-in, or the identity platform
   *   ended it (`invalid_grant`, interaction required: the sealed cache is deleted);
   *   signInCredential when it refused the app's credential; cloudUnavailable for any other
   *   failure, such as `temporarily_unavailable` (the sealed cache is kept)
   */
  private async silent(
    user: UserKey,
    resource: Resource,
  ): Promise<{ token: AccessToken; account: SignedInAccount }> {
    const cached = this.memory.get(`${user}|${resource}`);
    if (cached && cached.token.expiresOnTimestamp - this.now() > 5 * 60_000) return cached;
    const key = hashedKey(TOKENS, user);
    const plain = await this.sealed.get(key);
    if (!plain) throw new TenantlinkError('signInRequired', { detail: 'azure sign-in required' });
    const tokens = JSON.parse(plain) as UserTokens;
    // MSAL reads the user's cache before a silent call and hands it back when it refreshed.
    const plugin: ICachePlugin = {
      beforeCacheAccess: (ctx) => {
        ctx.tokenCache.deserialize(tokens.msal);
        return Promise.resolve();
      },
      afterCacheAccess: async (ctx) => {
        if (!ctx.cacheHasChanged) return;
        const next: UserTokens = { ...tokens, msal: ctx.tokenCache.serialize() };
        await this.sealed.set(key, JSON.stringify(next));
      },
    };
    const app = this.app(plugin);
    const account = await app.getTokenCache().getAccountByHomeId(tokens.homeAccountId);
    if (!account)
      throw new TenantlinkError('signInRequired', { detail: 'azure account not cached' });
    try {
      const result = await app.acquireTokenSilent({
        account,
        authority: this.authority(tokens.tenantId),
        scopes: DIRECTORY_SCOPES[resource],
      });
      const token: AccessToken = {
        token: result.accessToken,
        expiresOnTimestamp: result.expiresOn?.getTime() ?? this.now() + 5 * 60_000,
      };
      const entry = { token, account: accountFromIdToken('azure', result) };
      this.memory.set(`${user}|${resource}`, entry);
      return entry;
    } catch (err) {
      // The app's credential, not the user's sign-in: keep the sign-in, tell the operator.
      if (this.isAppCredentialRefusal(err)) {
        const code = this.appCredentialCode(err) ?? ERRORS.signInCredential.code;
        throw new TenantlinkError('signInCredential', {
          detail: `azure token: ${code}`,
          params: { code },
        });
      }
      if (endsSignIn(err)) {
        // Expired, revoked (AADSTS70008, 50173, 700082) or no longer consented: sign in again.
        this.log.warn(
          { code: 'TL-AUTH-SIGNIN-REQUIRED', aadsts: aadsts(err) },
          'azure sign-in ended',
        );
        await this.signOut(user);
        throw new TenantlinkError('signInRequired', {
          detail: `azure sign-in ended (${aadsts(err)})`,
        });
      }
      // Anything else (temporarily_unavailable, a 5xx, no answer) is the cloud's, not the
      // sign-in's: the sealed cache stays, and a later call refreshes with the same refresh token.
      this.log.warn(
        { code: ERRORS.cloudUnavailable.code, aadsts: aadsts(err) },
        'azure token refresh failed; the sign-in is kept',
      );
      throw new TenantlinkError('cloudUnavailable', {
        detail: `azure token: ${aadsts(err)}`,
        cause: err,
      });
    }
  }

  private redirectUri(): string {
    const uri = this.options.redirectUri;
    return typeof uri === 'string' ? uri : uri();
  }

  private authority(tenantId: string): string {
    return `${this.options.authorityHost}/${encodeURIComponent(tenantId)}`;
  }

  /** An MSAL confidential client (one per operation: the cache plugin is the user's). */
  private app(cachePlugin?: ICachePlugin): ConfidentialClientApplication {
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.options.clientId,
        ...credentialConfig(this.options.credential),
        authority: this.authority('organizations'),
        // The configured host is trusted as it is (also the sandbox's, or a sovereign cloud's).
        knownAuthorities: [new URL(this.options.authorityHost).host],
      },
      system: { networkClient: this.network },
      ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    });
  }
}
