import {
  cardInstant,
  renderCard,
  type ActionIds,
  type AdaptiveCardJson,
  type Choice,
  type PolicyCardData,
} from '../cards/render';
import type { ApprovalPolicy, ApprovalRequest } from '../domain/approval';
import type { Localizer } from '../i18n';
import { plainText } from '../i18n/markdown';
import { withRefresh } from './userSpecificViews';

/**
 * The cards of the approval step (issue 29): the `policy` card (a Global Administrator sets the
 * tenant's policy), the approval card of the policy's channel — everyone's read-only base card
 * with a `refresh` (Universal Actions,
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views)
 * that answers an approver (Graph says so at the refresh) with the Approve / Reject view — and the
 * initiator's "waiting for approval". Dates are Adaptive Cards' `{{DATE()}}`/`{{TIME()}}`
 * (https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features#datetime-formatting-and-localization),
 * so each reader sees their own format.
 */

/** What the approval card says about the link (from its stage; names from Azure and Graph). */
export interface ApprovalSubject {
  readonly subscriptionName: string;
  readonly subscriptionId: string;
  readonly sourceName: string;
  readonly destinationName: string;
  /** The impact summary, one line each (who loses what). */
  readonly impact: readonly string[];
}

/** The card id of an approval card version: a click from an older version is an old card's. */
export function approvalCardId(flowId: string, version: number): string {
  return `approval:${flowId}:v${version}`;
}

/** The version an approval card id carries (0 when it is not one). */
export function approvalCardVersion(cardId: string): number {
  const m = /^approval:.+:v(\d+)$/.exec(cardId);
  return m ? Number(m[1]) : 0;
}

/**
 * A time (epoch ms) as `{{DATE(…, SHORT)}} {{TIME(…)}}` for a text that localized strings put it
 * in, each reader's client formatting it; the instant as {@link cardInstant} writes it.
 */
export function cardDateTime(epochMs: number): string {
  const at = cardInstant(new Date(epochMs).toISOString());
  const call = (fn: 'DATE' | 'TIME', args: string): string => `{{${fn}(${args})}}`;
  return [call('DATE', `${at}, SHORT`), call('TIME', at)].join(' ');
}

/** Builds the approval step's cards for one locale. */
export class ApprovalCards {
  constructor(
    private readonly localizer: Localizer,
    private readonly locale: string | undefined,
  ) {}

  /** A localized string. */
  t(key: string, params: Record<string, string | number> = {}): string {
    return this.localizer.t(this.locale, key, params);
  }

  /** Who a policy asks, in words. */
  asked(policy: ApprovalPolicy): string {
    return policy.approvers.kind === 'group'
      ? this.t('approval.askedGroup', {
          count: policy.required,
          group: plainText(policy.approvers.groupName),
        })
      : this.t('approval.askedGlobalAdmins', { count: policy.required });
  }

  /**
   * The approval card: `canDecide` gives an approver's own view (reason, Approve, Reject);
   * without it, the read-only card everyone sees, with the refresh that asks for one's own view.
   */
  approval(
    request: ApprovalRequest,
    subject: ApprovalSubject,
    canDecide: boolean,
    approverIds: readonly string[] = [],
  ): AdaptiveCardJson {
    const ids: ActionIds = {
      flowId: request.flowId,
      cardId: approvalCardId(request.flowId, request.cardVersion),
    };
    const ended = request.outcome;
    const card = renderCard('approval', {
      ...ids,
      title: !ended
        ? this.t('approval.title')
        : ended === 'approved'
          ? this.t('approval.title.approved')
          : ended === 'rejected'
            ? this.t('approval.title.rejected')
            : this.t('approval.title.expired'),
      text: this.t('approval.text', {
        name: plainText(request.initiatorName),
        subscription: plainText(subject.subscriptionName),
        directory: plainText(subject.destinationName),
      }),
      color: ended === 'approved' ? 'Good' : ended ? 'Attention' : 'Warning',
      facts: [
        {
          title: this.t('approval.subscription'),
          value: plainText(`${subject.subscriptionName} (${subject.subscriptionId})`),
        },
        { title: this.t('approval.from'), value: plainText(subject.sourceName) },
        { title: this.t('approval.to'), value: plainText(subject.destinationName) },
        { title: this.t('approval.by'), value: plainText(request.initiatorName) },
        { title: this.t('approval.asked'), value: this.asked(request.policy) },
      ],
      impactTitle: this.t('approval.impact'),
      impact: subject.impact.map((line) => ({ line })),
      decisionsTitle: this.t('approval.decisions'),
      decisions: request.decisions.map((d) => {
        const said = {
          name: plainText(d.name),
          reason: plainText(d.reason ?? ''),
          when: cardDateTime(Date.parse(d.at)),
        };
        return {
          line:
            d.decision === 'approve'
              ? this.t('approval.approvedBy', said)
              : this.t('approval.rejectedBy', said),
        };
      }),
      expires: !ended
        ? this.t('approval.expires', { when: cardDateTime(request.expiresAt) })
        : ended === 'approved'
          ? this.t('approval.ended.approved')
          : ended === 'rejected'
            ? this.t('approval.ended.rejected')
            : this.t('approval.ended.expired'),
      canDecide: canDecide && !ended,
      reasonLabel: this.t('approval.reason'),
      approveLabel: this.t('approval.approveLabel'),
      rejectLabel: this.t('approval.rejectLabel'),
    });
    return canDecide || ended ? card : withRefresh(card, ids, approverIds);
  }

  /** The initiator's card while the link waits: who was asked, where, until when. */
  waiting(request: ApprovalRequest): AdaptiveCardJson {
    return renderCard('outcome', {
      title: this.t('approval.waiting.title'),
      text: this.t('approval.waiting.text', {
        asked: this.asked(request.policy),
        channel: plainText(request.policy.channel.name),
        when: cardDateTime(request.expiresAt),
      }),
      color: 'Accent',
      facts: request.decisions.map((d) => ({
        title: plainText(d.name),
        value: this.t(d.decision === 'approve' ? 'approval.approveLabel' : 'approval.rejectLabel'),
      })),
    });
  }

  /**
   * The `policy` card, filled with the policy in force.
   * @param channels the team channels the bot is installed in (team id, name)
   */
  policy(
    ids: ActionIds,
    policy: ApprovalPolicy | null,
    channels: readonly { readonly teamId: string; readonly name: string }[],
  ): AdaptiveCardJson {
    const data: PolicyCardData = {
      ...ids,
      title: this.t('policy.title'),
      text: this.t('policy.text'),
      current: policy
        ? this.t('policy.current', {
            asked: this.asked(policy),
            channel: plainText(policy.channel.name),
            hours: Math.round(policy.expiryMs / 3600_000),
          })
        : this.t('policy.off'),
      approversLabel: this.t('policy.approvers'),
      approvers: policy?.approvers.kind ?? 'off',
      approverChoices: [
        { title: this.t('policy.choice.off'), value: 'off' },
        { title: this.t('policy.choice.group'), value: 'group' },
        { title: this.t('policy.choice.globalAdministrators'), value: 'globalAdministrators' },
      ],
      groupLabel: this.t('policy.group'),
      groupId: policy?.approvers.kind === 'group' ? policy.approvers.groupId : '',
      requiredLabel: this.t('policy.required'),
      required: policy?.required ?? 1,
      channelLabel: this.t('policy.channel'),
      channel: policy?.channel.teamId ?? channels[0]?.teamId ?? '',
      channelChoices: channels.map((c): Choice => ({ title: c.name, value: c.teamId })),
      expiryLabel: this.t('policy.expiry'),
      expiryHours: policy ? Math.round(policy.expiryMs / 3600_000) : 24,
      saveLabel: this.t('policy.saveLabel'),
    };
    return renderCard('policy', data);
  }
}
