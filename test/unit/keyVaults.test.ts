import type { KeyVaultPort, KeyVaultState, ResourceInventoryPort } from '../../src/domain/ports';
import { TenantlinkError } from '../../src/errors';
import { fixKeyVaults } from '../../src/link/keyVaults';

/** The key vault update's rules on fake ports: carried, merged, dropped, idempotent, failures kept apart. */

const NEW = 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542';
const OLD = 'a9ea5b18-e185-45c7-a29e-29e0de901d66';

function ports(vaults: KeyVaultState[], refuse: string[] = []) {
  const updates: { id: string; tenantId: string; policies: unknown[] }[] = [];
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
      updates.push({ id, tenantId, policies: [...accessPolicies] });
      return {
        state: { ...vaults.find((v) => v.id === id)!, tenantId, accessPolicies },
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
      { id: 'kv1', name: 'kv1', tenantId: NEW, accessPolicies: [policy('new-x', ['get'], NEW)] },
      { id: 'kv2', name: 'kv2', tenantId: OLD, accessPolicies: [] },
      { id: 'kv3', name: 'kv3', tenantId: OLD, accessPolicies: [] },
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
