import { connectionNameFor } from '../auth/permissions';
import { connectionSetting } from './botConnections';
import type { SandboxContext } from './context';
import { loginError } from './faults';
import { Router, type SandboxResponse } from './router';
import { defaultScopes, type Api } from './tokens';

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
 * - `DELETE /signin?userId&connection`: sign out;
 * - `GET /api/usertoken/GetToken?userId&connectionName&channelId[&code]`: the Bot Framework token
 *   service's own operation, as botframework-connector's `UserTokenClient.getUserToken` calls it
 *   (OAuthUrl = `{sandbox}/_sandbox/tokenservice`): 200 TokenResponse for a signed-in user, 404
 *   when the user is not signed in (the 404 the connector's operation spec expects:
 *   botbuilder-js libraries/botframework-connector/src/tokenApi/operations/userToken.ts), and for a
 *   connection name the bot does not have, the token service's `ServiceError` "Could not find
 *   Connection Setting with name …" (Microsoft Teams docs, "Error handling messages", Bots:
 *   https://learn.microsoft.com/microsoftteams/platform/resources/error-handling, MicrosoftDocs/msteams-docs
 *   msteams-platform/resources/error-handling.md; reported
 *   through botbuilder-js issue 4773). The HTTP status of that answer is not documented: the
 *   sandbox answers 400 with botframework-schema's ErrorResponse `{ error: { code, message } }`,
 *   and clients must recognise the message, not the status;
 * - `GET /connections`, `GET|PUT|DELETE /connections/{name}`: the Azure Bot's OAuth connection
 *   settings in ARM's shape (src/sandbox/botConnections.ts), readable and changeable so that tests
 *   can seed a misconfigured bot. `PUT` takes `{ scopes, clientId? }`.
 *
 * A connection's configured scopes decide the tokens it gives: a permission the connection does
 * not list is not in the token (Graph then answers 403), and one that admin consent did not grant
 * makes the token request fail as Entra does: `invalid_grant` AADSTS65001 "The user or
 * administrator has not consented to use the application"
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes), passed through.
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

/** The token service's answer for a connection name the bot does not have (see above). */
export function unknownConnection(name: string): SandboxResponse {
  return {
    status: 400,
    body: {
      error: {
        code: 'ServiceError',
        message: `Could not find Connection Setting with name '${name}'`,
      },
    },
  };
}

/** OpenID Connect scopes, which name no API permission. */
const OIDC = new Set(['openid', 'profile', 'email', 'offline_access']);

/** The permissions a connection's scopes string names, without the resource prefix. */
export function scopePermissions(scopes: string): string[] {
  return scopes
    .split(/[\s,]+/)
    .filter((s) => s && !OIDC.has(s.toLowerCase()))
    .map((s) => s.replace(/^https:\/\/[^/]+\//i, ''));
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
      const name = connectionNameFor(kind, resource);
      const connection = ctx.connections.get(name);
      if (!connection) return unknownConnection(name);
      const scopes = scopePermissions(connection.properties.scopes);
      const unconsented = scopes.filter((p) => !defaultScopes(resource as Api).includes(p));
      if (unconsented.length > 0)
        return {
          status: 400,
          body: loginError(
            'invalid_grant',
            `The user or administrator has not consented to use the application with ID '${connection.properties.clientId}'. Send an interactive authorization request for this user and resource (${unconsented.join(', ')}).`,
            [65001],
          ),
        };
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
    })
    .add('GET', '/api/usertoken/GetToken', (req) => {
      const q = req.url.searchParams;
      const name = q.get('connectionName') ?? '';
      if (!ctx.connections.get(name)) return unknownConnection(name);
      // The sandbox's sign-ins are kept per sign-in kind (above): a user signed in through this
      // operation's connection name has no session here, which is the "not signed in" answer.
      return { status: 404 };
    })
    .add('GET', '/connections', () => ({
      status: 200,
      body: { value: ctx.connections.list() },
    }))
    .add('GET', '/connections/:name', (_req, p) => {
      const setting = ctx.connections.get(p.name ?? '');
      return setting ? { status: 200, body: setting } : connectionNotFound(p.name ?? '');
    })
    .add('PUT', '/connections/:name', (req, p) => {
      const b = (req.body ?? {}) as { scopes?: unknown; clientId?: unknown };
      if (typeof b.scopes !== 'string')
        return {
          status: 400,
          body: { error: { code: 'InvalidConnection', message: 'scopes (a string) is required.' } },
        };
      const setting =
        typeof b.clientId === 'string'
          ? connectionSetting(p.name ?? '', b.scopes, b.clientId)
          : connectionSetting(p.name ?? '', b.scopes);
      ctx.connections.set(setting);
      return { status: 200, body: setting };
    })
    .add('DELETE', '/connections/:name', (_req, p) =>
      ctx.connections.delete(p.name ?? '') ? { status: 204 } : connectionNotFound(p.name ?? ''),
    );
}

/** ARM's answer for a connection that does not exist. */
function connectionNotFound(name: string): SandboxResponse {
  return {
    status: 404,
    body: {
      error: {
        code: 'ResourceNotFound',
        message: `The Resource 'Microsoft.BotService/botServices/connections/${name}' was not found.`,
      },
    },
  };
}

const expiresIn = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();
