import type { ApprovalPolicy } from '../../src/domain/approval';
import type { ApprovalStage } from '../../src/link/approvalJob';
import { IDS } from '../../src/sandbox';
import type { ChangeRecordStore } from '../../src/state/changeRecords';

/**
 * The approval policy of the approval tests: one approval from the sandbox's Contoso change board
 * (an Entra group, with nested members), asked in `teamId`'s General channel, expiring after 24 h.
 * @param teamId the team (and channel) id the approval card is posted in
 * @param groupName the group's display name as the policy stored it
 */
export function changeBoardPolicy(teamId: string, groupName = 'Change Board'): ApprovalPolicy {
  return {
    required: 1,
    approvers: { kind: 'group', groupId: IDS.groups.contosoChangeBoard, groupName },
    channel: { teamId, channelId: teamId, name: 'Contoso IT' },
    expiryMs: 24 * 3600_000,
  };
}

/**
 * Stores the change record of an approval stage's flow as the review and the typed confirmation
 * left it (status `confirmed`, nothing backed up, no audit yet), for the approval job's unit tests.
 * @param now the record's creation time (epoch ms)
 */
export async function storeConfirmedRecord(
  changes: ChangeRecordStore,
  stage: ApprovalStage,
  now: number,
): Promise<void> {
  await changes.update(
    stage.flowId,
    () => undefined,
    () => ({
      flowId: stage.flowId,
      initiatorId: stage.initiatorId,
      initiatorName: stage.initiatorName,
      subscriptionId: stage.subscriptionId,
      subscriptionName: 'Pay-As-You-Go',
      sourceTenantId: 'src',
      destinationTenantId: stage.tenantId,
      status: 'confirmed',
      backup: [],
      audit: [],
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    }),
  );
}
