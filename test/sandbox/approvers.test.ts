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

it('tells approvers of a group and Global Administrators (directly or through a group)', async () => {
  const credential: TokenCredential = {
    getToken: async () => ({ token: kelley, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  const approvers = new GraphApproverDirectory(
    createGraphClient(credential, {
      baseUrl: sandbox.graphBaseUrl,
      scopes: ['https://graph.microsoft.com/.default'],
      caCertificatePem: sandbox.caCertificatePem,
      timeoutMs: 5000,
      maxRetries: 0,
    }),
  );
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
