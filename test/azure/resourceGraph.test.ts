import { ArmResourceInventory, RESOURCES_QUERY, quotaWaitMs } from '../../src/azure/resourceGraph';
import { startSandboxCloud, IDS, type RecordedCall, type SandboxCloud } from '../../src/sandbox';
import { INVENTORY_KINDS } from '../../src/domain/inventory';
import { TenantlinkError } from '../../src/errors';
import { takeInventory } from '../../src/link/inventory';
import { draftSubscription, editedSeed } from '../helpers/seeds';
import { SandboxHttp } from '../helpers/sandboxHttp';

/**
 * The inventory's Resource Graph client against the sandbox's Resource Graph: pages of 1,000 rows
 * read while a $skipToken comes back (call count = pages), the skip token honoured only for the
 * same query, throttling retried, and the caller's access respected.
 */

const S = IDS.subscriptions;
const T = IDS.tenants;
let sandbox: SandboxCloud;
let http: SandboxHttp;
const calls: RecordedCall[] = [];

beforeAll(async () => {
  sandbox = await startSandboxCloud({
    recorder: (call) => calls.push(call),
    seed: editedSeed((draft) => {
      draftSubscription(draft, S.payAsYouGo).resources = Array.from({ length: 2_500 }, (_, i) => ({
        name: `vm-${String(i).padStart(5, '0')}`,
        type: 'Microsoft.Compute/virtualMachines',
        resourceGroup: `rg-${i % 7}`,
        location: 'westeurope',
        ...(i % 3 === 0 ? { identity: { type: 'SystemAssigned' } } : {}),
      }));
    }),
  });
  http = new SandboxHttp(sandbox);
});
afterAll(async () => {
  await http.close();
  await sandbox.stop();
});
afterEach(() => sandbox.setFaults({}));

async function inventoryAs(signInName: string, tenant: string): Promise<ArmResourceInventory> {
  const token = await http.token(tenant, signInName, 'arm');
  return new ArmResourceInventory(
    { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    {
      endpoint: sandbox.armEndpoint,
      scope: 'https://management.azure.com/.default',
      caCertificatePem: sandbox.caCertificatePem,
      timeoutMs: 10_000,
      maxRetries: 2,
    },
  );
}

const graphCalls = (): RecordedCall[] =>
  calls.filter((c) => /ResourceGraph\/resources$/i.test(c.path));

it('reads 2,500 resources in three pages of at most 1,000, in id order', async () => {
  const inventory = await inventoryAs('kelley.wall@outlook.com', T.defaultDirectory);
  calls.length = 0;
  const rows = await inventory.resources(S.payAsYouGo);
  expect(rows).toHaveLength(2_500);
  expect(graphCalls()).toHaveLength(3);
  const ids = rows.map((r) => r.id);
  expect([...ids].sort((a, b) => a.localeCompare(b))).toEqual(ids);
  expect(rows.filter((r) => r.identityType === 'SystemAssigned')).toHaveLength(834);
  // Each next page sends the token of the previous answer, with the same query and scope.
  const [first, second] = graphCalls();
  expect((first!.requestBody as { query: string }).query).toBe(RESOURCES_QUERY);
  expect((second!.requestBody as { options: { $skipToken: string } }).options.$skipToken).toBe(
    (first!.responseBody as { $skipToken: string }).$skipToken,
  );
  expect((first!.responseBody as { count: number; totalRecords: number }).count).toBe(1000);
  expect((first!.responseBody as { totalRecords: number }).totalRecords).toBe(2500);
});

it('refuses a skip token with another query (400 InvalidQuery family)', async () => {
  const token = await http.token(T.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
  const first = await http.call(
    'POST',
    '/arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
    {
      token,
      body: { subscriptions: [S.payAsYouGo], query: RESOURCES_QUERY },
    },
  );
  const other = await http.call(
    'POST',
    '/arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
    {
      token,
      body: {
        subscriptions: [S.payAsYouGo],
        query: 'resources | project id, name | order by id asc',
        options: { $skipToken: first.body.$skipToken },
      },
    },
  );
  expect(other.status).toBe(400);
  expect(other.body.error.details[0].code).toBe('InvalidSkipToken');
  const bad = await http.call(
    'POST',
    '/arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
    {
      token,
      body: { subscriptions: [S.payAsYouGo], query: 'resources | summarize count() by type' },
    },
  );
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0].code).toBe('InvalidQuery');
});

it('waits out a 429 with Retry-After and a 503, then reads every page', async () => {
  sandbox.setFaults({
    rules: [
      { api: 'arm', path: 'ResourceGraph', status: 429, retryAfterSeconds: 0, count: 1 },
      { api: 'arm', path: 'ResourceGraph', status: 503, count: 1 },
    ],
  });
  const inventory = await inventoryAs('kelley.wall@outlook.com', T.defaultDirectory);
  expect(await inventory.resources(S.payAsYouGo)).toHaveLength(2_500);
  expect(sandbox.injectedFaults().arm).toBe(2);
});

it('shows nothing of a subscription the caller cannot read', async () => {
  const inventory = await inventoryAs('sam.dev@outlook.com', T.defaultDirectory);
  const rows = await inventory.resources(S.lab);
  expect(rows).toEqual([]);
});

it('gives up with the cloud error after its retries', async () => {
  sandbox.setFaults({ rules: [{ api: 'arm', path: 'ResourceGraph', status: 503 }] });
  const inventory = await inventoryAs('kelley.wall@outlook.com', T.defaultDirectory);
  await expect(inventory.resources(S.payAsYouGo)).rejects.toBeInstanceOf(TenantlinkError);
});

describe('every kind of the transfer table, read from the sandbox and classified', () => {
  let world: SandboxCloud;
  const KV_ID = `/subscriptions/${S.payAsYouGo}/resourceGroups/rg-all/providers/Microsoft.KeyVault/vaults/kv`;
  const kinds: [string, string, Record<string, unknown>][] = [
    ['aks', 'Microsoft.ContainerService/managedClusters', {}],
    ['ds', 'Microsoft.AAD/domainServices', {}],
    [
      'sql',
      'Microsoft.Sql/servers',
      { properties: { administrators: { administratorType: 'ActiveDirectory' } } },
    ],
    ['devcenter', 'Microsoft.DevCenter/devcenters', {}],
    ['vm', 'Microsoft.Compute/virtualMachines', { identity: { type: 'SystemAssigned' } }],
    ['uami', 'Microsoft.ManagedIdentity/userAssignedIdentities', {}],
    ['kv', 'Microsoft.KeyVault/vaults', { properties: { tenantId: T.defaultDirectory } }],
    ['lake2', 'Microsoft.Storage/storageAccounts', { properties: { isHnsEnabled: true } }],
    ['lake1', 'Microsoft.DataLakeStore/accounts', {}],
    // A disk encryption set whose active key is in the subscription's Managed HSM `hsm` below,
    // known by its URI's host (DiskEncryptionSet_Get.json; ManagedHsm_Get.json's hsmUri).
    [
      'des',
      'Microsoft.Compute/diskEncryptionSets',
      {
        identity: { type: 'SystemAssigned' },
        properties: {
          activeKey: { keyUrl: 'https://westus.hsm.managedhsm.azure.net/keys/des' },
          encryptionType: 'EncryptionAtRestWithCustomerKey',
        },
      },
    ],
    ['sb', 'Microsoft.ServiceBus/namespaces', {}],
    ['syn', 'Microsoft.Synapse/workspaces', {}],
    ['files', 'Microsoft.Storage/storageAccounts', { properties: { isHnsEnabled: false } }],
    ['sync', 'Microsoft.StorageSync/storageSyncServices', {}],
    ['mysql', 'Microsoft.DBforMySQL/flexibleServers', {}],
    // Customer-managed keys and directory-bound resources, each with the property shapes of the
    // REST specs' examples cited in src/domain/inventory.ts. A storage account keyed in the
    // subscription's own vault `kv` (StorageAccountEnableCMK.json): the doc's unrecoverable case.
    [
      'stcmk',
      'Microsoft.Storage/storageAccounts',
      {
        kind: 'StorageV2',
        properties: {
          isHnsEnabled: false,
          encryption: {
            services: { blob: { keyType: 'Account', enabled: true } },
            keySource: 'Microsoft.Keyvault',
            keyvaultproperties: {
              keyvaulturi: 'https://kv.vault.azure.net',
              keyname: 'wrappingKey',
              keyversion: '',
            },
          },
        },
      },
    ],
    // A SQL server whose TDE protector is a key in a vault of another subscription (Servers.json
    // ServerProperties.keyId).
    [
      'sqlcmk',
      'Microsoft.Sql/servers',
      {
        identity: { type: 'UserAssigned' },
        properties: {
          keyId: 'https://kv-finance.vault.azure.net/keys/tde/0682afdd9c104f4285df20107e956cad',
        },
      },
    ],
    // A disk with Azure Disk Encryption whose secret and key are in `kv` (Disk_Get.json).
    [
      'disk-ade',
      'Microsoft.Compute/disks',
      {
        properties: {
          encryptionSettingsCollection: {
            enabled: true,
            encryptionSettings: [
              {
                diskEncryptionKey: {
                  sourceVault: { id: KV_ID },
                  secretUrl: 'https://kv.vault.azure.net/secrets/bek',
                },
                keyEncryptionKey: {
                  sourceVault: { id: KV_ID },
                  keyUrl: 'https://kv.vault.azure.net/keys/kek',
                },
              },
            ],
          },
          encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        },
      },
    ],
    // A Managed HSM (ManagedHsm_Get.json) and a CIAM directory (getCIAMTenant.json of
    // specification/cpim/resource-manager/Microsoft.AzureActiveDirectory/preview/
    // 2023-05-17-preview/examples/CIAM at commit 3d88fcf8dc98df54cbd0f520c5e7d3798ac4cc29): both
    // carry `properties.tenantId`, as the doc's "List other known resources" query reads it.
    [
      'hsm',
      'Microsoft.KeyVault/managedHSMs',
      {
        properties: {
          tenantId: T.defaultDirectory,
          hsmUri: 'https://westus.hsm.managedhsm.azure.net',
        },
      },
    ],
    [
      'contoso-customers.onmicrosoft.com',
      'Microsoft.AzureActiveDirectory/ciamDirectories',
      { properties: { tenantId: '00000000-0000-0000-0000-0000000000c1' } },
    ],
  ];

  beforeAll(async () => {
    world = await startSandboxCloud({
      seed: editedSeed((draft) => {
        const sub = draftSubscription(draft, S.payAsYouGo);
        sub.resources = kinds.map(([name, type, extra]) => ({
          name,
          type,
          resourceGroup: 'rg-all',
          location: 'westeurope',
          ...extra,
        }));
        sub.policies = [
          { name: 'deny-public-ip', type: 'Microsoft.Authorization/policyAssignments' },
          { name: 'tag-governance', type: 'Microsoft.Authorization/policySetDefinitions' },
        ];
      }),
    });
  });
  afterAll(async () => world.stop());

  it('finds and classifies each of them', async () => {
    const worldHttp = new SandboxHttp(world);
    const token = await worldHttp.token(T.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    await worldHttp.close();
    const port = new ArmResourceInventory(
      { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      {
        endpoint: world.armEndpoint,
        scope: 'https://management.azure.com/.default',
        caCertificatePem: world.caCertificatePem,
        timeoutMs: 10_000,
        maxRetries: 0,
      },
    );
    const inventory = await takeInventory(port, S.payAsYouGo);
    expect(inventory.total).toBe(kinds.length);
    expect(inventory.groups.map((g) => g.kind).sort()).toEqual([...INVENTORY_KINDS].sort());
    expect(inventory.groups.filter((g) => g.severity === 'blocks').map((g) => g.kind)).toEqual([
      'aks',
      'domainServices',
      'sqlEntraAuth',
      'devCenter',
    ]);
    // Customer-managed keys: in the subscription's vault (it moves: breaks), elsewhere (check).
    expect(inventory.groups.find((g) => g.kind === 'customerKeyMoving')).toMatchObject({
      severity: 'breaks',
      names: ['des', 'disk-ade', 'stcmk'],
    });
    expect(inventory.groups.find((g) => g.kind === 'customerKey')).toMatchObject({
      severity: 'check',
      names: ['sqlcmk'],
    });
    expect(inventory.groups.find((g) => g.kind === 'managedHsm')?.names).toEqual(['hsm']);
    expect(inventory.groups.find((g) => g.kind === 'tenantBound')?.names).toEqual([
      'contoso-customers.onmicrosoft.com',
    ]);
    // A custom initiative (policy set definition) is an Azure Policy object the move loses too.
    expect(inventory.groups.find((g) => g.kind === 'policy')).toMatchObject({
      count: 2,
      names: ['deny-public-ip', 'tag-governance'],
    });
  });
});

describe("Resource Graph's per-user quota (concepts/guidance-for-throttled-requests)", () => {
  let world: SandboxCloud;
  let worldHttp: SandboxHttp;
  const worldCalls: RecordedCall[] = [];
  // The sandbox's clock: one second passes per Resource Graph query (the recorder is told of each
  // before its answer is sent) and the client's waits pass it on; nothing waits on a timer.
  let clock = Date.now();
  const QUOTA = { queries: 3, windowMs: 5_000 };

  beforeAll(async () => {
    world = await startSandboxCloud({
      now: () => clock,
      resourceGraphQuota: QUOTA,
      recorder: (call) => {
        worldCalls.push(call);
        if (/ResourceGraph\/resources$/i.test(call.path)) clock += 1_000;
      },
      seed: editedSeed((draft) => {
        const sub = draftSubscription(draft, S.payAsYouGo);
        sub.resources = Array.from({ length: 9_001 }, (_, i) => ({
          name: `st${String(i).padStart(5, '0')}`,
          type: 'Microsoft.Storage/storageAccounts',
          resourceGroup: 'rg-big',
          location: 'westeurope',
        }));
        sub.policies = [
          { name: 'allowed-locations', type: 'Microsoft.Authorization/policyAssignments' },
        ];
      }),
    });
    worldHttp = new SandboxHttp(world);
  });
  afterAll(async () => {
    await worldHttp.close();
    await world.stop();
  });
  beforeEach(() => {
    world.reset();
    worldCalls.length = 0;
  });

  async function client(pause: (ms: number) => Promise<unknown>): Promise<ArmResourceInventory> {
    const token = await worldHttp.token(T.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    return new ArmResourceInventory(
      { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      {
        endpoint: world.armEndpoint,
        scope: 'https://management.azure.com/.default',
        caCertificatePem: world.caCertificatePem,
        timeoutMs: 10_000,
        // No retry: a 429 would fail the inventory, so only waiting on the headers gets through.
        maxRetries: 0,
        pause,
      },
    );
  }
  const queries = (): RecordedCall[] =>
    worldCalls.filter((c) => /ResourceGraph\/resources$/i.test(c.path));

  it('answers every query with the quota headers, and 429 with Retry-After past the quota', async () => {
    const token = await worldHttp.token(T.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    const ask = () =>
      worldHttp.call(
        'POST',
        '/arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
        {
          token,
          body: {
            subscriptions: [S.payAsYouGo],
            query: 'resources | project id | order by id asc',
          },
        },
      );
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask());
    expect(
      answers.map((a) => [
        a.status,
        a.headers['x-ms-user-quota-remaining'],
        a.headers['x-ms-user-quota-resets-after'],
      ]),
    ).toEqual([
      [200, '2', '00:00:05'],
      [200, '1', '00:00:04'],
      [200, '0', '00:00:03'],
      // The clock is 3 s into the window: 2 s are left.
      [429, '0', '00:00:02'],
    ]);
    expect(answers[3]!.headers['retry-after']).toBe('2');
    expect(answers[3]!.body.error.code).toBe('RateLimiting');
    // Once the window has passed, the user has a new quota.
    clock += 2_000;
    const later = await ask();
    expect([later.status, later.headers['x-ms-user-quota-remaining']]).toEqual([200, '2']);
  });

  it("the control API's reset gives every user a new quota window, as the in-process reset does", async () => {
    const token = await worldHttp.token(T.defaultDirectory, 'kelley.wall@outlook.com', 'arm');
    const ask = () =>
      worldHttp.call(
        'POST',
        '/arm/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
        { token, body: { subscriptions: [S.payAsYouGo], query: 'resources | project id' } },
      );
    for (let i = 0; i < QUOTA.queries; i++) expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(429);
    expect((await worldHttp.call('POST', '/_sandbox/reset')).status).toBe(204);
    const after = await ask();
    expect([after.status, after.headers['x-ms-user-quota-remaining']]).toEqual([200, '2']);
  });

  it('reads a big inventory by waiting out the quota the headers announce, never throttled', async () => {
    const waits: number[] = [];
    const inventory = await client(async (ms) => {
      waits.push(ms);
      clock += ms;
    });
    const taken = await takeInventory(inventory, S.payAsYouGo);
    expect(taken.total).toBe(9_001);
    // 10 pages of resources and one of policies, none refused.
    expect(queries().map((c) => c.status)).toEqual(Array.from({ length: 11 }, () => 200));
    // Every third query spends the quota 2 s into its window: "00:00:03" each time, waited in full.
    expect(waits).toEqual([3_000, 3_000, 3_000]);
  });

  it('refuses a client that ignores the headers', async () => {
    const inventory = await client(async () => undefined);
    await expect(inventory.resources(S.payAsYouGo)).rejects.toMatchObject({
      code: 'TL-CLOUD-THROTTLED',
      serviceCode: 'RateLimiting',
      retryAfterSeconds: 2,
    });
    expect(queries().map((c) => c.status)).toEqual([200, 200, 200, 429]);
  });
});

describe('quotaWaitMs', () => {
  it('waits the resets-after time only when no quota remains', () => {
    expect(quotaWaitMs('0', '00:00:03')).toBe(3_000);
    expect(quotaWaitMs('0', '01:02:03')).toBe(3_723_000);
    expect(quotaWaitMs('0', '00:00:00.25')).toBe(250);
    expect(quotaWaitMs('1', '00:00:03')).toBe(0);
    expect(quotaWaitMs(undefined, '00:00:03')).toBe(0);
    expect(quotaWaitMs('0', undefined)).toBe(0);
    expect(quotaWaitMs('0', '3 seconds')).toBe(0);
  });
});
