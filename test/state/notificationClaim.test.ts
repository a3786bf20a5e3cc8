import { MemoryStorage } from 'botbuilder';
import { ChangeRecordStore, NOTIFY_CLAIM_TTL_MS } from '../../src/state/changeRecords';

/** The channel notification is claimed once per flow, across turns and instances sharing a store. */

async function store(): Promise<ChangeRecordStore> {
  const changes = new ChangeRecordStore(new MemoryStorage());
  await changes.update(
    'flow-1',
    () => undefined,
    () => ({
      flowId: 'flow-1',
      initiatorId: 'user-1',
      initiatorName: 'Kelley',
      subscriptionId: 'sub-1',
      subscriptionName: 'Pay-As-You-Go',
      sourceTenantId: 'source',
      destinationTenantId: 'contoso',
      status: 'accessGranted',
      backup: [],
      audit: [],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    }),
  );
  return changes;
}

it('gives the claim to exactly one of many simultaneous claimers', async () => {
  const changes = await store();
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => changes.claimNotification('flow-1', `claim-${i}`)),
  );
  expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
  expect(results.filter((r) => r.kind === 'busy')).toHaveLength(7);
});

it('answers done with the count once the notification is recorded', async () => {
  const changes = await store();
  expect(await changes.claimNotification('flow-1', 'a')).toEqual({ kind: 'claimed' });
  await changes.update('flow-1', (r) => {
    r.status = 'notified';
    r.notifiedChannels = 2;
  });
  expect(await changes.claimNotification('flow-1', 'b')).toEqual({ kind: 'done', channels: 2 });
});

it('lets a later turn take over a claim whose turn died before notifying', async () => {
  const changes = await store();
  await changes.update('flow-1', (r) => {
    r.notifyClaim = {
      id: 'dead',
      at: new Date(Date.now() - NOTIFY_CLAIM_TTL_MS - 1).toISOString(),
    };
  });
  expect(await changes.claimNotification('flow-1', 'alive')).toEqual({ kind: 'claimed' });
});
