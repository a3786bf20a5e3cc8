import type { ApprovalPolicy } from '../../src/domain/approval';
import { IDS } from '../../src/sandbox';

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
