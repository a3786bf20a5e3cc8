import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActivityHandler } from 'botbuilder';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { createAdapter, createBotAuthentication, serverAccess } from '../../src/bot/adapter';
import { startBotServer, type BotServer } from '../../src/bot/server';
import { loadConfig } from '../../src/config';
import { CaseTable } from '../helpers/caseTable';

/**
 * Bot Framework JWT validation outside local mode, for real: the channel's signing key is
 * published by a local OpenID metadata endpoint that the adapter is configured to use
 * (BOT_OPENID_METADATA_URL, BOT_TOKEN_ISSUER). A correctly signed token is accepted (the positive
 * control); a missing, expired, wrong-audience, wrong-issuer, wrongly signed or unendorsed token,
 * or one for another service URL, is refused with 401 and no turn runs.
 */

const APP_ID = '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f';
const ISSUER = 'https://api.botframework.test';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const table = new CaseTable('Bot Framework JWT on /api/messages (cloud mode)');

let metadata: Server;
let bot: BotServer;
let turns = 0;
let signingKey: KeyLike;
let otherKey: KeyLike;
const KID = 'test-key-1';

// botbuilder reports each refused request on console.error: keep the output readable, and check
// that no token is among what it prints.
const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = {
    ...(await exportJWK(pair.publicKey)),
    kid: KID,
    use: 'sig',
    endorsements: ['msteams'],
  };
  const unendorsed = (await generateKeyPair('RS256')).publicKey;
  const jwk2 = {
    ...(await exportJWK(unendorsed)),
    kid: 'webchat-only',
    use: 'sig',
    endorsements: ['webchat'],
  };
  metadata = createServer((req, res) => {
    const url = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
    const body =
      req.url === '/openid'
        ? {
            issuer: ISSUER,
            jwks_uri: `${url}/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
          }
        : { keys: [jwk, jwk2] };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'not-a-real-secret',
    MicrosoftAppType: 'MultiTenant',
    BOT_OPENID_METADATA_URL: `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/openid`,
    BOT_TOKEN_ISSUER: ISSUER,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const handler = new ActivityHandler();
  handler.onMessage(async (_context, next) => {
    turns++;
    await next();
  });
  const auth = createBotAuthentication(config);
  bot = await startBotServer({
    adapter: createAdapter(config, auth),
    access: serverAccess(config, auth),
    bot: handler,
    port: 0,
    host: '127.0.0.1',
  });
});
afterAll(async () => {
  const printed = consoleError.mock.calls.map((c) => c.map(String).join(' ')).join('\n');
  consoleError.mockRestore();
  expect(printed).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./);
  await bot?.close();
  await new Promise<void>((resolve) => metadata.close(() => resolve()));
});

interface TokenShape {
  readonly iss?: string;
  readonly aud?: string;
  readonly expiresIn?: string | number;
  readonly key?: KeyLike;
  readonly kid?: string;
  readonly serviceUrl?: string;
}

async function token(t: TokenShape = {}): Promise<string> {
  const jwt = new SignJWT({ serviceurl: t.serviceUrl ?? SERVICE_URL })
    .setProtectedHeader({ alg: 'RS256', kid: t.kid ?? KID, typ: 'JWT' })
    .setIssuer(t.iss ?? ISSUER)
    .setAudience(t.aud ?? APP_ID)
    .setNotBefore(Math.floor(Date.now() / 1000) - 60)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 60);
  const exp = t.expiresIn ?? '5m';
  jwt.setExpirationTime(typeof exp === 'number' ? exp : exp);
  return jwt.sign(t.key ?? signingKey);
}

async function post(authorization: string | undefined): Promise<number> {
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({
      type: 'message',
      id: '1',
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      from: { id: 'user-id-0' },
      recipient: { id: `28:${APP_ID}` },
      conversation: { id: 'a:1' },
      text: 'help',
    }),
  });
  return res.status;
}

it('accepts a token signed by the published key for this bot and runs the turn', async () => {
  const before = turns;
  const status = table.record(
    'valid token',
    '2xx, one turn',
    await post(`Bearer ${await token()}`),
  );
  expect(status).toBeLessThan(300);
  expect(turns).toBe(before + 1);
});

it.each<[string, () => Promise<string | undefined>]>([
  ['no Authorization header', async () => undefined],
  ['not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
  [
    'expired',
    async () => `Bearer ${await token({ expiresIn: Math.floor(Date.now() / 1000) - 600 })}`,
  ],
  ['wrong audience (another bot)', async () => `Bearer ${await token({ aud: 'another-bot-id' })}`],
  ['wrong issuer', async () => `Bearer ${await token({ iss: 'https://evil.example' })}`],
  ['signed by another key', async () => `Bearer ${await token({ key: otherKey })}`],
  ['key not endorsed for msteams', async () => `Bearer ${await token({ kid: 'webchat-only' })}`],
  [
    'issued for another service URL',
    async () => `Bearer ${await token({ serviceUrl: 'https://evil.example/' })}`,
  ],
])('refuses %s with 401 and runs no turn', async (name, header) => {
  const before = turns;
  const status = table.record(name, '401, no turn', await post(await header()));
  expect(status).toBe(401);
  expect(turns).toBe(before);
});
