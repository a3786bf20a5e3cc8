import { MemoryStorage } from 'botbuilder';
import pino from 'pino';
import type { TokenSource } from '../../src/auth/signIn';
import type { AzureManagementPort } from '../../src/domain/ports';
import type { CloudClients } from '../../src/link/ports';
import { LinkProcedure } from '../../src/link/procedure';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import type { SubscriptionLockStore } from '../../src/state/subscriptionLocks';

/**
 * The link procedure's ports: each one is built on the credential of the sign-in the job names,
 * for the API it calls (ARM for Azure, the inventory and the key vaults; Graph for the directory).
 */

it("builds each port on the named sign-in's token for that port's API", () => {
  const tokens = {
    credential: (user: string, kind: string, resource: string) => ({ user, kind, resource }),
  } as unknown as TokenSource;
  const port = (name: string) => (credential: unknown) => ({ name, credential });
  const clients = {
    azure: port('azure'),
    directory: port('directory'),
    inventory: port('inventory'),
    keyVaults: port('keyVaults'),
  } as unknown as CloudClients;
  const procedure = new LinkProcedure(
    {
      tokens,
      clients,
      changes: new ChangeRecordStore(new MemoryStorage()),
      locks: {} as SubscriptionLockStore,
      propagation: { timeoutMs: 0, firstPollMs: 1, maxPollMs: 1 },
      notifier: { notify: async () => 0 },
    },
    pino({ level: 'silent' }),
  );
  expect([
    procedure.azure('29:kelley', 'azure'),
    procedure.directory('29:kelley', 'office365'),
    procedure.inventory('29:kelley', 'azure'),
    procedure.keyVaults('29:kelley', 'office365'),
  ]).toEqual([
    { name: 'azure', credential: { user: '29:kelley', kind: 'azure', resource: 'arm' } },
    { name: 'directory', credential: { user: '29:kelley', kind: 'office365', resource: 'graph' } },
    { name: 'inventory', credential: { user: '29:kelley', kind: 'azure', resource: 'arm' } },
    { name: 'keyVaults', credential: { user: '29:kelley', kind: 'office365', resource: 'arm' } },
  ]);
});

it('waits for the new directory with its propagation settings', async () => {
  const procedure = new LinkProcedure(
    {
      tokens: {} as TokenSource,
      clients: {} as CloudClients,
      changes: new ChangeRecordStore(new MemoryStorage()),
      locks: {} as SubscriptionLockStore,
      propagation: { timeoutMs: 0, firstPollMs: 1, maxPollMs: 1 },
      notifier: { notify: async () => 0 },
    },
    pino({ level: 'silent' }),
  );
  const target = {
    getSubscription: async (id: string) => ({
      subscriptionId: id,
      tenantId: 'new',
      state: 'Enabled',
    }),
  } as unknown as AzureManagementPort;
  expect(await procedure.waitForDirectory(target, 's1', 'new')).toBe(true);
  expect(await procedure.waitForDirectory(target, 's1', 'old')).toBe(false);
});
