import { CONNECTION_PERMISSIONS, connectionNameFor } from '../auth/permissions';
import type { SandboxContext } from './context';
import { Router, type SandboxResponse } from './router';
import type { Api } from './tokens';

/**
 * The sandbox's stand-in for the Bot Framework token service (https://token.botframework.com),
 * below `/_sandbox/tokenservice`: it keeps each user's sign-in per connection on the service side,
 * as the real one does, so a bot restart loses no sign-in and the bot never stores a token.
 * - `POST /signin` `{ userId, connection, refreshToken }`: the user finished signing in (the
 *   sandbox sign-in card got this refresh token from the token endpoint); the service keeps it,
 *   the bot forgets it;
 * - `GET /token?userId&connection&resource=graph|arm`: `{ token, expiration }`, or 404 when the
 *   user is not signed in (as GetUserToken answers); the token carries exactly the delegated
 *   permissions of the OAuth connection that serves this sign-in and resource
 *   (src/auth/permissions.ts), as a Bot Service connection's scopes do;
 * - `DELETE /signin?userId&connection`: sign out.
 *
 * Sources: the token service's client contract in botbuilder (`IUserTokenProvider`, now
 * `UserTokenClient`: getUserToken "retrieves the OAuth token for a user that is in a sign-in
 * flow", signOutUser; https://learn.microsoft.com/javascript/api/botbuilder-core/iusertokenprovider),
 * and Azure AI Bot Service keeping the tokens, not the bot: it provides "services that work with
 * the OAuth protocol and manage the token life-cycle" ("User authentication",
 * https://learn.microsoft.com/azure/bot-service/bot-builder-concept-authentication).
 */

interface Session {
  accountId: string;
  tenantId: string;
}

const notSignedIn: SandboxResponse = {
  status: 404,
  body: {
    error: { code: 'NotSignedIn', message: 'The user is not signed in to this connection.' },
  },
};

/** Builds the token service routes. */
export function tokenServiceRoutes(ctx: SandboxContext): Router {
  const sessions = new Map<string, Session>();
  const key = (userId: unknown, connection: unknown): string =>
    `${String(userId)}|${String(connection)}`;

  return new Router()
    .add('POST', '/signin', (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const grant =
        typeof b.refreshToken === 'string' ? ctx.tokens.redeem(b.refreshToken) : undefined;
      if (!b.userId || !b.connection || !grant) {
        return {
          status: 400,
          body: { error: { code: 'InvalidSignIn', message: 'A valid refresh token is required.' } },
        };
      }
      sessions.set(key(b.userId, b.connection), grant);
      return { status: 200, body: { connectionName: b.connection } };
    })
    .add('GET', '/token', async (req) => {
      const q = req.url.searchParams;
      const session = sessions.get(key(q.get('userId'), q.get('connection')));
      const resource = q.get('resource');
      if (resource !== 'graph' && resource !== 'arm') {
        return {
          status: 400,
          body: { error: { code: 'InvalidResource', message: 'graph or arm' } },
        };
      }
      const account = session && ctx.state.account(session.accountId);
      const tenant = session && ctx.state.tenant(session.tenantId);
      const user = account && tenant && ctx.state.userOfAccount(tenant, account.accountId);
      if (!account || !tenant || !user) return notSignedIn;
      // The connection's own scopes, as the Bot Framework token service asks for them.
      const kind = q.get('connection') === 'azure' ? 'azure' : 'office365';
      const scopes = CONNECTION_PERMISSIONS[connectionNameFor(kind, resource)].permissions;
      const token = await ctx.tokens.accessToken(account, tenant, user, resource as Api, scopes);
      return {
        status: 200,
        body: { connectionName: q.get('connection'), token, expiration: expiresIn(3600) },
      };
    })
    .add('DELETE', '/signin', (req) => {
      const q = req.url.searchParams;
      sessions.delete(key(q.get('userId'), q.get('connection')));
      return { status: 200 };
    });
}

const expiresIn = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();
