import {
  cardInstant,
  renderCard,
  type ActionIds,
  type AdaptiveCardJson,
  type Choice,
  type PolicyCardData,
} from '../cards/render';
import type {
  ApprovalOutcome,
  ApprovalPolicy,
  ApprovalRequest,
  ApprovalSubject,
} from '../domain/approval';
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

export type { ApprovalSubject } from '../domain/approval';

/**
 * Most users a card's `refresh.userIds` names: Teams shows a user-specific view to at most 60
 * users ("Maximum 60 different users can see a different version of the card",
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views;
 * `userIds` in https://learn.microsoft.com/javascript/api/teams-sdk-typescript/@microsoft/teams.cards/irefreshdefinition:
 * in chats or channels of more than 60 users only those listed refresh on their own, the others
 * by hand, which the bot answers the same way).
 */
export const MAX_REFRESH_USER_IDS = 60;

/**
 * The `refresh.userIds` of the approval card: the approvers' Teams user ids ("user MRIs", the
 * `id` of each approver's member of the team's roster, `29:…`: src/bot/teamRoster.ts cites the
 * sources), at most {@link MAX_REFRESH_USER_IDS}, each once, in their order.
 */
export function approverUserIds(memberIds: readonly string[]): string[] {
  return [...new Set(memberIds)].slice(0, MAX_REFRESH_USER_IDS);
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
   * @param approverIds the refresh's `userIds` (Teams user ids, {@link approverUserIds});
   *   undefined omits them (the team's roster could not be read)
   */
  approval(
    request: ApprovalRequest,
    subject: ApprovalSubject,
    canDecide: boolean,
    approverIds?: readonly string[],
  ): AdaptiveCardJson {
    const ids: ActionIds = {
      flowId: request.flowId,
      cardId: approvalCardId(request.flowId, request.cardVersion),
    };
    const ended = request.outcome;
    const card = renderCard('approval', {
      ...ids,
      title: this.title(ended),
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
      expires: ended
        ? this.closed(request, ended)
        : this.t('approval.expires', { when: cardDateTime(request.expiresAt) }),
      canDecide: canDecide && !ended,
      reasonLabel: this.t('approval.reason'),
      approveLabel: this.t('approval.approveLabel'),
      rejectLabel: this.t('approval.rejectLabel'),
    });
    if (ended) return card;
    const refreshIds = { ...ids, standing: 'approval' } as const;
    if (canDecide) return withRefresh(card, refreshIds, approverIds);
    // Everyone's view: read-only, saying who can answer; approvers refresh into their own.
    return withRefresh(
      {
        ...card,
        body: [
          ...card.body,
          {
            type: 'TextBlock',
            text: this.t('approval.onlyApprovers', { asked: this.asked(request.policy) }),
            wrap: true,
            isSubtle: true,
          },
        ],
      },
      refreshIds,
      approverIds,
    );
  }

  /** How an ended request ended: who decided (or that nobody did), and when. */
  private closed(request: ApprovalRequest, ended: ApprovalOutcome): string {
    const decided = (decision: 'approve' | 'reject'): string =>
      request.decisions
        .filter((d) => d.decision === decision)
        .map((d) => plainText(d.name))
        .join(', ');
    const names =
      ended === 'approved'
        ? decided('approve')
        : ended === 'rejected'
          ? decided('reject')
          : ended === 'cancelled'
            ? plainText(request.initiatorName)
            : '';
    const said = { names, when: cardDateTime(request.endedAt ?? request.expiresAt) };
    switch (ended) {
      case 'approved':
        return this.t('approval.closed.approved', said);
      case 'rejected':
        return this.t('approval.closed.rejected', said);
      case 'expired':
        return this.t('approval.closed.expired', said);
      case 'cancelled':
        return this.t('approval.closed.cancelled', said);
    }
  }

  /** The card's title: asking, or how the request ended. */
  private title(ended: ApprovalOutcome | undefined): string {
    switch (ended) {
      case undefined:
        return this.t('approval.title');
      case 'approved':
        return this.t('approval.title.approved');
      case 'rejected':
        return this.t('approval.title.rejected');
      case 'expired':
        return this.t('approval.title.expired');
      case 'cancelled':
        return this.t('approval.title.cancelled');
    }
  }

  /** One recorded decision as a line (the channel notice, `history`): who, and when. */
  decisionLine(decision: 'approve' | 'reject', name: string, atIso: string): string {
    const said = { name: plainText(name), when: cardDateTime(Date.parse(atIso)) };
    return decision === 'approve'
      ? this.t('approval.approvedBy', said)
      : this.t('notice.rejectedBy', said);
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
