import type { TokenCredential } from '@azure/core-auth';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { BlobStateStorage } from '../../src/state/cloudStorage';
import { CREATE_ONLY_ETAG } from '../../src/state/createOnly';
import { SubscriptionLockStore } from '../../src/state/subscriptionLocks';
import { startAzurite, type Azurite } from '../helpers/azurite';

/**
 * Issue 25, defect 5: a create-only write on Blob Storage must be one conditional Put Blob
 * (`If-None-Match: *`), not a read followed by a write: in the window between the two, every
 * instance that read "absent" went on to write, and each believed it held the lock. Here
 * independent instances (each its own BlobStateStorage, its own client) race for one subscription
 * on Azurite, round after round; exactly one may win each round. An item created that way is the
 * blob botbuilder's BlobsStorage reads for the key, and its eTag works as any other.
 */

jest.setTimeout(120_000);

const INSTANCES = 8;
const ROUNDS = 20;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => azurite?.stop());

it(`gives a subscription to exactly one of ${INSTANCES} instances racing for it, every round`, async () => {
  const instances = Array.from(
    { length: INSTANCES },
    () => new SubscriptionLockStore(new BlobStateStorage(azurite.connectionString, 'lock-race')),
  );
  const winnersPerRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const subscriptionId = `00000000-0000-0000-0000-${String(round).padStart(12, '0')}`;
    const results = await Promise.all(
      instances.map((locks, i) =>
        locks.acquire({
          subscriptionId,
          flowId: `flow-${i}`,
          holderId: `user-${i}`,
          holderName: `Admin ${i}`,
        }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.acquired ? [`flow-${i}`] : []));
    winnersPerRound.push(winners.length);
    // Every loser is told who won.
    for (const r of results) if (!r.acquired) expect(winners).toEqual([r.holder.flowId]);
  }
  expect(winnersPerRound).toEqual(Array(ROUNDS).fill(1));
});

it('creates the blob BlobsStorage reads for the key, unchanged, with an eTag that works', async () => {
  const container = 'create-shape';
  const ours = new BlobStateStorage(azurite.connectionString, container);
  const botbuilder = new BlobsStorage(azurite.connectionString, container);
  // A key with a path, doubled and trailing slashes, spaces and characters URI-encoded.
  const key = 'locks/subscriptions//Sjögren 林 #1?/';
  const item = { holderName: 'Sjögren 林', nested: { list: [1, 'two'] } };
  await ours.write({ [key]: { ...item, eTag: CREATE_ONLY_ETAG } });
  const read = (await botbuilder.read([key]))[key];
  expect(read).toEqual({ ...item, eTag: expect.any(String) });
  await expect(ours.write({ [key]: { v: 2, eTag: CREATE_ONLY_ETAG } })).rejects.toThrow(
    /etag conflict/i,
  );
  // The eTag read updates it once (If-Match); the same eTag again is stale.
  await ours.write({ [key]: { ...read, holderName: 'Megan' } });
  await expect(ours.write({ [key]: { ...read, holderName: 'Lee' } })).rejects.toThrow(/etag/i);
  expect((await ours.read([key]))[key]).toMatchObject({ holderName: 'Megan' });
  // Deleted, it can be created again.
  await botbuilder.delete([key]);
  await ours.write({ [key]: { v: 3, eTag: CREATE_ONLY_ETAG } });
  expect((await botbuilder.read([key]))[key]).toMatchObject({ v: 3 });
});

it('targets the named container under the account URL when given a credential', () => {
  const credential: TokenCredential = { getToken: async () => null };
  // The account's blob endpoint, as infra/main.bicep passes it (BLOB_ACCOUNT_URL). BlobsStorage
  // takes a container URL there: given the account's, it threw "Unable to extract containerName".
  const storage = new BlobStateStorage(
    { url: 'https://tenantlinkstate.blob.core.windows.net/', credential },
    'tenantlink',
  );
  // Both halves, botbuilder's class and the create-only writes, address the same container.
  const { inner, creator } = storage as unknown as {
    inner: { _containerClient: { url: string } };
    creator: { container: { url: string } };
  };
  expect(inner._containerClient.url).toBe(
    'https://tenantlinkstate.blob.core.windows.net/tenantlink',
  );
  expect(creator.container.url).toBe(inner._containerClient.url);
});
