import type { Inventory } from '../../../src/domain/inventory';
import { AfterMoveDialog } from '../../../src/dialogs/link/afterMoveDialog';
import { VERB } from '../../../src/dialogs/verbs';
import type { AccessedFlow } from '../../../src/link/stages';
import type { ChangeRecord } from '../../../src/state/changeRecords';
import { CHOSEN } from './fixtures';
import { StageHarness, basePorts } from './stageHarness';

/**
 * The after-move stage on fake ports: the checklist it shows for each inventory, the key vault
 * offer only where there is one to make, and the link ended `linked` in every case.
 */

const VAULTS: Inventory = {
  total: 2,
  groups: [{ kind: 'keyVault', severity: 'breaks', count: 2, names: ['kv-1', 'kv-2'] }],
};

const IDENTITIES: Inventory = {
  total: 1,
  groups: [{ kind: 'systemIdentity', severity: 'breaks', count: 1, names: ['kv-1-identity'] }],
};

it.each<[string, Inventory | undefined, 'none' | 'checklist' | 'offer']>([
  ['nothing to do after the move', undefined, 'none'],
  ['key vaults to update', VAULTS, 'offer'],
  ['no key vault (nothing to offer)', IDENTITIES, 'checklist'],
])('ends linked with %s', async (_name, inventory, shown) => {
  const stage = new AfterMoveDialog({
    ...basePorts(),
    changes: {
      get: async () => ({ inventory }) as ChangeRecord,
      update: async () => ({}) as ChangeRecord,
    },
  });
  const h = new StageHarness<AccessedFlow>(stage);
  await h.begin(CHOSEN);
  expect(h.ended).toEqual({ ended: { outcome: 'linked', flowId: CHOSEN.flowId } });
  const cards = h.sent.filter((a) => a.attachments?.length).map((a) => JSON.stringify(a));
  expect(cards).toHaveLength(shown === 'none' ? 0 : 1);
  if (shown !== 'none') expect(cards[0]).toMatch(/kv-1/);
  expect(cards.some((c) => c.includes(`"verb":"${VERB.fixKeyVaults}"`))).toBe(shown === 'offer');
});
