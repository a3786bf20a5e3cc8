import type { BackedUpAssignment } from '../../src/domain/model';
import type {
  KeyVaultPort,
  KeyVaultState,
  Office365DirectoryPort,
  ResourceInventoryPort,
} from '../../src/domain/ports';
import { TenantlinkError } from '../../src/errors';
import { keyVaultReportCard } from '../../src/cards/keyVaultReport';
import {
  fixKeyVaults,
  principalsGivenBack,
  removedAssignments,
  vaultAssignments,
} from '../../src/link/keyVaults';

/**
 * The key vault update's rules on fake ports: carried, merged, dropped, idempotent, failures kept
 * apart; a vault in the Azure RBAC model gets its tenant ID only, and its role assignments are
 * counted from the backup and the restore report.
 */

const NEW = 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542';
const OLD = 'a9ea5b18-e185-45c7-a29e-29e0de901d66';

function ports(vaults: KeyVaultState[], refuse: string[] = []) {
  const updates: { id: string; tenantId: string; policies: unknown[] | undefined }[] = [];
  const inventory = {
    keyVaults: async () =>
      vaults.map((v) => ({ id: v.id, name: v.name, type: 'microsoft.keyvault/vaults' })),
  } as unknown as ResourceInventoryPort;
  const port: KeyVaultPort = {
    get: async (id) => {
      if (refuse.includes(id)) throw new TenantlinkError('cloudForbidden', { detail: 'no' });
      return vaults.find((v) => v.id === id)!;
    },
    update: async (id, tenantId, accessPolicies) => {
      updates.push({ id, tenantId, policies: accessPolicies && [...accessPolicies] });
      const before = vaults.find((v) => v.id === id)!;
      return {
        state: { ...before, tenantId, accessPolicies: accessPolicies ?? before.accessPolicies },
        correlationId: 'c-1',
      };
    },
  };
  return { inventory, port, updates };
}

const policy = (objectId: string, secrets: string[], tenantId = OLD) => ({
  tenantId,
  objectId,
  permissions: { secrets },
});

it('carries the policies of principals given back, merges two into one, drops the rest', async () => {
  const { inventory, port, updates } = ports([
    {
      id: 'kv1',
      name: 'kv1',
      tenantId: OLD,
      rbacAuthorization: false,
      accessPolicies: [
        policy('old-a', ['get']),
        policy('old-b', ['list']),
        policy('old-c', ['set']),
      ],
    },
  ]);
  const principals = new Map([
    ['old-a', 'new-x'],
    ['old-b', 'new-x'],
  ]);
  const results = await fixKeyVaults(inventory, port, 'sub', NEW, principals);
  expect(results).toEqual([
    expect.objectContaining({
      name: 'kv1',
      outcome: 'updated',
      policies: 1,
      dropped: 1,
      correlationId: 'c-1',
    }),
  ]);
  expect(updates[0]).toEqual({
    id: 'kv1',
    tenantId: NEW,
    policies: [
      {
        tenantId: NEW,
        objectId: 'new-x',
        permissions: { keys: [], secrets: ['get', 'list'], certificates: [], storage: [] },
      },
    ],
  });
});

it('leaves a vault already on the new directory alone, and goes on past a vault it cannot read', async () => {
  const { inventory, port, updates } = ports(
    [
      {
        id: 'kv1',
        name: 'kv1',
        tenantId: NEW,
        rbacAuthorization: false,
        accessPolicies: [policy('new-x', ['get'], NEW)],
      },
      { id: 'kv2', name: 'kv2', tenantId: OLD, rbacAuthorization: false, accessPolicies: [] },
      { id: 'kv3', name: 'kv3', tenantId: OLD, rbacAuthorization: false, accessPolicies: [] },
    ],
    ['kv2'],
  );
  const results = await fixKeyVaults(inventory, port, 'sub', NEW, new Map());
  expect(results.map((r) => [r.name, r.outcome, r.errorCode])).toEqual([
    ['kv1', 'alreadyDone', undefined],
    ['kv2', 'failed', 'TL-CLOUD-FORBIDDEN'],
    ['kv3', 'updated', undefined],
  ]);
  expect(updates.map((u) => u.id)).toEqual(['kv3']);
});

const KV = '/subscriptions/sub/resourceGroups/rg-web/providers/Microsoft.KeyVault/vaults/kv-rbac';

it('changes only the tenant ID of a vault in the Azure RBAC model, and counts its role assignments', async () => {
  const { inventory, port, updates } = ports([
    {
      id: KV,
      name: 'kv-rbac',
      tenantId: OLD,
      rbacAuthorization: true,
      // Ignored in this model: neither carried nor removed.
      accessPolicies: [policy('old-a', ['get'])],
    },
    {
      id: 'kv-policies',
      name: 'kv-policies',
      tenantId: OLD,
      rbacAuthorization: false,
      accessPolicies: [policy('old-a', ['get'])],
    },
  ]);
  const removed = [
    { scope: KV, givenBack: true },
    { scope: `${KV.toUpperCase()}/secrets/db-password`, givenBack: false },
    { scope: `${KV}-old`, givenBack: true },
    { scope: '/subscriptions/sub/resourceGroups/rg-web', givenBack: true },
    { scope: '/subscriptions/sub', givenBack: true },
  ];
  const results = await fixKeyVaults(
    inventory,
    port,
    'sub',
    NEW,
    new Map([['old-a', 'new-x']]),
    removed,
  );
  expect(updates).toEqual([
    { id: KV, tenantId: NEW, policies: undefined },
    {
      id: 'kv-policies',
      tenantId: NEW,
      policies: [expect.objectContaining({ objectId: 'new-x' })],
    },
  ]);
  expect(results[0]).toEqual({
    id: KV,
    name: 'kv-rbac',
    outcome: 'updated',
    model: 'rbac',
    policies: 0,
    dropped: 0,
    roleAssignments: { removed: 2, givenBack: 1 },
    correlationId: 'c-1',
  });
  expect(results[1]).toMatchObject({ model: 'accessPolicies', policies: 1, dropped: 0 });
  expect(results[1]!.roleAssignments).toBeUndefined();
});

it('leaves an RBAC vault already on the new directory alone, whatever its ignored policies say', async () => {
  const { inventory, port, updates } = ports([
    {
      id: KV,
      name: 'kv-rbac',
      tenantId: NEW,
      rbacAuthorization: true,
      accessPolicies: [policy('old-a', ['get'])],
    },
  ]);
  const results = await fixKeyVaults(inventory, port, 'sub', NEW, new Map(), [
    { scope: KV, givenBack: false },
  ]);
  expect(updates).toEqual([]);
  expect(results).toEqual([
    expect.objectContaining({
      outcome: 'alreadyDone',
      model: 'rbac',
      roleAssignments: { removed: 1, givenBack: 0 },
    }),
  ]);
});

it('marks a removed assignment given back when the restore restored it, invited and restored it, or found it', () => {
  const backup: BackedUpAssignment[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({
    id,
    name: id,
    scope: `${KV}/secrets/${id}`,
    principalId: `old-${id}`,
    principalType: 'User',
    roleDefinitionId: 'role',
    roleName: 'role',
    principalName: id,
  }));
  const report = [
    { assignmentId: 'a', outcome: 'restored' },
    { assignmentId: 'b', outcome: 'invitedRestored' },
    { assignmentId: 'c', outcome: 'existing' },
    { assignmentId: 'd', outcome: 'skipped' },
  ];
  const removed = removedAssignments(backup, report);
  expect(removed.map((r) => r.givenBack)).toEqual([true, true, true, false, false]);
  expect(vaultAssignments(KV, removed)).toEqual({ removed: 5, givenBack: 3 });
  expect(vaultAssignments(KV, [])).toEqual({ removed: 0, givenBack: 0 });
});

it('reports an RBAC vault by its role assignments, and explains the model once', () => {
  const t = (key: string, p?: Record<string, string | number>): string =>
    p ? `${key}(${Object.values(p).join(',')})` : key;
  const data = keyVaultReportCard(t, [
    {
      name: 'kv-rbac',
      outcome: 'updated',
      model: 'rbac',
      policies: 0,
      dropped: 0,
      roleAssignments: { removed: 2, givenBack: 1 },
    },
    { name: 'kv-policies', outcome: 'updated', model: 'accessPolicies', policies: 1, dropped: 2 },
  ]);
  expect(data.text).toBe('keyVaults.rbacNote');
  expect(data.color).toBe('Good');
  expect(data.facts).toEqual([
    { title: 'kv-rbac', value: 'keyVaults.rbacUpdated; keyVaults.rbacAssignments(2,1)' },
    { title: 'kv-policies', value: 'keyVaults.updated(1,2)' },
  ]);
  const plain = keyVaultReportCard(t, [
    { name: 'kv-policies', outcome: 'failed', policies: 0, dropped: 0, errorCode: 'TL-X' },
  ]);
  expect(plain).toMatchObject({ text: '', color: 'Attention' });
  expect(plain.facts[0]!.value).toBe('keyVaults.failed(TL-X)');
});

describe('principals given back', () => {
  const backup: BackedUpAssignment[] = ['ann', 'sam', 'bob', 'eve', 'zoe'].map((who) => ({
    id: who,
    name: who,
    scope: KV,
    principalId: `old-${who}`,
    principalType: 'User',
    roleDefinitionId: 'role',
    roleName: 'role',
    principalName: who,
  }));
  const plan = [
    {
      assignmentId: 'ann',
      action: { kind: 'restore', principalId: 'new-ann', principalName: 'ann' },
    },
    { assignmentId: 'sam', action: { kind: 'invite', email: 'Sam.Dev@Outlook.com' } },
    { assignmentId: 'bob', action: { kind: 'invite', email: 'bob@example.org' } },
    { assignmentId: 'eve', action: { kind: 'skip', reason: 'group' } },
  ] as const;
  const asked: string[][] = [];
  const directory = {
    usersWithEmails: async (emails: readonly string[]) => {
      asked.push([...emails]);
      return [
        {
          id: 'guest-sam',
          displayName: 'Sam',
          userPrincipalName: 'sam#EXT#@contoso.onmicrosoft.com',
          mail: null,
          otherMails: ['SAM.DEV@outlook.com'],
        },
        {
          id: 'guest-bob',
          displayName: 'Bob',
          userPrincipalName: 'bob#EXT#@contoso.onmicrosoft.com',
          mail: 'bob@example.org',
        },
      ];
    },
  } as unknown as Office365DirectoryPort;

  beforeEach(() => (asked.length = 0));

  it('maps a restored account directly and an invited guest through its email, only for those given back', async () => {
    const report = [
      { assignmentId: 'ann', outcome: 'restored' },
      { assignmentId: 'sam', outcome: 'invitedRestored' },
      { assignmentId: 'bob', outcome: 'failed' },
      { assignmentId: 'eve', outcome: 'existing' },
    ];
    const map = await principalsGivenBack(backup, plan, report, directory);
    expect([...map.entries()].sort()).toEqual([
      ['old-ann', 'new-ann'],
      ['old-sam', 'guest-sam'],
    ]);
    expect(asked).toEqual([['sam.dev@outlook.com']]);
  });

  it('asks the directory nothing when no guest was given access back', async () => {
    const map = await principalsGivenBack(
      backup,
      plan,
      [{ assignmentId: 'ann', outcome: 'existing' }],
      directory,
    );
    expect([...map.entries()]).toEqual([['old-ann', 'new-ann']]);
    expect(asked).toEqual([]);
  });
});

it('keeps a policy already of the new directory (its tenant ID in any case) and merges every permission kind', async () => {
  const { inventory, port, updates } = ports([
    {
      id: 'kv1',
      name: 'kv1',
      tenantId: NEW,
      rbacAuthorization: false,
      accessPolicies: [
        {
          tenantId: NEW.toUpperCase(),
          objectId: 'new-x',
          permissions: { keys: ['get'], certificates: ['list'] },
        },
        {
          tenantId: OLD,
          objectId: 'old-a',
          permissions: { keys: ['sign'], storage: ['get'], secrets: ['get'] },
        },
      ],
    },
  ]);
  const results = await fixKeyVaults(inventory, port, 'sub', NEW, new Map([['old-a', 'new-x']]));
  expect(results.map((r) => [r.outcome, r.policies, r.dropped])).toEqual([['updated', 1, 0]]);
  expect(updates[0]?.policies).toEqual([
    {
      tenantId: NEW,
      objectId: 'new-x',
      permissions: {
        keys: ['get', 'sign'],
        secrets: ['get'],
        certificates: ['list'],
        storage: ['get'],
      },
    },
  ]);
});

it('reports a vault already done in the access policy model', async () => {
  const { inventory, port } = ports([
    { id: 'kv1', name: 'kv1', tenantId: NEW, rbacAuthorization: false, accessPolicies: [] },
  ]);
  expect(await fixKeyVaults(inventory, port, 'sub', NEW, new Map())).toEqual([
    {
      id: 'kv1',
      name: 'kv1',
      outcome: 'alreadyDone',
      model: 'accessPolicies',
      policies: 0,
      dropped: 0,
    },
  ]);
});

it('updates an RBAC vault with no removed assignments given', async () => {
  const { inventory, port } = ports([
    { id: KV, name: 'kv-rbac', tenantId: OLD, rbacAuthorization: true, accessPolicies: [] },
  ]);
  const [result] = await fixKeyVaults(inventory, port, 'sub', NEW, new Map());
  expect(result).toMatchObject({ outcome: 'updated', model: 'rbac' });
});
