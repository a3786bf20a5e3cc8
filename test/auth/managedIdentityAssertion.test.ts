import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { SignJWT } from 'jose';
import {
  ManagedIdentityAssertion,
  REFRESH_BEFORE_MS,
} from '../../src/auth/managedIdentityAssertion';
import { tokenExchangeAudience } from '../../src/configFormats';
import { TenantlinkError } from '../../src/errors';

/**
 * The sign-in app's client assertion from the managed identity (issue 26): asked for the token
 * exchange audience, kept until shortly before it expires, one request at a time, and a failure of
 * the identity endpoint is TL-AUTH-SIGNIN-CREDENTIAL.
 */

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

/** A managed identity stand-in: counts requests, answers tokens expiring `lifetimeMs` after "now". */
function fakeIdentity(clock: { now: number }, lifetimeMs = HOUR) {
  const calls: string[][] = [];
  let release: (() => void) | undefined;
  let held = false;
  const credential: TokenCredential = {
    async getToken(scopes): Promise<AccessToken> {
      calls.push(Array.isArray(scopes) ? scopes : [scopes]);
      if (held) await new Promise<void>((r) => (release = r));
      const token = await new SignJWT({ n: calls.length })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://login.microsoftonline.com/tenant/v2.0')
        .setSubject('principal-id')
        .setAudience('api://AzureADTokenExchange')
        .sign(new TextEncoder().encode('k'.repeat(32)));
      return { token, expiresOnTimestamp: clock.now + lifetimeMs };
    },
  };
  return {
    credential,
    calls,
    hold: () => (held = true),
    release: () => {
      held = false;
      release?.();
    },
  };
}

it('asks for {audience}/.default and keeps the token until 5 minutes before it expires', async () => {
  const clock = { now: T0 };
  const identity = fakeIdentity(clock);
  const assertion = new ManagedIdentityAssertion({
    clientId: 'mi-client-id',
    audience: 'api://AzureADTokenExchange',
    credential: identity.credential,
    now: () => clock.now,
  });
  const first = await assertion.get();
  expect(identity.calls).toEqual([['api://AzureADTokenExchange/.default']]);
  clock.now = T0 + HOUR - REFRESH_BEFORE_MS - 1;
  expect(await assertion.get()).toBe(first);
  expect(identity.calls).toHaveLength(1);
  clock.now = T0 + HOUR - REFRESH_BEFORE_MS;
  expect(await assertion.get()).not.toBe(first);
  expect(identity.calls).toHaveLength(2);
});

it('shares one request between concurrent callers, and asks again after forget()', async () => {
  const clock = { now: T0 };
  const identity = fakeIdentity(clock);
  const assertion = new ManagedIdentityAssertion({
    clientId: 'mi-client-id',
    audience: 'api://AzureADTokenExchange',
    credential: identity.credential,
    now: () => clock.now,
  });
  identity.hold();
  const both = Promise.all([assertion.get(), assertion.get()]);
  identity.release();
  const [a, b] = await both;
  expect(a).toBe(b);
  expect(identity.calls).toHaveLength(1);
  expect(assertion.identity()).toEqual({
    issuer: 'https://login.microsoftonline.com/tenant/v2.0',
    subject: 'principal-id',
    audience: 'api://AzureADTokenExchange',
  });
  assertion.forget();
  expect(assertion.identity()).toBeUndefined();
  await assertion.get();
  expect(identity.calls).toHaveLength(2);
});

it('turns a failure of the identity endpoint into TL-AUTH-SIGNIN-CREDENTIAL, without its text', async () => {
  const assertion = new ManagedIdentityAssertion({
    clientId: 'mi-client-id',
    audience: 'api://AzureADTokenExchange',
    credential: {
      getToken: () => Promise.reject(new Error('endpoint said eyJhbGciOi.secret.stuff')),
    },
  });
  const err = await assertion.get().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TenantlinkError);
  expect((err as TenantlinkError).def.code).toBe('TL-AUTH-SIGNIN-CREDENTIAL');
  expect((err as TenantlinkError).message).not.toContain('secret');
});

it.each<[string, string | undefined]>([
  ['https://login.microsoftonline.com', 'api://AzureADTokenExchange'],
  ['https://login.microsoftonline.com/', 'api://AzureADTokenExchange'],
  ['https://login.microsoftonline.us', 'api://AzureADTokenExchangeUSGov'],
  ['https://login.chinacloudapi.cn', 'api://AzureADTokenExchangeChina'],
  ['https://login.partner.microsoftonline.cn', 'api://AzureADTokenExchangeChina'],
  ['https://login.microsoftonline.de', undefined],
  ['not a url', undefined],
])('gives %s the token exchange audience %s', (host, audience) => {
  expect(tokenExchangeAudience(host)).toBe(audience);
});
