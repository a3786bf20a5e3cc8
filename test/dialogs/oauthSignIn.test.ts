import { Writable } from 'node:stream';
import { ActivityTypes } from 'botbuilder';
import { configureLogging } from '../../src/log';
import { testLogging } from '../helpers/logging';
import { IDS } from '../../src/sandbox';
import {
  ACCOUNTS,
  CHANNEL,
  CONNECTIONS,
  invokeResponse,
  oauthCards,
  startOAuthHarness,
  type OAuthHarness,
  type Reply,
} from '../helpers/oauthHarness';
import { USERS } from '../helpers/testApp';
import type { TeamsUser } from '../helpers/teamsChannel';

/**
 * Cloud-mode sign-in (issue 4): the link dialog through OAuthPrompt per Bot Framework OAuth
 * connection on botbuilder's TestAdapter, tokens added per connection; everything after sign-in
 * runs against the sandbox cloud. The whole suite logs at trace level into a buffer that is then
 * searched for every token the test handed out.
 */

let h: OAuthHarness;
const logLines: string[] = [];
const issuedTokens: string[] = [];

beforeAll(async () => {
  h = await startOAuthHarness({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
});
afterAll(async () => {
  configureLogging(testLogging());
  await h?.stop();
});

const texts = (replies: Reply[]): string => replies.map((r) => r.text ?? '').join('\n');
const subscriptionTenant = (id: string): string =>
  h.sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === id)!.tenantId;

async function tokenFor(kind: 'office365' | 'azure', resource: 'graph' | 'arm'): Promise<string> {
  const a = ACCOUNTS[kind];
  const t = await h.token(a.signInName, a.tenantId, resource);
  issuedTokens.push(t);
  return t;
}

/** Gives `user` tokens on all four connections, as the token service keeps them after sign-in. */
async function signedInEverywhere(user: TeamsUser): Promise<void> {
  for (const [connection, kind, resource] of [
    [CONNECTIONS.graph, 'office365', 'graph'],
    [CONNECTIONS.azureTarget, 'office365', 'arm'],
    [CONNECTIONS.azureSource, 'azure', 'arm'],
    [CONNECTIONS.azureSourceGraph, 'azure', 'graph'],
  ] as const) {
    h.adapter.addUserToken(connection, CHANNEL, user.id, await tokenFor(kind, resource));
  }
}

/** The token service's status for `user`: empty when signed out of every connection. */
async function tokenStatus(user: TeamsUser): Promise<unknown[]> {
  return h.adapter.getTokenStatus(
    { activity: { channelId: CHANNEL, from: { id: user.id } } } as never,
    user.id,
  );
}

/** Starts a link for `user` and returns the replies to the Start click (the first sign-in). */
async function startLink(user: TeamsUser): Promise<Reply[]> {
  await h.say(user, 'link');
  return h.click(user, 'link.start');
}

it('links through both OAuth sign-ins: SSO exchange, typed magic code, verifyState, then the whole procedure', async () => {
  const user = USERS.kelley;
  const before = subscriptionTenant(IDS.subscriptions.payAsYouGo);
  expect(before).toBe(IDS.tenants.defaultDirectory);

  // Office 365 sign-in: Graph first, with the OAuth card (and its SSO resource) shown.
  let replies = await startLink(user);
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.graph]);
  expect(oauthCards(replies)[0]!.content.tokenExchangeResource).toBeDefined();

  // Teams SSO: the client exchanges its token silently; the prompt answers 200 and goes on.
  h.adapter.addExchangeableToken(
    CONNECTIONS.graph,
    CHANNEL,
    user.id,
    'teams-sso-token',
    await tokenFor('office365', 'graph'),
  );
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/tokenExchange',
    value: { id: 'exchange-1', connectionName: CONNECTIONS.graph, token: 'teams-sso-token' },
  });
  expect(invokeResponse(replies)).toMatchObject({ status: 200 });
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.azureTarget]);
  // Teams on a second device sends the same exchange: answered, not processed again.
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/tokenExchange',
    value: { id: 'exchange-1', connectionName: CONNECTIONS.graph, token: 'teams-sso-token' },
  });
  expect(invokeResponse(replies)).toMatchObject({ status: 200 });
  expect(oauthCards(replies)).toEqual([]);

  // ARM for the same account: signed in in the browser, the user types the magic code.
  h.adapter.addUserToken(
    CONNECTIONS.azureTarget,
    CHANNEL,
    user.id,
    await tokenFor('office365', 'arm'),
    '123456',
  );
  replies = await h.say(user, '123456');
  expect(texts(replies)).toContain('Signed in as Kelley Wall');
  expect(texts(replies)).toContain('directory **Contoso**');
  // The Azure sign-in: ARM of the subscription's admin (a Microsoft account).
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.azureSource]);

  // Teams desktop: the sign-in window ends with signin/verifyState carrying the magic code.
  h.adapter.addUserToken(
    CONNECTIONS.azureSource,
    CHANNEL,
    user.id,
    await tokenFor('azure', 'arm'),
    '654321',
  );
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/verifyState',
    value: { state: '654321' },
  });
  expect(invokeResponse(replies)).toMatchObject({ status: 200 });
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.azureSourceGraph]);
  h.adapter.addUserToken(
    CONNECTIONS.azureSourceGraph,
    CHANNEL,
    user.id,
    await tokenFor('azure', 'graph'),
    '111222',
  );
  replies = await h.say(user, 'my code is 111222');
  expect(texts(replies)).toContain('kelley.wall@outlook.com');

  // Preflight passed: the rest of the procedure runs on the sandbox cloud with these tokens.
  await h.click(user, 'subscription.choose', { subscriptionId: IDS.subscriptions.payAsYouGo });
  replies = await h.click(user, 'impact.continue');
  replies = await h.click(user, 'move.confirm', { typedName: 'Pay-As-You-Go' });
  expect(subscriptionTenant(IDS.subscriptions.payAsYouGo)).toBe(IDS.tenants.contoso);
  await h.click(user, 'access.grant', {
    principalIds: IDS.users.janeContoso,
    role: 'Reader',
  });
  const grants = h.sandbox
    .snapshot()
    .subscriptions.find((s) => s.subscriptionId === IDS.subscriptions.payAsYouGo)!
    .roleAssignments.filter((a) => a.principalId === IDS.users.janeContoso);
  expect(grants).toHaveLength(1);
});

it('answers 412 when the SSO exchange fails, and the OAuth card then signs the user in', async () => {
  const user: TeamsUser = { id: 'user-id-sso', name: 'Kelley Wall', aadObjectId: 'sso-oid' };
  let replies = await startLink(user);
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.graph]);

  // Consent missing: the token service cannot exchange; Teams must fall back to the card.
  h.adapter.throwOnExchangeRequest(CONNECTIONS.graph, CHANNEL, user.id, 'needs-consent');
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/tokenExchange',
    value: { id: 'exchange-2', connectionName: CONNECTIONS.graph, token: 'needs-consent' },
  });
  expect(invokeResponse(replies)).toMatchObject({
    status: 412,
    body: { connectionName: CONNECTIONS.graph },
  });
  // An exchange that cannot be made (here: for another connection) gets 412 too, and Teams shows
  // the card; nothing else happens.
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/tokenExchange',
    value: { id: 'exchange-3', connectionName: 'someOtherConnection', token: 'x' },
  });
  expect(invokeResponse(replies)).toMatchObject({ status: 412 });
  expect(oauthCards(replies)).toEqual([]);
  // A wrong magic code signs no one in.
  replies = await h.send(user, {
    type: ActivityTypes.Invoke,
    name: 'signin/verifyState',
    value: { state: '000000' },
  });
  expect(invokeResponse(replies)).toMatchObject({ status: 404 });

  h.adapter.addUserToken(
    CONNECTIONS.graph,
    CHANNEL,
    user.id,
    await tokenFor('office365', 'graph'),
    '424242',
  );
  replies = await h.say(user, '424242');
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.azureTarget]);
  await h.say(user, 'cancel');
});

it('refuses two different accounts for one sign-in: signs out and asks again', async () => {
  const user: TeamsUser = { id: 'user-id-mix', name: 'Kelley Wall', aadObjectId: 'mix-oid' };
  h.adapter.addUserToken(CONNECTIONS.graph, CHANNEL, user.id, await tokenFor('office365', 'graph'));
  // Jane's ARM token on the Office 365 admin's ARM connection.
  const jane = await h.token('jane@contoso.onmicrosoft.com', IDS.tenants.contoso, 'arm');
  issuedTokens.push(jane);
  h.adapter.addUserToken(CONNECTIONS.azureTarget, CHANNEL, user.id, jane);

  const replies = await startLink(user);
  expect(texts(replies)).toContain(
    'you signed in as admin@contoso.onmicrosoft.com, then as jane@contoso.onmicrosoft.com',
  );
  // Both connections were signed out, so the prompt starts over with the card.
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.graph]);
  await h.say(user, 'cancel');
});

it('passes signed-in users without a card; sign out empties every connection and the prompt comes back', async () => {
  const user: TeamsUser = { id: 'user-id-out', name: 'Kelley Wall', aadObjectId: 'out-oid' };
  await signedInEverywhere(user);
  let replies = await startLink(user);
  expect(oauthCards(replies)).toEqual([]);
  expect(texts(replies)).toContain('Signed in to Office 365 as Kelley Wall');
  await h.say(user, 'cancel');

  replies = await h.say(user, 'sign out');
  expect(texts(replies)).toContain('You are signed out');
  expect(await tokenStatus(user)).toEqual([]);

  replies = await startLink(user);
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.graph]);
  await h.say(user, 'cancel');
});

it('a token revoked mid-flow ends the flow with nothing changed, and the next link shows the prompt again', async () => {
  const user: TeamsUser = { id: 'user-id-rev', name: 'Kelley Wall', aadObjectId: 'rev-oid' };
  await signedInEverywhere(user);
  const snapshotBefore = JSON.stringify(h.sandbox.snapshot());
  let replies = await startLink(user);
  expect(oauthCards(replies)).toEqual([]);

  // The admin revokes tenantlink's Azure session (or it expires) while the choose card waits.
  await h.adapter.signOutUser(
    { activity: { channelId: CHANNEL, from: { id: user.id } } } as never,
    CONNECTIONS.azureSource,
    user.id,
  );
  replies = await h.click(user, 'subscription.choose', {
    subscriptionId: IDS.subscriptions.devTest,
  });
  expect(texts(replies)).toContain('TL-AUTH-SIGNIN-REQUIRED');
  expect(texts(replies)).toContain('sign in again');
  expect(JSON.stringify(h.sandbox.snapshot())).toBe(snapshotBefore);

  // The next link asks for the Azure sign-in again (Office 365 is still signed in).
  replies = await startLink(user);
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.azureSource]);
  await h.say(user, 'cancel');
});

it('a token that ARM refuses (401) ends the flow cleanly and signs the user out, so the prompt comes back', async () => {
  const user: TeamsUser = { id: 'user-id-401', name: 'Kelley Wall', aadObjectId: '401-oid' };
  await signedInEverywhere(user);
  await startLink(user);
  const snapshotBefore = JSON.stringify(h.sandbox.snapshot());
  h.sandbox.setFaults({ rules: [{ api: 'arm', status: 401, code: 'InvalidAuthenticationToken' }] });
  let replies: Reply[];
  try {
    replies = await h.click(user, 'subscription.choose', {
      subscriptionId: IDS.subscriptions.devTest,
    });
  } finally {
    h.sandbox.setFaults({});
  }
  expect(texts(replies)).toContain('TL-CLOUD-UNAUTHORIZED');
  expect(JSON.stringify(h.sandbox.snapshot())).toBe(snapshotBefore);
  expect(await tokenStatus(user)).toEqual([]);
  replies = await startLink(user);
  expect(oauthCards(replies).map((c) => c.connectionName)).toEqual([CONNECTIONS.graph]);
  await h.say(user, 'cancel');
});

it('never logs a token: no issued token and no JWT in any log line of this suite (trace level)', () => {
  expect(issuedTokens.length).toBeGreaterThan(5);
  expect(logLines.length).toBeGreaterThan(20);
  const all = logLines.join('');
  for (const token of issuedTokens) {
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
  }
  expect(all).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./);
  expect(all).not.toMatch(/authorization":\s*"bearer/i);
});
