import { BUILT_IN_ROLES } from '../../src/domain/roles';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';

let sandbox: SandboxCloud;
let http: SandboxHttp;
let kelleyMsa: string; // Owner of Pay-As-You-Go, in its Default Directory
let reader: string; // Reader only
let kelleyContoso: string; // Contoso global admin, ARM token in Contoso

const S = IDS.subscriptions;
const ra = (sub: string, name = '') =>
  `/arm/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments${name ? `/${name}` : ''}?api-version=2022-04-01`;
const ctr = (sub: string) =>
  `/arm/subscriptions/${sub}/providers/Microsoft.Subscription/changeTenantRequest/default?api-version=2024-08-01-preview`;
const accept = (sub: string) =>
  `/arm/providers/Microsoft.Subscription/subscriptions/${sub}/acceptChangeTenant?api-version=2024-08-01-preview`;
const changeStatus = (sub: string) =>
  `/arm/providers/Microsoft.Subscription/subscriptions/${sub}/changeTenantStatus?api-version=2024-08-01-preview`;
const roleDef = (sub: string, role: keyof typeof BUILT_IN_ROLES) =>
  `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
  // A Microsoft account gets ARM tokens from its directory's own authority, never from common.
  kelleyMsa = await http.token(IDS.tenants.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
  reader = await http.token(IDS.tenants.defaultDirectory, 'reader.only@outlook.com', 'arm');
  kelleyContoso = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'arm');
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

describe('sandbox ARM: subscriptions and tenants', () => {
  it('lists the subscriptions the caller has a role on in the token directory', async () => {
    const res = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', {
      token: kelleyMsa,
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-ms-correlation-request-id']).toEqual(expect.any(String));
    expect(res.body.value.map((s: { displayName: string }) => s.displayName).sort()).toEqual([
      'Dev/Test',
      'Pay-As-You-Go',
      'Visual Studio Enterprise',
    ]);
    expect(res.body.value[0]).toMatchObject({
      state: 'Enabled',
      tenantId: IDS.tenants.defaultDirectory,
      authorizationSource: 'RoleBased',
    });
    const none = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', {
      token: kelleyContoso,
    });
    expect(none.body.value).toEqual([]);
  });

  it('requires a valid api-version and token', async () => {
    expect(
      (await http.call('GET', '/arm/subscriptions', { token: kelleyMsa })).body.error.code,
    ).toBe('MissingApiVersionParameter');
    expect(
      (await http.call('GET', '/arm/subscriptions?api-version=1999-01-01', { token: kelleyMsa }))
        .body.error.code,
    ).toBe('InvalidApiVersionParameter');
    const anon = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('AuthenticationFailed');
  });

  it('answers 401 InvalidAuthenticationTokenTenant for a subscription of another directory, 404 for an unknown one', async () => {
    const other = await http.call(
      'GET',
      `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`,
      { token: kelleyContoso },
    );
    expect(other.status).toBe(401);
    expect(other.body.error.code).toBe('InvalidAuthenticationTokenTenant');
    const unknown = await http.call(
      'GET',
      '/arm/subscriptions/00000000-0000-0000-0000-000000000000?api-version=2022-12-01',
      { token: kelleyMsa },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SubscriptionNotFound');
  });

  it('lists the tenants of the account', async () => {
    const res = await http.call('GET', '/arm/tenants?api-version=2022-12-01', { token: kelleyMsa });
    expect(res.body.value.map((t: { tenantId: string }) => t.tenantId)).toEqual([
      IDS.tenants.defaultDirectory,
    ]);
  });
});

describe('sandbox ARM: role assignments', () => {
  it('filters with atScope() and assignedTo()', async () => {
    const all = await http.call('GET', ra(S.payAsYouGo), { token: kelleyMsa });
    expect(all.body.value).toHaveLength(5);
    const atScope = await http.call('GET', `${ra(S.payAsYouGo)}&$filter=atScope()`, {
      token: kelleyMsa,
    });
    expect(atScope.body.value).toHaveLength(4);
    const mine = await http.call(
      'GET',
      `${ra(S.payAsYouGo)}&$filter=${encodeURIComponent(`atScope() and assignedTo('${IDS.users.kelleyMsaInDefault}')`)}`,
      { token: kelleyMsa },
    );
    expect(mine.body.value).toHaveLength(1);
    expect(mine.body.value[0].properties).toMatchObject({
      principalType: 'User',
      scope: `/subscriptions/${S.payAsYouGo}`,
      roleDefinitionId: roleDef(S.payAsYouGo, 'Owner'),
    });
    expect(
      (await http.call('GET', `${ra(S.payAsYouGo)}&$filter=foo`, { token: kelleyMsa })).status,
    ).toBe(400);
  });

  it('creates an assignment (201), answers 409 RoleAssignmentExists to a repeat, 403 to a Reader', async () => {
    const name = '0b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f';
    const body = {
      properties: {
        roleDefinitionId: roleDef(S.payAsYouGo, 'Reader'),
        principalId: IDS.users.kelleyMsaInDefault,
        principalType: 'User',
      },
    };
    const created = await http.call('PUT', ra(S.payAsYouGo, name), { token: kelleyMsa, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, type: 'Microsoft.Authorization/roleAssignments' });
    const again = await http.call('PUT', ra(S.payAsYouGo, '1b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f'), {
      token: kelleyMsa,
      body,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RoleAssignmentExists');
    const denied = await http.call(
      'PUT',
      ra(S.payAsYouGo, '2b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f'),
      { token: reader, body },
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('AuthorizationFailed');
  });

  it('refuses an unknown principal, a wrong principalType and a non-GUID name', async () => {
    const put = (name: string, principalId: string, principalType = 'User') =>
      http.call('PUT', ra(S.payAsYouGo, name), {
        token: kelleyMsa,
        body: {
          properties: {
            roleDefinitionId: roleDef(S.payAsYouGo, 'Reader'),
            principalId,
            principalType,
          },
        },
      });
    expect(
      (await put('3b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f', IDS.users.janeContoso)).body.error.code,
    ).toBe('PrincipalNotFound');
    expect(
      (await put('4b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f', IDS.principals.buildPipelineSp)).body.error
        .code,
    ).toBe('UnmatchedPrincipalType');
    expect((await put('not-a-guid', IDS.users.samMsaInDefault)).body.error.code).toBe(
      'InvalidRoleAssignmentId',
    );
  });
});

describe('sandbox ARM: directory change', () => {
  it('lists, withdraws and then no longer returns a request, as the spec operations answer', async () => {
    const body = {
      properties: {
        destinationTenantId: IDS.tenants.contoso,
        destinationOwnerId: IDS.users.kelleyContoso,
      },
    };
    expect((await http.call('PUT', ctr(S.payAsYouGo), { token: kelleyMsa, body })).status).toBe(
      200,
    );
    const list = await http.call(
      'GET',
      `/arm/subscriptions/${S.payAsYouGo}/providers/Microsoft.Subscription/changeTenantRequest?api-version=2024-08-01-preview`,
      { token: kelleyMsa },
    );
    expect(list.status).toBe(200);
    expect(list.body.value).toEqual([
      expect.objectContaining({
        name: 'default',
        type: 'Microsoft.Subscription/changeTenantRequest',
        properties: expect.objectContaining({ status: 'Initiated' }),
      }),
    ]);
    // Subscriptions_DeleteTargetDirectory: 200, no body; then the request is gone.
    const deleted = await http.call('DELETE', ctr(S.payAsYouGo), { token: kelleyMsa });
    expect([deleted.status, deleted.body]).toEqual([200, undefined]);
    expect((await http.call('GET', ctr(S.payAsYouGo), { token: kelleyMsa })).status).toBe(404);
    expect((await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso })).status).toBe(
      404,
    );
    expect((await http.call('DELETE', ctr(S.payAsYouGo), { token: kelleyMsa })).status).toBe(404);
  });

  it('hides a moved subscription from its new directory until propagation ends', async () => {
    sandbox.setFaults({ propagationDelayMs: 60_000 });
    const body = {
      properties: {
        destinationTenantId: IDS.tenants.contoso,
        destinationOwnerId: IDS.users.kelleyContoso,
      },
    };
    await http.call('PUT', ctr(S.payAsYouGo), { token: kelleyMsa, body });
    expect((await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso })).status).toBe(
      204,
    );
    const get = await http.call(
      'GET',
      `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`,
      {
        token: kelleyContoso,
      },
    );
    expect([get.status, get.body.error.code]).toEqual([404, 'SubscriptionNotFound']);
    const list = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', {
      token: kelleyContoso,
    });
    expect(list.body.value.map((s: { subscriptionId: string }) => s.subscriptionId)).not.toContain(
      S.payAsYouGo,
    );
    const status = await http.call('POST', changeStatus(S.payAsYouGo), { token: kelleyContoso });
    expect(status.body).toEqual({ status: 'Completed' });
  });

  it('moves the subscription on accept, deletes every role assignment and makes the acceptor Owner', async () => {
    const req = await http.call('PUT', ctr(S.payAsYouGo), {
      token: kelleyMsa,
      body: {
        properties: {
          destinationTenantId: IDS.tenants.contoso,
          destinationOwnerId: IDS.users.kelleyContoso,
        },
      },
    });
    // Subscriptions_PutTargetDirectory answers 200 only, status Initiated (putTargetDirectory.json).
    expect(req.status).toBe(200);
    expect(req.body.properties).toMatchObject({
      status: 'Initiated',
      destinationTenantId: IDS.tenants.contoso,
    });
    expect(
      (await http.call('GET', ctr(S.payAsYouGo), { token: kelleyMsa })).body.properties.status,
    ).toBe('Initiated');

    const jane = await http.token(IDS.tenants.contoso, 'jane@contoso.onmicrosoft.com', 'arm');
    expect((await http.call('POST', accept(S.payAsYouGo), { token: jane })).status).toBe(403);

    // Subscriptions_AcceptTargetDirectory: 204, no body; the acceptor reads the status.
    const accepted = await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso });
    expect(accepted.status).toBe(204);
    expect(accepted.body).toBeUndefined();
    const status = await http.call('POST', changeStatus(S.payAsYouGo), { token: kelleyContoso });
    expect(status).toMatchObject({ status: 200, body: { status: 'Completed' } });
    const sub = sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo);
    expect(sub?.tenantId).toBe(IDS.tenants.contoso);
    expect(sub?.roleAssignments.map((a) => [a.principalId, a.roleDefinitionId])).toEqual([
      [IDS.users.kelleyContoso, BUILT_IN_ROLES.Owner],
    ]);

    const now = await http.call(
      'GET',
      `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`,
      { token: kelleyContoso },
    );
    expect(now.body.tenantId).toBe(IDS.tenants.contoso);
    expect(
      (
        await http.call('GET', `/arm/subscriptions/${S.payAsYouGo}?api-version=2022-12-01`, {
          token: kelleyMsa,
        })
      ).body.error.code,
    ).toBe('InvalidAuthenticationTokenTenant');
    expect((await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso })).status).toBe(
      409,
    );
  });

  it('cancels a pending request with DELETE', async () => {
    const body = {
      properties: {
        destinationTenantId: IDS.tenants.contoso,
        destinationOwnerId: 'admin@contoso.onmicrosoft.com',
      },
    };
    await http.call('PUT', ctr(S.payAsYouGo), { token: kelleyMsa, body });
    expect((await http.call('DELETE', ctr(S.payAsYouGo), { token: kelleyMsa })).status).toBe(200);
    expect((await http.call('GET', ctr(S.payAsYouGo), { token: kelleyMsa })).status).toBe(404);
    expect((await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso })).status).toBe(
      404,
    );
  });

  it.each([
    ['blocked by tenant policy', S.visualStudio, 403, 'RequestDisallowedByPolicy'],
    ['preview API not available', S.devTest, 400, 'InvalidResourceType'],
  ])('refuses a move %s', async (_name, sub, status, code) => {
    const res = await http.call('PUT', ctr(sub), {
      token: kelleyMsa,
      body: {
        properties: {
          destinationTenantId: IDS.tenants.contoso,
          destinationOwnerId: IDS.users.kelleyContoso,
        },
      },
    });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('refuses a request from a non-Owner', async () => {
    const res = await http.call('PUT', ctr(S.payAsYouGo), {
      token: reader,
      body: {
        properties: {
          destinationTenantId: IDS.tenants.contoso,
          destinationOwnerId: IDS.users.kelleyContoso,
        },
      },
    });
    expect(res.status).toBe(403);
  });
});

describe('sandbox faults', () => {
  it('answers 429 with Retry-After, then recovers after the rule is spent', async () => {
    sandbox.setFaults({
      rules: [
        {
          api: 'arm',
          method: 'GET',
          path: '^/subscriptions$',
          status: 429,
          retryAfterSeconds: 3,
          count: 1,
        },
      ],
    });
    const first = await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', {
      token: kelleyMsa,
    });
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect(first.body.error.code).toBe('TooManyRequests');
    expect(
      (await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', { token: kelleyMsa }))
        .status,
    ).toBe(200);
  });

  it('fires every n-th call and answers 503', async () => {
    sandbox.setFaults({ rules: [{ api: 'arm', status: 503, every: 2 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await http.call('GET', '/arm/tenants?api-version=2022-12-01', { token: kelleyMsa }))
          .status,
      );
    expect(statuses).toEqual([200, 503, 200, 503]);
  });

  it('hides a newly invited principal from ARM during the replication delay', async () => {
    sandbox.setFaults({ replicationDelayMs: 60_000 });
    const graph = await http.token(
      IDS.tenants.defaultDirectory,
      'kelley.wall@outlook.com',
      'graph',
    );
    const invited = await http.call('POST', '/graph/v1.0/invitations', {
      token: graph,
      body: {
        invitedUserEmailAddress: 'new.person@example.com',
        inviteRedirectUrl: 'https://portal.azure.com',
      },
    });
    expect(invited.status).toBe(201);
    const res = await http.call('PUT', ra(S.payAsYouGo, '5b3a6a3c-0d4c-4b1a-9d7e-1a2b3c4d5e6f'), {
      token: kelleyMsa,
      body: {
        properties: {
          roleDefinitionId: roleDef(S.payAsYouGo, 'Reader'),
          principalId: invited.body.invitedUser.id,
          principalType: 'User',
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('PrincipalNotFound');
  });

  it('validates the faults body over HTTP', async () => {
    const res = await http.call('POST', '/_sandbox/faults', { body: { rules: [{ status: 99 }] } });
    expect(res.status).toBe(400);
  });
});

describe('sandbox call counts and write log', () => {
  it('counts calls per service and logs only the writes, in order', async () => {
    sandbox.resetCallCounts();
    await http.call('GET', '/arm/subscriptions?api-version=2022-12-01', { token: kelleyMsa });
    await http.call('PUT', ctr(S.payAsYouGo), {
      token: kelleyMsa,
      body: {
        properties: {
          destinationTenantId: IDS.tenants.contoso,
          destinationOwnerId: IDS.users.kelleyContoso,
        },
      },
    });
    await http.call(
      'POST',
      `/arm/providers/Microsoft.Subscription/subscriptions/${S.payAsYouGo}/changeTenantStatus?api-version=2024-08-01-preview`,
      { token: kelleyMsa },
    );
    await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso });
    expect(sandbox.callCounts()).toEqual({ login: 0, graph: 0, arm: 4 });
    expect(sandbox.writeLog().map((w) => `${w.method} ${w.path}`)).toEqual([
      `PUT /subscriptions/${S.payAsYouGo}/providers/Microsoft.Subscription/changeTenantRequest/default`,
      `POST /providers/Microsoft.Subscription/subscriptions/${S.payAsYouGo}/acceptChangeTenant`,
    ]);
    sandbox.resetCallCounts();
    expect(sandbox.writeLog()).toEqual([]);
  });
});

describe('sandbox ARM: custom role definitions', () => {
  const defs = (sub: string, id = '') =>
    `/arm/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions${id ? `/${id}` : ''}?api-version=2022-04-01`;
  const ID = '6a8b0c2d-4e6f-4a1b-9c3d-5e7f9a1b3c5d';
  const body = (roleName: string, scope = `/subscriptions/${S.payAsYouGo}`) => ({
    properties: {
      roleName,
      description: 'Deploys the shop.',
      type: 'CustomRole',
      permissions: [{ actions: ['Microsoft.Web/sites/*'] }],
      assignableScopes: [scope],
    },
  });

  it('creates and updates a custom role (201 both times, as RoleDefinitions_CreateOrUpdate declares), lists it with the CustomRole filter, and assigns it', async () => {
    let res = await http.call('PUT', defs(S.payAsYouGo, ID), {
      token: kelleyMsa,
      body: body('Web Deployer'),
    });
    expect(res.status).toBe(201);
    res = await http.call('PUT', defs(S.payAsYouGo, ID), {
      token: kelleyMsa,
      body: body('Web Deployer'),
    });
    expect(res.status).toBe(201);
    res = await http.call(
      'GET',
      `${defs(S.payAsYouGo)}&$filter=${encodeURIComponent("type eq 'CustomRole'")}`,
      {
        token: kelleyMsa,
      },
    );
    expect(res.body.value).toEqual([
      expect.objectContaining({
        name: ID,
        properties: expect.objectContaining({ type: 'CustomRole', roleName: 'Web Deployer' }),
      }),
    ]);
    res = await http.call('PUT', ra(S.payAsYouGo, '11111111-2222-4333-8444-555555555555'), {
      token: kelleyMsa,
      body: {
        properties: {
          roleDefinitionId: `/subscriptions/${S.payAsYouGo}/providers/Microsoft.Authorization/roleDefinitions/${ID}`,
          principalId: IDS.users.samMsaInDefault,
          principalType: 'User',
        },
      },
    });
    expect(res.status).toBe(201);
  });

  it('refuses a Reader (403), a scope outside the subscription (403) and a duplicate name (409)', async () => {
    expect(
      (await http.call('PUT', defs(S.payAsYouGo, ID), { token: reader, body: body('X') })).status,
    ).toBe(403);
    expect(
      (
        await http.call('PUT', defs(S.payAsYouGo, ID), {
          token: kelleyMsa,
          body: body('X', `/subscriptions/${S.devTest}`),
        })
      ).status,
    ).toBe(403);
    await http.call('PUT', defs(S.payAsYouGo, ID), {
      token: kelleyMsa,
      body: body('Web Deployer'),
    });
    const dup = await http.call('PUT', defs(S.payAsYouGo, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'), {
      token: kelleyMsa,
      body: body('web deployer'),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('RoleDefinitionWithSameNameExists');
  });

  it('deletes the custom roles when the subscription moves to another directory', async () => {
    await http.call('PUT', defs(S.payAsYouGo, ID), {
      token: kelleyMsa,
      body: body('Web Deployer'),
    });
    sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
    await http.call('PUT', ctr(S.payAsYouGo), {
      token: kelleyMsa,
      body: {
        properties: {
          destinationTenantId: IDS.tenants.contoso,
          destinationOwnerId: IDS.users.kelleyContoso,
        },
      },
    });
    expect((await http.call('POST', accept(S.payAsYouGo), { token: kelleyContoso })).status).toBe(
      204,
    );
    const moved = sandbox.snapshot().subscriptions.find((s) => s.subscriptionId === S.payAsYouGo)!;
    expect(moved.customRoles).toEqual([]);
  });
});

describe('sandbox ARM: key vault permission model and role assignments at a resource', () => {
  const VAULT = `/arm/subscriptions/${S.payAsYouGo}/resourceGroups/rg-web/providers/Microsoft.KeyVault/vaults/kv-kelley-web`;
  const kv = `${VAULT}?api-version=2023-07-01`;

  it('keeps enableRbacAuthorization unless a PATCH sets it, and refuses a non-boolean', async () => {
    const get = await http.call('GET', kv, { token: kelleyMsa });
    expect(get.body.properties.enableRbacAuthorization).toBe(false);
    const policies = get.body.properties.accessPolicies;

    const on = await http.call('PATCH', kv, {
      token: kelleyMsa,
      body: { properties: { enableRbacAuthorization: true } },
    });
    expect(on.status).toBe(200);
    expect(on.body.properties).toMatchObject({ enableRbacAuthorization: true });
    // A property not in the PATCH does not change: the (now ignored) policies stay.
    const moved = await http.call('PATCH', kv, {
      token: kelleyMsa,
      body: { properties: { tenantId: IDS.tenants.contoso } },
    });
    expect(moved.body.properties).toMatchObject({
      tenantId: IDS.tenants.contoso,
      enableRbacAuthorization: true,
      accessPolicies: policies,
    });
    const bad = await http.call('PATCH', kv, {
      token: kelleyMsa,
      body: { properties: { enableRbacAuthorization: 'yes' } },
    });
    expect(bad.status).toBe(400);
  });

  it('creates, lists and deletes a role assignment at a vault and at one of its secrets', async () => {
    const at = (scope: string, name = '') =>
      `${scope}/providers/Microsoft.Authorization/roleAssignments${name ? `/${name}` : ''}?api-version=2022-04-01`;
    const name = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const body = (scope: string) => ({
      properties: {
        roleDefinitionId: `${scope.replace(/^\/arm/, '')}/providers/Microsoft.Authorization/roleDefinitions/21090545-7ca7-4776-b22c-e363652d74d2`,
        principalId: IDS.users.samMsaInDefault,
        principalType: 'User',
      },
    });
    const put = await http.call('PUT', at(VAULT, name), { token: kelleyMsa, body: body(VAULT) });
    expect(put.status).toBe(201);
    expect(put.body.properties.scope).toBe(VAULT.replace(/^\/arm/, ''));
    const secret = `${VAULT}/secrets/db-password`;
    const name2 = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5c';
    expect(
      (await http.call('PUT', at(secret, name2), { token: kelleyMsa, body: body(secret) })).status,
    ).toBe(201);
    // Listed below the subscription, and at the vault with its secret's below it.
    const all = await http.call('GET', ra(S.payAsYouGo), { token: kelleyMsa });
    const names = all.body.value.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining([name, name2]));
    const atVault = await http.call('GET', `${at(VAULT)}&$filter=atScope()`, { token: kelleyMsa });
    expect(atVault.body.value.map((a: { name: string }) => a.name)).toContain(name);
    expect(atVault.body.value.map((a: { name: string }) => a.name)).not.toContain(name2);
    expect((await http.call('DELETE', at(VAULT, name), { token: kelleyMsa })).status).toBe(200);
    // A reader cannot write there.
    const denied = await http.call('PUT', at(VAULT, name), { token: reader, body: body(VAULT) });
    expect(denied.status).toBe(403);
  });
});
