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

it.each<[string, Inventory | undefined, boolean | undefined, 'none' | 'checklist' | 'offer']>([
  ['nothing to do after the move', undefined, undefined, 'none'],
  ['key vaults to update', VAULTS, undefined, 'offer'],
  ['key vaults in a dry run (nothing moved: no offer)', VAULTS, true, 'checklist'],
])('ends linked with %s', async (_name, inventory, dryRun, shown) => {
  const stage = new AfterMoveDialog({
    ...basePorts(),
    changes: {
      get: async () => ({ inventory }) as ChangeRecord,
      update: async () => ({}) as ChangeRecord,
    },
  });
  const h = new StageHarness<AccessedFlow>(stage);
  await h.begin({ ...CHOSEN, dryRun });
  expect(h.ended).toEqual({ ended: { outcome: 'linked', flowId: CHOSEN.flowId } });
  const cards = h.sent.filter((a) => a.attachments?.length).map((a) => JSON.stringify(a));
  expect(cards).toHaveLength(shown === 'none' ? 0 : 1);
  if (shown !== 'none') expect(cards[0]).toMatch(/kv-1/);
  expect(cards.some((c) => c.includes(`"verb":"${VERB.fixKeyVaults}"`))).toBe(shown === 'offer');
});
