import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ServiceClientCredentialsFactory,
  type ServiceClientCredentials,
} from 'botframework-connector';
import { createBotAuthentication, userTokenClientFactory } from '../../src/bot/adapter';
import { BotTokenSource } from '../../src/auth/botTokenSource';
import { loadConfig } from '../../src/config';
import { TenantlinkError } from '../../src/errors';

/**
 * The cloud token source through botbuilder's real UserTokenClient (created from the bot's
 * authentication, as in production) against a local stand-in of the Bot Framework token service's
 * REST API (GET /api/usertoken/GetToken, DELETE /api/usertoken/SignOut). Only the bot's own app
 * credential is faked: it would come from Entra ID.
 */

const APP_ID = '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f';
const CONNECTIONS = {
  graph: 'graph',
  azureTarget: 'azureTarget',
  azureSource: 'azureSource',
  azureSourceGraph: 'azureSourceGraph',
};

/** An unsigned JWT with the claims tenantlink reads (the token service's tokens are opaque to it). */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}

class FakeAppCredentials extends ServiceClientCredentialsFactory {
  async isValidAppId(appId: string): Promise<boolean> {
    return appId === APP_ID;
  }
  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }
  async createCredentials(): Promise<ServiceClientCredentials> {
    return {
      signRequest: async (request) => {
        request.headers.set('authorization', 'Bearer bot-app-token');
        return request;
      },
    };
  }
}

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

let server: Server;
let url: string;
const seen: Seen[] = [];
let tokens = new Map<string, string>();
let failWith: number | undefined;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push({
      method: req.method ?? '',
      path: u.pathname,
      query: u.searchParams,
      authorization: req.headers.authorization,
    });
    const key = `${u.searchParams.get('userId')}|${u.searchParams.get('connectionName')}|${u.searchParams.get('channelId')}`;
    const send = (status: number, body?: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (failWith) return send(failWith, { error: { code: 'ServiceError', message: 'boom' } });
    if (req.method === 'GET' && u.pathname === '/api/usertoken/GetToken') {
      const token = tokens.get(key);
      return token
        ? send(200, {
            channelId: 'msteams',
            connectionName: u.searchParams.get('connectionName'),
            token,
            expiration: '2030-01-01T00:00:00Z',
          })
        : send(404, { error: { code: 'NotFound', message: 'no token' } });
    }
    if (req.method === 'DELETE' && u.pathname === '/api/usertoken/SignOut') {
      tokens.delete(key);
      return send(200, {});
    }
    return send(404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  tokens = new Map();
  failWith = undefined;
});

function source(): BotTokenSource {
  const config = loadConfig({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'unused-with-the-fake-factory',
    MicrosoftAppType: 'MultiTenant',
    BOT_OAUTH_URL: url,
  });
  const auth = createBotAuthentication(config, new FakeAppCredentials());
  return new BotTokenSource(userTokenClientFactory(auth, APP_ID), CONNECTIONS, 'msteams');
}

it('reads the account from the Graph connection and each credential from its own connection', async () => {
  const graph = jwt({
    tid: 'tenant-1',
    oid: 'oid-1',
    upn: 'admin@contoso.onmicrosoft.com',
    name: 'Kelley Wall',
  });
  tokens.set('user-1|graph|msteams', graph);
  tokens.set('user-1|azureTarget|msteams', 'arm-token');
  const s = source();

  expect(await s.account('user-1', 'office365')).toEqual({
    kind: 'office365',
    email: 'admin@contoso.onmicrosoft.com',
    displayName: 'Kelley Wall',
    tenantId: 'tenant-1',
    objectId: 'oid-1',
    identityProvider: undefined,
  });
  const arm = await s.credential('user-1', 'office365', 'arm').getToken([]);
  expect(arm).toEqual({
    token: 'arm-token',
    expiresOnTimestamp: Date.parse('2030-01-01T00:00:00Z'),
  });
  const gets = seen.filter((r) => r.path === '/api/usertoken/GetToken');
  expect(gets.map((r) => r.query.get('connectionName'))).toEqual(['graph', 'azureTarget']);
  expect(gets.every((r) => r.query.get('channelId') === 'msteams')).toBe(true);
  // The bot authenticates to the token service with its own app token.
  expect(gets.every((r) => r.authorization === 'Bearer bot-app-token')).toBe(true);
  // No cache: a second use asks the token service again.
  await s.credential('user-1', 'office365', 'arm').getToken([]);
  expect(seen.filter((r) => r.path === '/api/usertoken/GetToken')).toHaveLength(3);
});

it('is signed out (undefined account, signInRequired from getToken) when the token service has no token', async () => {
  const s = source();
  expect(await s.account('user-2', 'azure')).toBeUndefined();
  await expect(s.credential('user-2', 'azure', 'graph').getToken([])).rejects.toMatchObject({
    code: 'TL-AUTH-SIGNIN-REQUIRED',
  });
  expect(seen.at(-1)!.query.get('connectionName')).toBe('azureSourceGraph');
});

it('signs out of both connections of a sign-in, or all four', async () => {
  for (const c of Object.values(CONNECTIONS)) tokens.set(`user-3|${c}|msteams`, 'x');
  const s = source();
  await s.signOut('user-3', 'azure');
  expect([...tokens.keys()].sort()).toEqual(['user-3|azureTarget|msteams', 'user-3|graph|msteams']);
  await s.signOut('user-3');
  expect(tokens.size).toBe(0);
  const deletes = seen.filter((r) => r.method === 'DELETE');
  expect(deletes.map((r) => r.query.get('connectionName'))).toEqual([
    'azureSource',
    'azureSourceGraph',
    'graph',
    'azureTarget',
    'azureSource',
    'azureSourceGraph',
  ]);
});

it('reports a failing token service as cloudUnavailable, with no token in the error', async () => {
  failWith = 500;
  const s = source();
  const err = await s
    .credential('user-4', 'office365', 'graph')
    .getToken([])
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TenantlinkError);
  expect((err as TenantlinkError).code).toBe('TL-CLOUD-UNAVAILABLE');
  expect(String((err as Error).message)).not.toMatch(/bot-app-token/);
});
