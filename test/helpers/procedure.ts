import { MemoryStorage } from 'botbuilder';
import pino from 'pino';
import type { TokenSource } from '../../src/auth/signIn';
import type { CloudClients, ChannelNotifier } from '../../src/link/ports';
import { LinkProcedure } from '../../src/link/procedure';
import { ChangeRecordStore, type ChangeStatus } from '../../src/state/changeRecords';
import type { SubscriptionLockStore } from '../../src/state/subscriptionLocks';

/**
 * A link procedure for unit tests of the jobs on fake ports: change records in memory, no tokens
 * or clients (a test replaces `azure`/`directory` with its fakes), no propagation wait, and the
 * given channel notifier (none told by default) and pause between two looks at the record (the
 * real timer by default).
 */
export function testProcedure(
  notifier: ChannelNotifier = { notify: async () => 0 },
  pause?: (ms: number) => Promise<unknown>,
): {
  procedure: LinkProcedure;
  changes: ChangeRecordStore;
} {
  const changes = new ChangeRecordStore(new MemoryStorage());
  const procedure = new LinkProcedure(
    {
      tokens: {} as TokenSource,
      clients: {} as CloudClients,
      changes,
      locks: {} as SubscriptionLockStore,
      propagation: { timeoutMs: 0, firstPollMs: 1, maxPollMs: 1 },
      notifier,
      ...(pause ? { pause } : {}),
    },
    pino({ level: 'silent' }),
  );
  return { procedure, changes };
}

/** Creates the flow's change record (as the impact review does) with `status`. */
export async function createRecord(
  changes: ChangeRecordStore,
  flowId: string,
  status: ChangeStatus,
  ids: { subscriptionId: string; sourceTenantId: string; destinationTenantId: string },
): Promise<void> {
  const now = new Date().toISOString();
  await changes.update(
    flowId,
    (r) => void (r.status = status),
    () => ({
      flowId,
      initiatorId: 'kelley',
      initiatorName: 'Kelley Wall',
      subscriptionName: 'Pay-As-You-Go',
      ...ids,
      status: 'requested',
      backup: [],
      audit: [],
      createdAt: now,
      updatedAt: now,
    }),
  );
}
