import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';

let sandbox: SandboxCloud;
let http: SandboxHttp;
let kelley: string;
let jane: string;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
  kelley = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'graph');
  jane = await http.token(IDS.tenants.contoso, 'jane@contoso.onmicrosoft.com', 'graph');
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

const g = (path: string) => `/graph/v1.0${path}`;

describe('sandbox Graph', () => {
  it('answers 401 InvalidAuthenticationToken without a valid token, and for an ARM token', async () => {
    const none = await http.call('GET', g('/me'));
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('InvalidAuthenticationToken');
    expect(none.body.error.innerError['request-id']).toEqual(expect.any(String));
    const arm = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
    expect((await http.call('GET', g('/me'), { token: arm })).status).toBe(401);
    expect((await http.call('GET', g('/me'), { token: `${kelley}x` })).status).toBe(401);
  });

  it('returns /me with $select and /organization with verified domains', async () => {
    const me = await http.call('GET', g('/me?$select=id,displayName,mail'), { token: kelley });
    expect(me.body).toMatchObject({
      id: IDS.users.kelleyContoso,
      displayName: 'Kelley Wall',
      mail: 'admin@contoso.onmicrosoft.com',
    });
    expect(me.body.userPrincipalName).toBeUndefined();
    const org = await http.call('GET', g('/organization'), { token: kelley });
    expect(org.body.value[0]).toMatchObject({ id: IDS.tenants.contoso, displayName: 'Contoso' });
    expect(org.body.value[0].verifiedDomains[0]).toMatchObject({
      name: 'contoso.onmicrosoft.com',
      isInitial: true,
    });
  });

  it('lists the directory roles of the signed-in user, as an advanced query only', async () => {
    const cast = (path: string) => g(`${path}/microsoft.graph.directoryRole?$count=true`);
    const advanced = { ConsistencyLevel: 'eventual' };
    const admin = await http.call('GET', cast('/me/memberOf'), {
      token: kelley,
      headers: advanced,
    });
    expect(admin.body['@odata.count']).toBe(1);
    expect(admin.body.value).toEqual([
      expect.objectContaining({
        displayName: 'Global Administrator',
        roleTemplateId: '62e90394-69f5-4237-9190-012177145e10',
      }),
    ]);
    const user = await http.call('GET', cast('/me/transitiveMemberOf'), {
      token: jane,
      headers: advanced,
    });
    expect(user.body.value).toEqual([]);
    // An OData cast needs ConsistencyLevel: eventual and $count=true, as Graph requires.
    for (const [path, headers] of [
      [g('/me/memberOf/microsoft.graph.directoryRole'), advanced],
      [cast('/me/transitiveMemberOf'), {}],
    ] as const) {
      const refused = await http.call('GET', path, { token: kelley, headers });
      expect([refused.status, refused.body.error.code]).toEqual([400, 'Request_UnsupportedQuery']);
    }
  });

  it('gives the roles of a role-assignable group to its members, transitively only', async () => {
    const lidia = await http.token(IDS.tenants.contoso, 'lidia@contoso.onmicrosoft.com', 'graph');
    const headers = { ConsistencyLevel: 'eventual' };
    const path = (rel: string) => g(`/me/${rel}/microsoft.graph.directoryRole?$count=true`);
    const direct = await http.call('GET', path('memberOf'), { token: lidia, headers });
    expect(direct.body.value).toEqual([]);
    const transitive = await http.call('GET', path('transitiveMemberOf'), {
      token: lidia,
      headers,
    });
    expect(transitive.body.value.map((r: { roleTemplateId: string }) => r.roleTemplateId)).toEqual([
      '62e90394-69f5-4237-9190-012177145e10',
    ]);
  });

  it("lists a user's PIM eligibilities for the current user only", async () => {
    const nestor = await http.token(IDS.tenants.contoso, 'nestor@contoso.onmicrosoft.com', 'graph');
    const path = g(
      "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
    );
    const mine = await http.call('GET', path, { token: nestor });
    expect(mine.body.value).toEqual([
      expect.objectContaining({
        principalId: IDS.users.nestorContoso,
        roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
        directoryScopeId: '/',
      }),
    ]);
    expect((await http.call('GET', path, { token: kelley })).body.value).toEqual([]);
  });

  it('filters users by mail, upn and id in (…), and refuses an unsupported filter', async () => {
    const byMail = await http.call(
      'GET',
      g("/users?$filter=mail eq 'JANE@contoso.onmicrosoft.com'"),
      { token: kelley },
    );
    expect(byMail.body.value.map((u: { id: string }) => u.id)).toEqual([IDS.users.janeContoso]);
    const byIds = await http.call(
      'GET',
      g(
        `/users?$filter=id in ('${IDS.users.janeContoso}','${IDS.users.triciaContoso}')&$select=displayName`,
      ),
      { token: kelley },
    );
    expect(byIds.body.value.map((u: { displayName: string }) => u.displayName).sort()).toEqual([
      'Jane Doe',
      'Tricia Hall',
    ]);
    const bad = await http.call('GET', g("/users?$filter=department ne 'x'"), { token: kelley });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('pages users with an absolute @odata.nextLink until the last page', async () => {
    const seen: string[] = [];
    let url: string | undefined = g('/users?$top=3&$select=id');
    let pages = 0;
    while (url) {
      const res = await http.call('GET', url, { token: kelley });
      expect(res.status).toBe(200);
      seen.push(...res.body.value.map((u: { id: string }) => u.id));
      url = res.body['@odata.nextLink'];
      if (url) expect(url.startsWith(sandbox.url)).toBe(true);
      pages++;
    }
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);
  });

  it('requires ConsistencyLevel: eventual for $search', async () => {
    const without = await http.call('GET', g('/users?$search="displayName:tri"'), {
      token: kelley,
    });
    expect(without.status).toBe(400);
    const withHeader = await http.call('GET', g('/users?$search="displayName:tri"'), {
      token: kelley,
      headers: { ConsistencyLevel: 'eventual' },
    });
    expect(withHeader.body.value.map((u: { displayName: string }) => u.displayName)).toEqual([
      'Tricia Hall',
    ]);
  });

  it('lists global administrators with $expand=principal and requires a filter', async () => {
    const res = await http.call(
      'GET',
      g(
        "/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '62e90394-69f5-4237-9190-012177145e10'&$expand=principal",
      ),
      { token: jane },
    );
    expect(
      res.body.value
        .map((a: { principal: { userPrincipalName: string } }) => a.principal.userPrincipalName)
        .sort(),
    ).toEqual(['admin@contoso.onmicrosoft.com', 'megan@contoso.onmicrosoft.com']);
    expect(
      (await http.call('GET', g('/roleManagement/directory/roleAssignments'), { token: jane }))
        .status,
    ).toBe(400);
  });

  it('invites a guest (global admin only) and shows it in the state', async () => {
    const body = {
      invitedUserEmailAddress: 'sam.dev@outlook.com',
      inviteRedirectUrl: 'https://portal.azure.com',
    };
    const denied = await http.call('POST', g('/invitations'), { token: jane, body });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('Authorization_RequestDenied');
    const res = await http.call('POST', g('/invitations'), { token: kelley, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'PendingAcceptance',
      invitedUserEmailAddress: 'sam.dev@outlook.com',
    });
    const contoso = sandbox.snapshot().tenants.find((t) => t.id === IDS.tenants.contoso);
    expect(contoso?.users.find((u) => u.id === res.body.invitedUser.id)?.userType).toBe('Guest');
    expect(
      (
        await http.call('POST', g('/invitations'), {
          token: kelley,
          body: { invitedUserEmailAddress: 'no' },
        })
      ).status,
    ).toBe(400);
  });

  it('reports Office 365 subscribed SKUs', async () => {
    const res = await http.call('GET', g('/subscribedSkus'), { token: kelley });
    expect(res.body.value[0].skuPartNumber).toBe('ENTERPRISEPACK');
  });

  it('answers a $batch in order, with per-request errors, and refuses more than 20 requests', async () => {
    const res = await http.call('POST', g('/$batch'), {
      token: kelley,
      body: {
        requests: [
          { id: '1', method: 'GET', url: '/me?$select=id' },
          { id: '2', method: 'GET', url: '/users/00000000-0000-0000-0000-000000000000' },
          {
            id: '3',
            method: 'GET',
            url: "/users?$filter=userPrincipalName eq 'tricia@contoso.onmicrosoft.com'",
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1'].body.id).toBe(IDS.users.kelleyContoso);
    expect(byId['2'].status).toBe(404);
    expect(byId['2'].body.error.code).toBe('Request_ResourceNotFound');
    expect(byId['3'].body.value[0].id).toBe(IDS.users.triciaContoso);
    const tooMany = await http.call('POST', g('/$batch'), {
      token: kelley,
      body: {
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: 'GET',
          url: '/me',
        })),
      },
    });
    expect(tooMany.status).toBe(400);
  });

  it('injects 429 with Retry-After into batch sub-requests and plain calls', async () => {
    sandbox.setFaults({
      rules: [{ api: 'graph', path: '^/users', status: 429, retryAfterSeconds: 7, count: 1 }],
    });
    const res = await http.call('POST', g('/$batch'), {
      token: kelley,
      body: { requests: [{ id: '1', method: 'GET', url: '/users' }] },
    });
    expect(res.body.responses[0].status).toBe(429);
    expect(res.body.responses[0].headers['retry-after']).toBe('7');
    const after = await http.call('GET', g('/users'), { token: kelley });
    expect(after.status).toBe(200);
    expect(sandbox.injectedFaults().graph).toBe(1);
  });
});
