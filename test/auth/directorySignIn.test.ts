import { MemoryStorage } from 'botbuilder';
import { decodeJwt } from 'jose';
import {
  DirectorySignIn,
  type ClientAssertionSource,
  type SignInAppCredential,
  type SignInContext,
} from '../../src/auth/directorySignIn';
import { TenantlinkError } from '../../src/errors';
import { Sealer } from '../../src/auth/sealedStore';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { answerSignInPage, redirectQuery } from '../helpers/sandboxBrowser';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The subscription admin's sign-in at a directory chosen at run time, through MSAL Node against
 * the sandbox's identity platform: authorization code + PKCE, state bound to the user and used
 * once, tokens sealed at rest.
 */

let sandbox: SandboxCloud;
beforeAll(async () => {
  sandbox = await startSandboxCloud();
});
afterAll(async () => {
  await sandbox.stop();
});

const T = IDS.tenants;
const REDIRECT = 'http://127.0.0.1:3978/auth/azure/callback';

function signInFor(
  storage: MemoryStorage,
  key = Sealer.newKey(),
  app: { clientId: string; credential: SignInAppCredential } = {
    clientId: IDS.applications.test,
    credential: { clientSecret: 'sandbox-secret' },
  },
): DirectorySignIn {
  return new DirectorySignIn(storage, {
    ...app,
    redirectUri: REDIRECT,
    authorityHost: sandbox.authorityHost,
    cacheKey: key,
    http: { caCertificatePem: sandbox.caCertificatePem, timeoutMs: 10_000, maxRetries: 0 },
  });
}

function context(tenantId: string, userId = 'teams-user-kelley'): SignInContext {
  return {
    userId,
    flowId: 'flow-1',
    tenantId,
    conversation: {
      conversation: { id: 'conv-1', name: 'chat', isGroup: false, conversationType: 'personal' },
    },
    from: { id: userId, name: 'Kelley' },
    locale: 'en-US',
  };
}

async function signIn(
  signInService: DirectorySignIn,
  tenantId: string,
  account: string,
  userId?: string,
): Promise<Record<string, string>> {
  const url = await signInService.begin(context(tenantId, userId));
  const page = await answerSignInPage(url, sandbox.caCertificatePem, { account });
  return redirectQuery(page.location);
}

/** Every string in the storage, to scan for what must not be stored in the clear. */
function storedText(storage: MemoryStorage): string {
  return JSON.stringify((storage as unknown as { memory: Record<string, string> }).memory);
}

describe('directory sign-in (MSAL Node, authorization code + PKCE)', () => {
  it('builds the authorize URL at the directory asked for, with PKCE S256 and a random state', async () => {
    const service = signInFor(new MemoryStorage());
    const url = new URL(await service.begin(context(T.defaultDirectory)));
    expect(url.pathname).toBe(`/login/${T.defaultDirectory}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('scope')).toContain(
      'https://management.azure.com/user_impersonation',
    );
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(40);
  });

  it('signs a Microsoft account in at its own directory and gives ARM and Graph tokens there', async () => {
    const storage = new MemoryStorage();
    const service = signInFor(storage);
    const query = await signIn(service, T.defaultDirectory, 'kelley-msa');
    const done = await service.complete(query);
    expect(done).toMatchObject({
      ok: true,
      account: {
        tenantId: T.defaultDirectory,
        email: 'kelley.wall@outlook.com',
        identityProvider: 'live.com',
      },
    });
    const arm = await service.credential('teams-user-kelley', 'arm').getToken([]);
    expect(decodeJwt(arm!.token)).toMatchObject({
      tid: T.defaultDirectory,
      aud: 'https://management.core.windows.net/',
    });
    const graph = await service.credential('teams-user-kelley', 'graph').getToken([]);
    expect(decodeJwt(graph!.token)).toMatchObject({
      tid: T.defaultDirectory,
      aud: '00000003-0000-0000-c000-000000000000',
    });
    // Sealed at rest: no token, refresh token or code in the store.
    const stored = storedText(storage);
    expect(stored).not.toContain(arm!.token);
    expect(stored).not.toContain(query.code ?? '');
    // A JWT (header.payload.): sealed data is base64url, which has no dots, so this cannot match by chance.
    expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.|"refresh_token"|"secret"/);
  });

  it('signs a work account of another organisation in where it is a guest', async () => {
    const service = signInFor(new MemoryStorage());
    const query = await signIn(service, T.contosoLab, 'jane-work', 'teams-user-jane');
    const done = await service.complete(query);
    expect(done).toMatchObject({
      ok: true,
      account: { tenantId: T.contosoLab, objectId: IDS.users.janeGuestInLab },
    });
  });

  it('refuses a replayed state and a second use of the code, storing nothing', async () => {
    const storage = new MemoryStorage();
    const service = signInFor(storage);
    const query = await signIn(service, T.defaultDirectory, 'kelley-msa');
    expect((await service.complete(query)).ok).toBe(true);
    await service.signOut('teams-user-kelley');
    expect(await service.complete(query)).toEqual({ ok: false, reason: 'unknownState' });
    expect(await service.account('teams-user-kelley')).toBeUndefined();
  });

  it('refuses a forged state, a missing one and an oversized one', async () => {
    const storage = new MemoryStorage();
    const service = signInFor(storage);
    const query = await signIn(service, T.defaultDirectory, 'kelley-msa');
    for (const state of ['forged', '', 'x'.repeat(10_000)])
      expect(await service.complete({ ...query, state })).toEqual({
        ok: false,
        reason: 'unknownState',
      });
    expect(await service.account('teams-user-kelley')).toBeUndefined();
  });

  it('reports a declined consent with its AADSTS code and keeps no sign-in', async () => {
    const service = signInFor(new MemoryStorage());
    const url = await service.begin(context(T.defaultDirectory));
    const page = await answerSignInPage(url, sandbox.caCertificatePem, 'decline');
    expect(await service.complete(redirectQuery(page.location))).toMatchObject({
      ok: false,
      reason: 'declined',
      detail: 'AADSTS65004',
      context: { userId: 'teams-user-kelley', flowId: 'flow-1' },
    });
  });

  it('refuses a Microsoft account at common, as Entra does (AADSTS70011)', async () => {
    const service = signInFor(new MemoryStorage());
    const query = await signIn(service, 'common', 'kelley-msa');
    expect(await service.complete(query)).toMatchObject({
      ok: false,
      reason: 'failed',
      detail: 'AADSTS70011',
    });
  });

  it('treats tokens sealed with another key as no sign-in (key rotated)', async () => {
    const storage = new MemoryStorage();
    const first = signInFor(storage);
    expect((await first.complete(await signIn(first, T.defaultDirectory, 'kelley-msa'))).ok).toBe(
      true,
    );
    await expect(
      signInFor(storage).credential('teams-user-kelley', 'arm').getToken([]),
    ).rejects.toMatchObject({
      def: { code: 'TL-AUTH-SIGNIN-REQUIRED' },
    });
  });

  it('ends the sign-in when the refresh token is revoked', async () => {
    const storage = new MemoryStorage();
    const key = Sealer.newKey();
    const service = signInFor(storage, key);
    expect(
      (await service.complete(await signIn(service, T.defaultDirectory, 'kelley-msa'))).ok,
    ).toBe(true);
    const http = new SandboxHttp(sandbox);
    const revoked = await http.call('POST', '/_sandbox/accounts/kelley-msa/revokeSignInSessions');
    await http.close();
    expect(revoked.body.revoked).toBeGreaterThan(0);
    // A new process: nothing in memory, the sealed cache's access token is still valid, so ask
    // for Graph, which the cache has no token for yet and must refresh.
    const fresh = signInFor(storage, key);
    await expect(fresh.credential('teams-user-kelley', 'graph').getToken([])).rejects.toMatchObject(
      {
        def: { code: 'TL-AUTH-SIGNIN-REQUIRED' },
      },
    );
    expect(await fresh.account('teams-user-kelley')).toBeUndefined();
  });

  describe('when a refresh fails (issue 27)', () => {
    afterEach(() => sandbox.reset());

    /** Signs Kelley in, then returns a new process's sign-in over the same sealed cache. */
    async function signedInThenRestarted(storage: MemoryStorage): Promise<DirectorySignIn> {
      const key = Sealer.newKey();
      const service = signInFor(storage, key);
      expect(
        (await service.complete(await signIn(service, T.defaultDirectory, 'kelley-msa'))).ok,
      ).toBe(true);
      // Nothing in memory; the cache has no Graph token yet, so asking for one must refresh.
      return signInFor(storage, key);
    }

    it.each([400, 503])(
      'keeps the sign-in when the identity platform is temporarily unavailable (HTTP %i)',
      async (status) => {
        const fresh = await signedInThenRestarted(new MemoryStorage());
        sandbox.setFaults({
          rules: [
            {
              api: 'login',
              method: 'POST',
              path: '/oauth2/v2\\.0/token$',
              status,
              code: 'temporarily_unavailable',
              aadsts: 90033,
            },
          ],
        });
        await expect(
          fresh.credential('teams-user-kelley', 'graph').getToken([]),
        ).rejects.toMatchObject({ def: { code: 'TL-CLOUD-UNAVAILABLE' } });
        expect(sandbox.injectedFaults().login).toBeGreaterThan(0);
        // The cloud is back: the same refresh token works, with no new sign-in.
        sandbox.setFaults({});
        const graph = await fresh.credential('teams-user-kelley', 'graph').getToken([]);
        expect(decodeJwt(graph!.token)).toMatchObject({
          aud: '00000003-0000-0000-c000-000000000000',
        });
        expect(await fresh.account('teams-user-kelley')).toMatchObject({
          tenantId: T.defaultDirectory,
        });
      },
    );

    it.each([70008, 50173, 700082])(
      'ends the sign-in on invalid_grant (AADSTS%i)',
      async (aadsts) => {
        const fresh = await signedInThenRestarted(new MemoryStorage());
        sandbox.setFaults({
          rules: [
            {
              api: 'login',
              method: 'POST',
              path: '/oauth2/v2\\.0/token$',
              status: 400,
              code: 'invalid_grant',
              aadsts,
            },
          ],
        });
        await expect(
          fresh.credential('teams-user-kelley', 'graph').getToken([]),
        ).rejects.toMatchObject({ def: { code: 'TL-AUTH-SIGNIN-REQUIRED' } });
        sandbox.setFaults({});
        expect(await fresh.account('teams-user-kelley')).toBeUndefined();
      },
    );
  });

  describe('with access tokens opaque to the client (issue 27)', () => {
    let opaque: SandboxCloud;
    beforeAll(async () => {
      opaque = await startSandboxCloud({ opaqueAccessTokens: true });
    });
    afterAll(async () => {
      await opaque.stop();
    });

    function opaqueSignIn(storage: MemoryStorage): DirectorySignIn {
      return new DirectorySignIn(storage, {
        clientId: IDS.applications.test,
        credential: { clientSecret: 'sandbox-secret' },
        redirectUri: REDIRECT,
        authorityHost: opaque.authorityHost,
        cacheKey: Sealer.newKey(),
        http: { caCertificatePem: opaque.caCertificatePem, timeoutMs: 10_000, maxRetries: 0 },
      });
    }

    it.each([
      [
        'kelley-msa',
        'teams-user-kelley',
        T.defaultDirectory,
        { email: 'kelley.wall@outlook.com', identityProvider: 'live.com' },
      ],
      ['jane-work', 'teams-user-jane', T.contosoLab, { objectId: IDS.users.janeGuestInLab }],
    ])('reads who signed in (%s) from the ID token', async (account, userId, tenantId, who) => {
      const service = opaqueSignIn(new MemoryStorage());
      const url = await service.begin(context(tenantId, userId));
      const page = await answerSignInPage(url, opaque.caCertificatePem, { account });
      const done = await service.complete(redirectQuery(page.location));
      expect(done).toMatchObject({ ok: true, account: { tenantId, ...who } });
      const arm = await service.credential(userId, 'arm').getToken([]);
      // Not a JWT to the client, yet the sandbox's ARM takes it.
      expect(() => decodeJwt(arm!.token)).toThrow();
      const http = new SandboxHttp(opaque);
      const subscriptions = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', {
        token: arm!.token,
      });
      await http.close();
      expect(subscriptions.status).toBe(200);
      expect(await service.account(userId)).toMatchObject({ tenantId, ...who });
    });
  });

  describe('with a client assertion instead of a secret (the managed identity, issue 26)', () => {
    afterEach(() => sandbox.reset());

    /** Client assertions from the sandbox's managed identity endpoint, as App Service serves them. */
    function identityAssertions(http: SandboxHttp): ClientAssertionSource & { asked: number } {
      let last: string | undefined;
      const source = {
        asked: 0,
        async get() {
          source.asked++;
          const res = await http.call(
            'GET',
            `/msi/token?resource=api://AzureADTokenExchange&api-version=2019-08-01&client_id=${IDS.managedIdentities.bot.clientId}`,
            { headers: { 'x-identity-header': sandbox.identityHeader } },
          );
          last = res.body.access_token as string;
          return last;
        },
        forget: () => (last = undefined),
        identity: () => {
          if (!last) return undefined;
          const c = decodeJwt(last);
          return { issuer: c.iss ?? '', subject: c.sub ?? '', audience: String(c.aud) };
        },
      };
      return source;
    }

    it("signs in through the secretless app, and a refused assertion on a refresh keeps the user's sign-in", async () => {
      const http = new SandboxHttp(sandbox);
      const storage = new MemoryStorage();
      const key = Sealer.newKey();
      const assertions = identityAssertions(http);
      const app = {
        clientId: IDS.applications.federated,
        credential: { clientAssertion: assertions },
      };
      const service = signInFor(storage, key, app);
      const done = await service.complete(await signIn(service, T.defaultDirectory, 'kelley-msa'));
      expect(done.ok).toBe(true);
      expect(assertions.asked).toBe(1);
      // The operator points the federated credential at another identity.
      const patched = await http.call(
        'PATCH',
        `/_sandbox/applications/${IDS.applications.federated}/federatedIdentityCredentials/tenantlink-bot-identity`,
        {
          body: {
            issuer: assertions.identity()!.issuer,
            subject: '00000000-1111-2222-3333-444444444444',
            audiences: ['api://AzureADTokenExchange'],
          },
        },
      );
      expect(patched.status).toBe(204);
      // A new process must refresh for Graph: the app's credential is refused, not the user.
      const fresh = signInFor(storage, key, app);
      await expect(
        fresh.credential('teams-user-kelley', 'graph').getToken([]),
      ).rejects.toMatchObject({
        def: { code: 'TL-AUTH-SIGNIN-CREDENTIAL' },
        params: { code: 'AADSTS70021' },
      });
      // Once the operator fixes it, the user's sign-in works again: it was kept, not ended.
      sandbox.reset();
      expect(await fresh.account('teams-user-kelley')).toMatchObject({
        tenantId: T.defaultDirectory,
      });
      await http.close();
    });

    it('answers TL-AUTH-SIGNIN-CREDENTIAL when the managed identity gives no assertion', async () => {
      const service = signInFor(new MemoryStorage(), Sealer.newKey(), {
        clientId: IDS.applications.federated,
        credential: {
          clientAssertion: {
            get: () =>
              Promise.reject(
                new TenantlinkError('signInCredential', { detail: 'identity endpoint down' }),
              ),
            forget: () => undefined,
            identity: () => undefined,
          },
        },
      });
      const done = await service.complete(await signIn(service, T.defaultDirectory, 'kelley-msa'));
      expect(done).toMatchObject({
        ok: false,
        reason: 'appCredential',
        detail: 'TL-AUTH-SIGNIN-CREDENTIAL',
      });
    });
  });
});
