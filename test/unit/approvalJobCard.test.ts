import { MemoryStorage } from 'botbuilder';
import { DEFAULT_APPROVAL_EXPIRY_MS, type ApprovalPolicy } from '../../src/domain/approval';
import type { ApproverDirectoryPort } from '../../src/graph/approvers';
import {
  applyApprovalClick,
  awaitApprovalJob,
  cancelApproval,
  requestApproval,
  type ApprovalDeps,
  type ApprovalStage,
} from '../../src/link/approvalJob';
import { ApprovalStore } from '../../src/state/approvals';
import { ChangeRecordStore } from '../../src/state/changeRecords';
import { storeConfirmedRecord } from '../helpers/approvalPolicy';

/**
 * The approval job and the channel's card (issue 29): a card that cannot be updated stops
 * nothing, and a cancel works on an instance that has no wait to wake.
 */

const policy: ApprovalPolicy = {
  required: 1,
  approvers: { kind: 'group', groupId: '8b1d6e3f-4a2c-4f7e-9d05-3c6a1b2e7f48', groupName: 'CAB' },
  channel: { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Changes' },
  expiryMs: DEFAULT_APPROVAL_EXPIRY_MS,
};
const stage: ApprovalStage = {
  flowId: 'f1',
  initiatorId: '29:kelley',
  initiatorName: 'Kelley',
  subscriptionId: 'a27e2463-29b2-43f1-9a86-7fecb0e7d9aa',
  tenantId: 'cf2c1c8a-9a1b-4584-9523-71a6b29ed542',
  initiatorObjectId: 'oid-kelley',
  policy,
};
const approvers = {
  isApprover: async (objectId: string) => objectId === 'oid-megan',
} as unknown as ApproverDirectoryPort;

/** Deps over fresh storage holding the flow's change record; the card update always fails. */
async function deps(): Promise<ApprovalDeps> {
  const storage = new MemoryStorage();
  const now = Date.parse('2026-12-04T10:00:00Z');
  const changes = new ChangeRecordStore(storage);
  await storeConfirmedRecord(changes, stage, now);
  return {
    approvals: new ApprovalStore(storage, () => now),
    changes,
    notices: {
      remind: async () => undefined,
      show: async () => {
        throw new Error('the channel message is gone');
      },
    },
    pollMs: 3600_000,
    pause: async () => {
      throw new Error('the job paused: it should have ended');
    },
  };
}

it('records a click and ends the wait though the card cannot be updated', async () => {
  const d = await deps();
  await requestApproval(d, stage);
  const click = {
    userId: '29:megan',
    objectId: 'oid-megan',
    name: 'megan',
    decision: 'approve' as const,
    cardVersion: 1,
  };
  expect((await applyApprovalClick(d, approvers, 'f1', click)).kind).toBe('recorded');
  expect((await awaitApprovalJob(d, stage)).outcome).toBe('approved');
});

it('cancels on an instance with no wait to wake, once, audited as the initiator', async () => {
  const d = await deps();
  await requestApproval(d, stage);
  expect(await cancelApproval(d, 'f1')).toBe(true);
  expect(await cancelApproval(d, 'f1')).toBe(false);
  const record = await d.changes.get('f1');
  expect(record?.status).toBe('cancelled');
  expect(record?.audit.at(-1)).toMatchObject({
    by: '29:kelley',
    action: 'approval:cancelled',
    outcome: 'ok',
  });
});
