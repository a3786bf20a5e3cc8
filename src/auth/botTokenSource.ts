import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { TokenResponse } from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import { TenantlinkError } from '../errors';
import { accountFromToken } from './accountClaims';
import {
  connectionFor,
  resourcesOf,
  type OAuthConnections,
  type Resource,
  type SignInKind,
  type SignedInAccount,
  type TokenSource,
  type UserKey,
} from './signIn';

/**
 * The SignIn port on Microsoft's cloud: user tokens from the Bot Framework token service
 * (`GET /api/usertoken/GetToken`, `DELETE /api/usertoken/SignOut`,
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference),
 * through botbuilder's {@link UserTokenClient}, which also works outside a turn (background jobs
 * carry only the Teams user id). The token service refreshes tokens; tenantlink asks it every time
 * a client needs a token and keeps none: no cache, no storage, no log.
 */
export class BotTokenSource implements TokenSource {
  /**
   * @param client the bot's user token client (created once per process from the Bot Framework
   *   authentication, see src/bot/adapter.ts)
   * @param connections the OAuth connection names
   * @param channelId the channel the tokens were obtained on (`msteams`)
   */
  constructor(
    private readonly client: () => Promise<UserTokenClient>,
    private readonly connections: OAuthConnections,
    private readonly channelId: string,
  ) {}

  credential(user: UserKey, kind: SignInKind, resource: Resource): TokenCredential {
    return {
      getToken: async (): Promise<AccessToken> => {
        const response = await this.userToken(
          user,
          connectionFor(this.connections, kind, resource),
        );
        if (!response)
          throw new TenantlinkError('signInRequired', {
            detail: `${kind} sign-in required (${resource})`,
          });
        return {
          token: response.token,
          // The token service answers with an ISO expiration; without one, treat it as short-lived.
          expiresOnTimestamp: response.expiration
            ? Date.parse(response.expiration)
            : Date.now() + 5 * 60_000,
        };
      },
    };
  }

  async account(user: UserKey, kind: SignInKind): Promise<SignedInAccount | undefined> {
    const response = await this.userToken(
      user,
      connectionFor(this.connections, kind, resourcesOf(kind)[0]),
    );
    return response ? accountFromToken(kind, response.token) : undefined;
  }

  async signOut(user: UserKey, kind?: SignInKind): Promise<void> {
    const client = await this.client();
    for (const k of kind ? [kind] : (['office365', 'azure'] as const)) {
      for (const resource of resourcesOf(k)) {
        await client.signOutUser(
          user,
          connectionFor(this.connections, k, resource),
          this.channelId,
        );
      }
    }
  }

  /**
   * The user's current token of a connection, or undefined when not signed in.
   * @throws TenantlinkError cloudUnavailable when the token service cannot be reached or fails
   */
  private async userToken(user: UserKey, connection: string): Promise<TokenResponse | undefined> {
    try {
      const client = await this.client();
      // No magic code outside a sign-in: the token service reads a missing `code` as none.
      const response = (await client.getUserToken(
        user,
        connection,
        this.channelId,
        undefined as unknown as string,
      )) as TokenResponse | undefined;
      return response?.token ? response : undefined;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new TenantlinkError('cloudUnavailable', {
        detail: `token service (${connection}): ${(err as Error).message}`,
        cause: err,
      });
    }
  }
}
