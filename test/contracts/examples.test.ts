import type { TokenCredential } from '@azure/core-auth';
import { ArmClient } from '../../src/azure/armClient';
import { ArmAzureManagement } from '../../src/azure/azureManagement';
import { ArmResourceInventory } from '../../src/azure/resourceGraph';
import { roleGuid } from '../../src/domain/roles';
import { CannedHttpsServer, sendJson } from '../helpers/cannedHttps';
import { checkCall } from './check';
import * as EX from './examples';

/**
 * Microsoft's official example responses replayed through tenantlink's real ARM client: each is
 * served for the request tenantlink makes, must keep the operation's contract (the examples and
 * the transcribed contracts agree), and must be parsed into what the link needs.
 */

const credential: TokenCredential = {
  getToken: async () => ({ token: 'example-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};
let server: CannedHttpsServer;
let azure: ArmAzureManagement;

beforeAll(async () => {
  server = await CannedHttpsServer.start();
  azure = new ArmAzureManagement(
    new ArmClient(credential, {
      endpoint: server.url,
      scope: 'https://management.azure.com/.default',
      caCertificatePem: server.caCertificatePem,
      timeoutMs: 5000,
      maxRetries: 0,
      replicationRetry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 10 },
    }),
  );
});
afterEach(() => server.reset());
afterAll(async () => server.stop());

/** Serves `body` with `status` to every request and checks the exchange against its contract. */
function serve(status: number, body?: unknown): void {
  server.handler = (_req, res) => {
    if (body === undefined) {
      res.writeHead(status);
      res.end();
    } else sendJson(res, status, body);
  };
}
function keepsContract(status: number, body?: unknown): void {
  const req = server.requests.at(-1)!;
  const url = new URL(req.url, server.url);
  const { problems } = checkCall({
    api: 'arm',
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { 'user-agent': String(req.headers['user-agent'] ?? '') },
    requestBody: req.body ? JSON.parse(req.body) : undefined,
    status,
    responseBody: body,
  });
  expect(problems).toEqual([]);
}

it('GetSubscriptions.json: lists both subscriptions with their directories', async () => {
  serve(200, EX.GET_SUBSCRIPTIONS);
  expect(await azure.listSubscriptions()).toEqual([
    expect.objectContaining({
      subscriptionId: '291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
      displayName: 'Example Subscription',
      tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
      state: 'Enabled',
      quotaId: 'Internal_2014-09-01',
    }),
    expect.objectContaining({ subscriptionId: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71' }),
  ]);
  keepsContract(200, EX.GET_SUBSCRIPTIONS);
});

it('GetSubscription.json: reads the directory a subscription trusts', async () => {
  serve(200, EX.GET_SUBSCRIPTION);
  const sub = await azure.getSubscription('291bba3f-e0a5-47bc-a099-3bdcb2a50a05');
  expect(sub.tenantId).toBe('31c75423-32d6-4322-88b7-c478bdde4858');
  keepsContract(200, EX.GET_SUBSCRIPTION);
});

it('GetTenants.json: lists the directories with their names and default domains', async () => {
  serve(200, EX.GET_TENANTS);
  const tenants = await azure.listTenants();
  expect(tenants.map((t) => [t.displayName, t.defaultDomain])).toEqual([
    ['Test_Test_aad50', 'aad50.ccsctp.net'],
    ['Contoso Corp.', 'auxteststagemanual.ccsctp.net'],
    ['TEST_TEST_RDV', 'rdvmohoro.ccsctp.net'],
  ]);
  keepsContract(200, EX.GET_TENANTS);
});

it('putTargetDirectory.json: the request made is Initiated for its destination', async () => {
  serve(200, EX.PUT_TARGET_DIRECTORY);
  const change = await azure.requestDirectoryChange(
    'ecce7b25-862b-44a2-9e21-a1baa50618eb',
    '111a82eb-4c7b-48bb-962b-49363c510130',
    'abhaypratap@live.com',
  );
  expect(change).toMatchObject({
    status: 'Initiated',
    destinationTenantId: '111a82eb-4c7b-48bb-962b-49363c510130',
    destinationOwnerId: 'abhaypratap@live.com',
  });
  keepsContract(200, EX.PUT_TARGET_DIRECTORY);
});

it.each([
  ['current', EX.GET_TARGET_DIRECTORY],
  ['earlier (destinationObjectId)', EX.GET_TARGET_DIRECTORY_EARLIER],
])('getTargetDirectory.json (%s): a pending request is read for reuse', async (_v, body) => {
  serve(200, body);
  const pending = await azure.getDirectoryChange('ebe4f8fd-d8b3-4867-bcf4-b2407edd196d');
  expect(pending).toMatchObject({
    status: 'Initiated',
    destinationTenantId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cb',
    destinationOwnerId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cc',
  });
  keepsContract(200, body);
});

it('acceptTargetDirectory.json: 204 with no body is an acceptance', async () => {
  serve(204);
  await expect(
    azure.acceptDirectoryChange('6c3c85bc-5366-4eaa-8055-a10529eafd03'),
  ).resolves.toEqual(expect.any(Object));
  keepsContract(204, undefined);
});

it('targetDirectoryStatus.json: Completed is read as such', async () => {
  serve(200, EX.TARGET_DIRECTORY_STATUS);
  expect(await azure.directoryChangeStatus('e1084a54-27ab-4b72-a3ba-89fac9548f49')).toBe(
    'Completed',
  );
  keepsContract(200, EX.TARGET_DIRECTORY_STATUS);
});

it('deleteTargetDirectory.json: 200 with no body withdraws the request', async () => {
  serve(200);
  expect(await azure.cancelDirectoryChange('ebe4f8fd-d8b3-4867-bcf4-b2407edd196d')).toMatchObject({
    withdrawn: true,
  });
  keepsContract(200, undefined);
});

it('RoleAssignments_ListForScope.json: reads who holds which role at which scope', async () => {
  serve(200, EX.ROLE_ASSIGNMENTS_LIST_FOR_SCOPE);
  const [a] = await azure.listRoleAssignments(
    '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
  );
  expect(a).toMatchObject({
    principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
    principalType: 'User',
    scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
  });
  expect(roleGuid(a!.roleDefinitionId)).toBe('0b5fe924-9a61-425c-96af-cfe6e287ca2d');
  keepsContract(200, EX.ROLE_ASSIGNMENTS_LIST_FOR_SCOPE);
});

it.each([201, 200])(
  'RoleAssignments_CreateForSubscription.json (%i): a grant is read back, created only on 201',
  async (status) => {
    serve(status, EX.ROLE_ASSIGNMENT_CREATED);
    const result = await azure.grantRole({
      scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
      principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
      principalType: 'User',
      role: 'Reader',
    });
    expect(result.created).toBe(status === 201);
    expect(result.assignment.principalId).toBe('ce2ce14e-85d7-4629-bdbc-454d0519d987');
    keepsContract(status, EX.ROLE_ASSIGNMENT_CREATED);
  },
);

describe('Azure Resource Graph examples', () => {
  it('pages through ResourcesFirstPageQuery then ResourcesNextPageQuery, sending back the token', async () => {
    const inventory = new ArmResourceInventory(credential, {
      endpoint: server.url,
      scope: 'https://management.azure.com/.default',
      caCertificatePem: server.caCertificatePem,
      timeoutMs: 5000,
      maxRetries: 0,
    });
    // The second page ends the query: the next token is dropped, as a last page has none.
    const lastPage: Partial<typeof EX.RESOURCES_NEXT_PAGE> = { ...EX.RESOURCES_NEXT_PAGE };
    delete lastPage.$skipToken;
    const pages = [EX.RESOURCES_FIRST_PAGE, lastPage];
    server.handler = (_req, res) => sendJson(res, 200, pages[server.requests.length - 1]);
    const rows = await inventory.resources('cfbbd179-59d2-4052-aa06-9270a38aa9d6');
    expect(rows.map((r) => r.name)).toEqual([
      'yetanothertest_OsDisk_1_f396cbcb625a457bb69fe2abf5975820',
      'TestAA',
      'TestRB',
      'second_OsDisk_dddddbcb625a457bb69fe2abf5975820',
      'AATest',
      'RBTest',
    ]);
    expect(server.requests).toHaveLength(2);
    const second = JSON.parse(server.requests[1]!.body) as { options: { $skipToken: string } };
    expect(second.options.$skipToken).toBe(EX.RESOURCES_FIRST_PAGE.$skipToken);
    keepsContract(200, lastPage);
  });
});
