import type { TokenCredential } from '@azure/core-auth';
import { GraphApproverDirectory } from '../../src/graph/approvers';
import { createGraphClient } from '../../src/graph/graphClient';
import { IDS, startSandboxCloud, type SandboxCloud } from '../../src/sandbox';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * Who is an approver (issue 29), asked of the sandbox's Graph as tenantlink asks Microsoft's:
 * `POST /users/{id}/checkMemberGroups` (transitive, at most 20 groups,
 * https://learn.microsoft.com/graph/api/user-checkmembergroups) and the Global Administrator
 * role's assignments, held directly or through a role-assignable group.
 */

let sandbox: SandboxCloud;
let http: SandboxHttp;
let kelley: string;
const U = IDS.users;
const BOARD = { kind: 'group', groupId: IDS.groups.contosoChangeBoard, groupName: 'CAB' } as const;

beforeAll(async () => {
  sandbox = await startSandboxCloud();
  http = new SandboxHttp(sandbox);
  kelley = await http.token(IDS.tenants.contoso, 'admin@contoso.onmicrosoft.com', 'graph');
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});

const check = (user: string, groupIds: unknown, token = kelley) =>
  http.call('POST', `/graph/v1.0/users/${user}/checkMemberGroups`, { token, body: { groupIds } });

it('answers checkMemberGroups transitively, for the groups asked only, at most 20', async () => {
  const groups = [IDS.groups.contosoChangeBoard, IDS.groups.contosoOnCall];
  expect((await check(U.meganContoso, groups)).body.value).toEqual([IDS.groups.contosoChangeBoard]);
  expect((await check(U.nestorContoso, groups)).body.value).toEqual(groups);
  expect((await check(U.janeContoso, groups)).body.value).toEqual([]);
  const tooMany = await check(
    U.meganContoso,
    Array.from({ length: 21 }, () => groups[0]),
  );
  expect(tooMany.status).toBe(400);
  const unknown = await check('00000000-0000-4000-8000-000000000000', groups);
  expect([unknown.status, unknown.body.error.code]).toEqual([404, 'Request_ResourceNotFound']);
});

it('refuses checkMemberGroups without a group permission (403 Authorization_RequestDenied)', async () => {
  const res = await http.call('POST', `/login/${IDS.tenants.contoso}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'password',
      username: 'admin@contoso.onmicrosoft.com',
      password: 'Sandbox-Passw0rd!',
      client_id: IDS.applications.signInCard,
      scope: 'https://graph.microsoft.com/User.Read.All',
    },
  });
  const denied = await check(
    U.meganContoso,
    [IDS.groups.contosoChangeBoard],
    res.body.access_token,
  );
  expect([denied.status, denied.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
});

/** tenantlink's Graph approver directory, as Kelley's Office 365 connection. */
function directory(): GraphApproverDirectory {
  const credential: TokenCredential = {
    getToken: async () => ({ token: kelley, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  return new GraphApproverDirectory(
    createGraphClient(credential, {
      baseUrl: sandbox.graphBaseUrl,
      scopes: ['https://graph.microsoft.com/.default'],
      caCertificatePem: sandbox.caCertificatePem,
      timeoutMs: 5000,
      maxRetries: 0,
    }),
  );
}

it('tells approvers of a group and Global Administrators (directly or through a group)', async () => {
  const approvers = directory();
  const ga = { kind: 'globalAdministrators' } as const;
  const answers = async (source: typeof ga | typeof BOARD) =>
    Object.fromEntries(
      await Promise.all(
        (['meganContoso', 'nestorContoso', 'janeContoso', 'lidiaContoso'] as const).map(
          async (u) => [u, await approvers.isApprover(U[u], source)] as const,
        ),
      ),
    );
  expect(await answers(BOARD)).toEqual({
    meganContoso: true,
    nestorContoso: true,
    janeContoso: false,
    lidiaContoso: false,
  });
  expect(await answers(ga)).toEqual({
    meganContoso: true,
    nestorContoso: false,
    janeContoso: false,
    lidiaContoso: true,
  });
  expect(await approvers.isApprover('00000000-0000-4000-8000-000000000000', BOARD)).toBe(false);
});

it("lists a group's transitive members (nested groups' too), each with its type, in pages", async () => {
  const res = await http.call(
    'GET',
    `/graph/v1.0/groups/${IDS.groups.contosoChangeBoard}/transitiveMembers?$select=id`,
    { token: kelley },
  );
  expect(res.status).toBe(200);
  expect(res.body.value).toEqual(
    expect.arrayContaining([
      { '@odata.type': '#microsoft.graph.user', id: U.meganContoso },
      { '@odata.type': '#microsoft.graph.group', id: IDS.groups.contosoOnCall },
      { '@odata.type': '#microsoft.graph.user', id: U.nestorContoso },
    ]),
  );
  expect(res.body.value).toHaveLength(3);
  const paged = await http.call(
    'GET',
    `/graph/v1.0/groups/${IDS.groups.contosoChangeBoard}/transitiveMembers?$top=2`,
    { token: kelley },
  );
  expect(paged.body.value).toHaveLength(2);
  expect(paged.body['@odata.nextLink']).toMatch(/(\$|%24)skiptoken=/);
  const missing = await http.call(
    'GET',
    '/graph/v1.0/groups/00000000-0000-4000-8000-000000000000/transitiveMembers',
    { token: kelley },
  );
  expect([missing.status, missing.body.error.code]).toEqual([404, 'Request_ResourceNotFound']);
});

it("names the approvers (the refresh's userIds) and reads a group's display name", async () => {
  const approvers = directory();
  expect((await approvers.approverIds(BOARD, 60)).sort()).toEqual(
    [U.meganContoso, U.nestorContoso].sort(),
  );
  expect((await approvers.approverIds({ kind: 'globalAdministrators' }, 60)).sort()).toEqual(
    [U.kelleyContoso, U.meganContoso, U.lidiaContoso].sort(),
  );
  // At most `limit` of them.
  expect(await approvers.approverIds(BOARD, 1)).toHaveLength(1);
  expect(await approvers.groupName(IDS.groups.contosoChangeBoard)).toBe('Contoso Change Board');
  expect(await approvers.groupName('00000000-0000-4000-8000-000000000000')).toBeUndefined();
});
