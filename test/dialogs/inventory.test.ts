import { IDS } from '../../src/sandbox';
import { draftSubscription, editedSeed } from '../helpers/seeds';
import { cardText, personalChat } from '../helpers/teamsChannel';
import {
  USERS,
  click,
  linkUpToChoose,
  runLink,
  startHarness,
  type Harness,
} from '../helpers/testApp';

/**
 * Know what breaks before the move (issue 17): the impact card lists, from Azure Resource Graph,
 * what the directory change does to the subscription's resources, grouped as Microsoft's transfer
 * doc states it; every kind that breaks must be acknowledged before the confirm card; a resource
 * that cannot change directory stops the link with nothing changed.
 */

const S = IDS.subscriptions;
const chat = personalChat(USERS.kelley);
let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    {},
    editedSeed((draft) => {
      // Pay-As-You-Go also keeps the data of a storage account under a customer-managed key in
      // its own key vault kv-kelley-web (the transfer doc's warning: it can become unrecoverable),
      // and a SQL server's TDE protector in a vault of another subscription. Property shapes:
      // StorageAccountEnableCMK.json and Servers.json (src/domain/inventory.ts cites them).
      const payAsYouGo = draftSubscription(draft, S.payAsYouGo);
      payAsYouGo.resources = [
        ...(payAsYouGo.resources ?? []),
        {
          name: 'stkelleyorders',
          type: 'Microsoft.Storage/storageAccounts',
          resourceGroup: 'rg-data',
          location: 'westeurope',
          kind: 'StorageV2',
          properties: {
            isHnsEnabled: false,
            encryption: {
              keySource: 'Microsoft.Keyvault',
              keyvaultproperties: {
                keyvaulturi: 'https://kv-kelley-web.vault.azure.net/',
                keyname: 'orders',
                keyversion: '',
              },
            },
          },
        },
        {
          name: 'sql-reports',
          type: 'Microsoft.Sql/servers',
          resourceGroup: 'rg-data',
          location: 'westeurope',
          properties: { keyId: 'https://kv-finance.vault.azure.net/keys/tde/0123456789abcdef' },
        },
      ];
      // Visual Studio Enterprise runs an AKS cluster and a SQL server with an Entra admin.
      draftSubscription(draft, S.visualStudio).resources = [
        {
          name: 'aks-prod',
          type: 'Microsoft.ContainerService/managedClusters',
          resourceGroup: 'rg-aks',
          location: 'westeurope',
          identity: { type: 'SystemAssigned' },
        },
        {
          name: 'sql-orders',
          type: 'Microsoft.Sql/servers',
          resourceGroup: 'rg-data',
          location: 'westeurope',
          properties: { administrators: { administratorType: 'ActiveDirectory' } },
        },
      ];
    }),
  );
});
afterAll(async () => h?.stop());
beforeEach(() => h.sandbox.reset());
afterEach(async () => {
  await h.channel.say(USERS.kelley, 'cancel');
});

async function upToImpact(subscriptionId: string = S.payAsYouGo): Promise<void> {
  await linkUpToChoose(h);
  await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId });
}

const flowIdOf = (card: Record<string, unknown>): string =>
  String((JSON.stringify(card).match(/"flowId":"([^"]+)"/) ?? [])[1]);

it('lists what else the move breaks, by kind, from Resource Graph, and records it', async () => {
  await upToImpact();
  const impact = h.channel.lastCard(chat).card;
  const text = cardText(impact);
  expect(text).toContain('What else the move breaks (8 resources read from Azure Resource Graph)');
  // The transfer doc's warning, first among what breaks: the key vault moves with the data.
  expect(text).toMatch(
    /Encrypted with a key in a key vault of this subscription\*\* \(1\): stkelleyorders\. Its encryption at rest depends on a key vault that is transferred with the subscription, which can lead to an unrecoverable scenario: before the move, use a different key vault or temporarily disable customer-managed keys\./,
  );
  expect(text).toMatch(
    /Encrypted with a key in a key vault outside this subscription\*\* \(1\): sql-reports\./,
  );
  expect(text).toMatch(/Resources with a system-assigned managed identity\*\* \(1\): vm-web-01/);
  expect(text).toMatch(/User-assigned managed identities\*\* \(1\): id-build-agent/);
  expect(text).toMatch(
    /Key vaults\*\* \(1\): kv-kelley-web\. After the move, update the vault's tenant ID/,
  );
  expect(text).toMatch(/Data Lake Storage Gen2 accounts\*\* \(1\): stkelleylake/);
  // The assignment and the custom initiative (a policy set definition).
  expect(text).toMatch(/Azure Policy objects\*\* \(2\): allowed-locations, web-baseline\./);
  expect(text).toContain('Export the definitions, initiatives and assignments before the move');
  expect(text).toMatch(/Storage accounts \(Azure Files\)\*\* \(2\): stkelleyfiles, stkelleyorders/);
  expect(text).not.toContain('vnet-web');
  const record = await h.app.changes.get(flowIdOf(impact));
  expect(record?.inventory?.total).toBe(8);
  expect(record?.inventory?.groups.map((g) => [g.kind, g.severity])).toEqual([
    ['customerKeyMoving', 'breaks'],
    ['systemIdentity', 'breaks'],
    ['userIdentity', 'breaks'],
    ['keyVault', 'breaks'],
    ['dataLakeGen2', 'breaks'],
    ['policy', 'breaks'],
    ['storageFiles', 'check'],
    ['customerKey', 'check'],
  ]);
});

it('does not reach the confirm card until every kind that breaks is acknowledged', async () => {
  await upToImpact();
  const all = {
    ack_customerKeyMoving: 'true',
    ack_systemIdentity: 'true',
    ack_userIdentity: 'true',
    ack_keyVault: 'true',
    ack_dataLakeGen2: 'true',
    ack_policy: 'true',
  };
  await click(h, USERS.kelley, chat, 'impact.continue', { ...all, ack_keyVault: 'false' });
  let card = cardText(h.channel.lastCard(chat).card);
  expect(card).toContain('Tick each box to confirm you read what breaks');
  expect(card).not.toContain('type the subscription');
  // The key that can become unrecoverable must be acknowledged too.
  await click(h, USERS.kelley, chat, 'impact.continue', { ...all, ack_customerKeyMoving: 'false' });
  card = cardText(h.channel.lastCard(chat).card);
  expect(card).toContain('Tick each box to confirm you read what breaks');
  expect(card).not.toContain('type the subscription');
  await click(h, USERS.kelley, chat, 'impact.continue', all);
  card = cardText(h.channel.lastCard(chat).card);
  expect(card).toMatch(/Confirm/);
  expect(h.sandbox.writeLog()).toEqual([]);
});

it('stops the link before the confirm card when a resource cannot change directory, changing nothing', async () => {
  await upToImpact(S.visualStudio);
  const texts = h.channel.texts(chat).join('\n') + cardText(h.channel.lastCard(chat).card);
  expect(texts).toContain('Visual Studio Enterprise cannot be linked to Contoso as it is');
  expect(texts).toMatch(/AKS clusters\*\* \(1\): aks-prod\. An AKS cluster cannot move/);
  expect(texts).toMatch(
    /Azure SQL servers with Microsoft Entra authentication\*\* \(1\): sql-orders/,
  );
  expect(h.sandbox.writeLog()).toEqual([]);
  expect(h.sandbox.snapshot().changeTenantRequests).toEqual([]);
  // The flow ended, recorded as blocked, and the subscription's lock is free for a next try.
  const blocked = h.channel
    .activities(chat)
    .map((a) => JSON.stringify(a.activity))
    .reverse()
    .map((json) => /"flowId":"([^"]+)"/.exec(json)?.[1])
    .find((id): id is string => id !== undefined);
  expect((await h.app.changes.get(blocked!))?.status).toBe('blocked');
  await linkUpToChoose(h);
  await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId: S.visualStudio });
  expect(h.channel.texts(chat).join('\n')).not.toContain('is being linked by');
});

it('asks the admin to check the resources by hand when Resource Graph cannot be read', async () => {
  h.sandbox.setFaults({
    rules: [{ api: 'arm', path: 'ResourceGraph', status: 403, code: 'AuthorizationFailed' }],
  });
  await upToImpact();
  const impact = h.channel.lastCard(chat).card;
  const text = cardText(impact);
  expect(text).toContain('could not be read from Azure Resource Graph (TL-CLOUD-FORBIDDEN)');
  expect(text).toContain('Check them yourself before you continue');
  expect(JSON.stringify(impact)).toContain('"id":"ack_inventory"');
  const record = await h.app.changes.get(flowIdOf(impact));
  expect(record?.inventoryError).toBe('TL-CLOUD-FORBIDDEN');
});

it('takes the inventory in a dry run too, writing nothing', async () => {
  await linkUpToChoose(h, { command: 'link --dry-run' });
  await click(h, USERS.kelley, chat, 'subscription.choose', { subscriptionId: S.payAsYouGo });
  const impact = h.channel.lastCard(chat).card;
  expect(cardText(impact)).toContain('What else the move breaks');
  expect((await h.app.changes.get(flowIdOf(impact)))?.inventory?.groups).toHaveLength(8);
  expect(h.sandbox.writeLog()).toEqual([]);
});

it("ends a link with the checklist of what is left to do, with Microsoft's page for each kind", async () => {
  await runLink(h);
  const checklist = h.channel
    .activities(chat)
    .map((a) => a.activity.attachments?.[0]?.content)
    .filter((c) => c && cardText(c).includes('After the move: what is left to do in Pay-As-You-Go'))
    .at(-1);
  expect(checklist).toBeDefined();
  const text = cardText(checklist);
  expect(text).toMatch(
    /Key vaults\*\* \(1\): kv-kelley-web\..*How: https:\/\/learn\.microsoft\.com\/azure\/key-vault\/general\/move-subscription/,
  );
  expect(text).toContain('#update-system-assigned-managed-identities');
  expect(text).toContain('#review-other-security-methods');
});
