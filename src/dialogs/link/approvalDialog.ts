import { TurnContext } from 'botbuilder';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { PlannedWrite } from '../../domain/model';
import type { ApprovalPolicy, ApprovalRequest } from '../../domain/approval';
import { errorFromJson } from '../../errors';
import type { ApproverDirectoryPort } from '../../graph/approvers';
import {
  awaitApprovalJob,
  cancelApproval,
  type ApprovalDeps,
  type ApprovalJobResult,
  type ApprovalStage,
} from '../../link/approvalJob';
import type { ConfirmedFlow, FlowStart } from '../../link/stages';
import type { ApprovalPolicyStore } from '../../state/approvalPolicies';
import type { ChangeRecordStore } from '../../state/changeRecords';
import { inLinkStep } from '../../telemetry/linkTrace';
import {
  ApprovalCards,
  approverUserIds,
  MAX_REFRESH_USER_IDS,
  type ApprovalSubject,
} from '../approvalCards';
import { jobResult, type BackgroundRunner } from '../waitForBackground';
import { LinkStageDialog, type StagePorts } from './linkStageDialog';

/**
 * The approval stage (issue 29), between the review (typed confirmation) and the move: without a
 * policy for the Office 365 tenant it passes the flow on unchanged (no card, no message). With
 * one, it makes the approval request (src/link/approvalJob.ts), posts the approval card in the
 * policy's team channel, shows the initiator "waiting for approval" (keeping this chat's
 * conversation reference with the request, for the initiator's reminder), and waits for the approval
 * job as a leased background job (like the move's): approved → the move stage; rejected or
 * expired → the link ends with nothing changed (its lock released, the record's status says
 * why). An approval port that records (src/bot/, `recordApprovalRequest`) answers with the writes it listed
 * instead: they go on the flow's plan, and nothing is posted or awaited.
 *
 * The channel's card is everyone's read-only view; its Universal Actions refresh names the
 * approvers known at posting (a group's members, or the Global Administrators, read through
 * Graph; at most Teams' 60) in `refresh.userIds` by their Teams user ids (the team's roster, read
 * as the card is posted: src/bot/teamRoster.ts), whose clients refresh into Approve / Reject
 * (src/dialogs/approvalActions.ts answers the refresh, checking the approver through Graph then).
 * The initiator's `cancel` while the link waits ends the request as cancelled (audited, the
 * channel's card updated; src/link/approvalJob.ts `cancelApproval`).
 */

/** Id of the stage. */
export const APPROVAL_STAGE_DIALOG = 'linkStage.approval';

/** Posts a card in one team's channel (src/bot/channelNotifier.ts `postForMembers`). */
export interface ChannelPoster {
  /**
   * Posts the card `card` makes for the team's members among `objectIds` (their roster ids,
   * `29:…`; undefined when the team's roster could not be read; `[]` for no object ids).
   * @returns the message's activity id; undefined when the bot is not in that team
   */
  postForMembers(
    teamId: string,
    objectIds: readonly string[],
    card: (memberIds: readonly string[] | undefined) => Record<string, unknown>,
  ): Promise<string | undefined>;
}

/** How the approval was asked for: the request made, or the writes recorded instead. */
export type ApprovalAsked =
  | { readonly kind: 'requested'; readonly request: ApprovalRequest }
  | { readonly kind: 'recorded'; readonly writes: readonly PlannedWrite[] };

/** What the stage uses. */
export interface ApprovalPorts extends StagePorts {
  readonly policies: Pick<ApprovalPolicyStore, 'get'>;
  /**
   * Makes the approval request (src/link/approvalJob.ts `requestApproval`), or records it.
   * @param locale the locale of the turn that asks (a recorded write's summary is in it)
   */
  readonly requestApproval: (
    stage: ApprovalStage,
    locale: string | undefined,
  ) => Promise<ApprovalAsked>;
  /** The approval request's stores, notices and wait (src/link/approvalJob.ts). */
  readonly approval: ApprovalDeps;
  readonly changes: Pick<ChangeRecordStore, 'get'>;
  readonly background: BackgroundRunner;
  readonly channel: ChannelPoster;
  /** Graph's approvers as the link initiator's Office 365 connection (src/graph/approvers.ts). */
  readonly approverDirectory: (initiatorId: string) => ApproverDirectoryPort;
}

/** The stage's background job. */
interface ApprovalJobs {
  readonly approval: ApprovalStage;
}

/** With a policy, asks for approval and waits; without one, passes the flow on. */
export class ApprovalDialog extends LinkStageDialog<ConfirmedFlow, ConfirmedFlow, ConfirmedFlow> {
  constructor(private readonly deps: ApprovalPorts) {
    super(APPROVAL_STAGE_DIALOG, deps);
    this.jobs<ApprovalJobs>(deps.background, {
      approval: (_userId, stage) =>
        inLinkStep(this.traced(stage), 'job.approval', () =>
          awaitApprovalJob(deps.approval, stage),
        ),
    });
    this.steps([
      ['approval.ask', (step, flow) => this.askApproval(step, flow)],
      ['approval.after', (step, flow) => this.afterApproval(step, flow)],
    ]);
  }

  protected enter(_context: TurnContext, options: ConfirmedFlow): ConfirmedFlow {
    return options;
  }

  /** The tenant's policy: none → on to the move; else the request, the cards and the wait. */
  private async askApproval(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    const policy = await this.deps.policies.get(flow.org.tenantId);
    if (!policy) return this.next(step, flow);
    const locale = step.context.activity.locale;
    const cards = new ApprovalCards(this.deps.localizer, locale);
    const stage: ApprovalStage = {
      flowId: flow.flowId,
      initiatorId: flow.initiatorId,
      initiatorName: flow.initiatorName,
      subscriptionId: flow.subscription.subscriptionId,
      tenantId: flow.org.tenantId,
      initiatorObjectId: flow.office365.objectId,
      policy,
    };
    const asked = await this.deps.requestApproval(stage, locale);
    if (asked.kind === 'recorded')
      return this.next(step, { ...flow, plan: [...(flow.plan ?? []), ...asked.writes] });
    const { request } = asked;
    // Everyone's read-only card; the approvers' clients refresh into Approve / Reject, Graph
    // checking whoever refreshes or clicks (approvalActions.ts).
    const subject = await this.subject(flow);
    // The refresh names the approvers by their Teams user ids, read from the team's roster when
    // the card is posted (approvers not in the team are left out; none when it cannot be read).
    const refresh: { userIds?: string[] } = {};
    const activityId = await this.deps.channel.postForMembers(
      policy.channel.teamId,
      await this.approverIds(flow, policy),
      (memberIds) => {
        if (memberIds) refresh.userIds = approverUserIds(memberIds);
        return cards.approval(request, subject, false, refresh.userIds);
      },
    );
    if (!activityId) this.log.warn({ flowId: flow.flowId }, 'approval card: bot not in the team');
    await this.deps.approval.approvals.setCard(flow.flowId, {
      subject,
      ...refresh,
      ...(activityId ? { activityId } : {}),
      // The reminder reaches the initiator here too (src/bot/compose.ts `remind`).
      initiatorChat: {
        reference: TurnContext.getConversationReference(step.context.activity),
        ...(locale ? { locale } : {}),
      },
    });
    await step.context.sendActivity({
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: cards.waiting(request),
        },
      ],
    });
    return this.runJob<ApprovalJobs, 'approval'>(step, 'approval', stage);
  }

  /** How the request ended: approved → the move; rejected or expired → the link ends here. */
  private async afterApproval(
    step: WaterfallStepContext<ConfirmedFlow>,
    flow: ConfirmedFlow,
  ): Promise<DialogTurnResult> {
    const result = jobResult<ApprovalJobResult>(step);
    if (!result.ok) return this.fail(step, flow, errorFromJson(result.error));
    const { outcome } = result.value;
    const cards = new ApprovalCards(this.deps.localizer, step.context.activity.locale);
    if (outcome === 'approved') {
      await step.context.sendActivity(cards.t('approval.ended.approved'));
      return this.next(step, flow);
    }
    if (outcome === 'cancelled') return this.cancel(step, flow);
    // The approval job recorded the status (rejected / expired) and the audit entry.
    await step.context.sendActivity(
      outcome === 'rejected'
        ? cards.t('approval.ended.rejected')
        : cards.t('approval.ended.expired'),
    );
    return this.end(step, flow, outcome === 'rejected' ? 'rejected' : 'expired');
  }

  /**
   * The approvers' Entra object ids as Graph lists them now, the initiator left out (they may
   * not approve: the place is another approver's), at most Teams' 60; none when Graph fails
   * (logged: the card still reaches everyone, and a refresh by hand still checks).
   */
  private async approverIds(flow: ConfirmedFlow, policy: ApprovalPolicy): Promise<string[]> {
    try {
      const initiator = flow.office365.objectId.toLowerCase();
      const ids = await this.deps
        .approverDirectory(flow.initiatorId)
        .approverIds(policy.approvers, MAX_REFRESH_USER_IDS + 1);
      return ids.filter((id) => id.toLowerCase() !== initiator).slice(0, MAX_REFRESH_USER_IDS);
    } catch (err) {
      this.log.warn({ flowId: flow.flowId, err }, 'approvers not listed');
      return [];
    }
  }

  /** The link was cancelled while it waited: the approval request ends as cancelled too. */
  protected override async onCancelled(flow: FlowStart): Promise<void> {
    await cancelApproval(this.deps.approval, flow.flowId);
  }

  /** What the approval card names: the subscription, the directories, who loses what. */
  private async subject(flow: ConfirmedFlow): Promise<ApprovalSubject> {
    const record = await this.deps.changes.get(flow.flowId);
    return {
      subscriptionName: flow.subscription.displayName,
      subscriptionId: flow.subscription.subscriptionId,
      sourceName: flow.sourceName,
      destinationName: flow.org.displayName,
      impact: (record?.backup ?? []).map((a) => `${a.principalName}: ${a.roleName}`),
    };
  }
}
