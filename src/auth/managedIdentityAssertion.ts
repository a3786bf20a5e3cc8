import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { TenantlinkError } from '../errors';

/**
 * The client assertion of the subscription admin's sign-in app when it has no secret: a token of
 * the user-assigned managed identity the app registration trusts through a federated identity
 * credential, for the token exchange audience, handed to MSAL Node as `clientAssertion` ("a
 * callback … that returns a client assertion", MSAL Node's client credentials,
 * https://learn.microsoft.com/entra/msal/javascript/node/configuration#auth-config-options and
 * https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-node/docs/initialize-confidential-client-application.md).
 * As "Configure an application to trust a managed identity"
 * (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity)
 * shows it: `ManagedIdentityCredential` with the identity's client id, scope
 * `{audience}/.default`, the token as the assertion. What that document rules out is in
 * src/config.ts (`managedIdentityProblems`) and the module comment of src/auth/directorySignIn.ts.
 *
 * The token is kept in memory until {@link REFRESH_BEFORE_MS} before it expires (Entra refuses an
 * assertion past its `exp`, AADSTS700024), one request at a time. It is never logged.
 */

/** How long before its expiry an assertion is replaced, in ms (5 minutes). */
export const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * What a federated identity credential must name to trust the assertion: its `iss`, `sub` and
 * `aud` (no secret: the identity's tenant authority, object id and the audience).
 */
export interface AssertionIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

/** Options of {@link ManagedIdentityAssertion}. */
export interface ManagedIdentityAssertionOptions {
  /** Client id of the user-assigned managed identity (`AZURE_CLIENT_ID`). */
  readonly clientId: string;
  /** The token exchange audience, e.g. `api://AzureADTokenExchange`. */
  readonly audience: string;
  /**
   * PEM of a CA to trust for the identity endpoint (the sandbox's, in local mode); the system's
   * CAs when absent.
   */
  readonly caCertificatePem?: string;
  /** Another source of managed identity tokens (tests); `ManagedIdentityCredential` by default. */
  readonly credential?: TokenCredential;
  readonly now?: () => number;
}

/** The managed identity's token as a client assertion, cached (see the module comment). */
export class ManagedIdentityAssertion {
  private readonly credential: TokenCredential;
  private readonly now: () => number;
  private cached: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(private readonly options: ManagedIdentityAssertionOptions) {
    // The identity endpoint comes from the environment the platform sets (App Service:
    // IDENTITY_ENDPOINT and IDENTITY_HEADER, read by MSAL Node's managed identity sources).
    this.credential =
      options.credential ??
      new ManagedIdentityCredential({
        clientId: options.clientId,
        ...(options.caCertificatePem ? { tlsOptions: { ca: options.caCertificatePem } } : {}),
      });
    this.now = options.now ?? Date.now;
  }

  /**
   * The assertion: the cached token while it has more than {@link REFRESH_BEFORE_MS} left, else a
   * new one (concurrent callers share one request).
   * @throws TenantlinkError signInCredential when the identity endpoint gives no token
   */
  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && cached.expiresOnTimestamp - this.now() > REFRESH_BEFORE_MS) return cached.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).token;
  }

  /** Forgets the cached token (Entra refused it): the next {@link get} asks for a new one. */
  forget(): void {
    this.cached = undefined;
  }

  /**
   * The issuer, subject and audience of the current assertion (decoded, not verified), for the
   * operator to compare with the federated credential; undefined before the first one.
   */
  identity(): AssertionIdentity | undefined {
    if (!this.cached) return undefined;
    const claims = decodeJwt(this.cached.token);
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    return { issuer: claims.iss ?? '', subject: claims.sub ?? '', audience: aud ?? '' };
  }

  private async fetch(): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.credential.getToken(`${this.options.audience}/.default`);
    } catch (err) {
      // The identity SDK's message names the endpoint's answer, never a token.
      throw new TenantlinkError('signInCredential', {
        detail: `managed identity token for the sign-in app: ${err instanceof Error ? err.name : 'error'}`,
        cause: err,
      });
    }
    if (!token)
      throw new TenantlinkError('signInCredential', {
        detail: 'managed identity token for the sign-in app: none returned',
      });
    this.cached = token;
    return token;
  }
}
