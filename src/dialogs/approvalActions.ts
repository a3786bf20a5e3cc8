import type { TurnContext } from 'botbuilder';
import type { TokenCredential } from '@azure/core-auth';
import type { ClickRefusal } from '../domain/approval';
import type { ApproverDirectoryPort } from '../graph/approvers';
import type { Localizer } from '../i18n';
import { applyApprovalClick, type ApprovalDeps } from '../link/approvalJob';
import { createLogger } from '../log';
import { ApprovalCards, approvalCardId, approvalCardVersion } from './approvalCards';
import { answerInvoke, answerWithMessage } from './cardAnswers';
import { VERB } from './verbs';

/**
 * The approval card's buttons (issue 29): a card of the policy's team channel that outlives every
 * dialog and that any approver answers, so the bot asks this before any dialog (the `approval`
 * handler of the verbs table, src/dialogs/verbs.ts). The click goes to applyApprovalClick
 * (src/link/approvalJob.ts): the initiator is refused before Graph is asked; Graph says, at the
 * click, whether the clicking user is an approver (`checkMemberGroups`, src/graph/approvers.ts,
 * called with the link initiator's Office 365 connection, the Global Administrator who signed
 * in); the decision or the refusal goes into the change record's audit trail. The answer is a
 * Universal Actions message (`application/vnd.microsoft.activity.message`: the card stays as it
 * is; https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards).
 *
 * The card's refresh (Universal Actions user-specific views,
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views):
 * the channel's message is everyone's read-only card whose `refresh.userIds` names the approvers
 * known at posting; each of their clients (and anyone's, by hand) sends the refresh's
 * `adaptiveCard/action` invoke, which {@link answerApprovalAction} answers with that user's view,
 * Graph checking at that moment whether they are an approver: Approve / Reject for an approver,
 * the read-only card for anyone else (the initiator included), the outcome once it has ended.
 */

/** What {@link answerApprovalAction} uses. */
export interface ApprovalActionDeps {
  readonly localizer: Localizer;
  readonly approval: ApprovalDeps;
  /** Graph's approver check for a credential (src/graph/approvers.ts). */
  readonly approvers: (credential: TokenCredential) => ApproverDirectoryPort;
  /** The Office 365 Graph credential of a Teams user (the link's initiator). */
  readonly credential: (userId: string) => TokenCredential;
}

/** The localized answer of each refusal. */
function refusal(t: (key: string) => string, why: ClickRefusal): string {
  switch (why) {
    case 'initiator':
      return t('approval.refused.initiator');
    case 'notApprover':
      return t('approval.refused.notApprover');
    case 'alreadyDecided':
      return t('approval.refused.alreadyDecided');
    case 'reasonRequired':
      return t('approval.refused.reasonRequired');
    case 'staleCard':
    case 'ended':
      return t('approval.refused.ended');
  }
}

const log = createLogger('approval');

/**
 * Answers an Approve / Reject click on an approval card.
 * @returns whether the click was such a one (and is answered)
 * @throws TenantlinkError from Graph, Error from storage
 */
export async function answerApprovalAction(
  context: TurnContext,
  action: { readonly verb: string; readonly data: Record<string, unknown> },
  deps: ApprovalActionDeps,
): Promise<boolean> {
  if (action.verb === VERB.refresh && action.data.standing === 'approval')
    return answerApprovalRefresh(context, action.data, deps);
  if (action.verb !== VERB.approve && action.verb !== VERB.reject) return false;
  const t = (key: string): string => deps.localizer.t(context.activity.locale, key);
  const flowId = typeof action.data.flowId === 'string' ? action.data.flowId : '';
  const cardId = typeof action.data.cardId === 'string' ? action.data.cardId : '';
  const reason = typeof action.data.reason === 'string' ? action.data.reason : undefined;
  const request = flowId ? await deps.approval.approvals.get(flowId) : undefined;
  if (!request) {
    await answerWithMessage(context, t('approval.refused.ended'));
    return true;
  }
  const from = context.activity.from;
  const result = await applyApprovalClick(
    deps.approval,
    deps.approvers(deps.credential(request.initiatorId)),
    flowId,
    {
      userId: from.id,
      objectId: from.aadObjectId ?? '',
      name: from.name ?? from.id,
      decision: action.verb === VERB.approve ? 'approve' : 'reject',
      ...(reason !== undefined ? { reason } : {}),
      cardVersion: approvalCardVersion(cardId),
    },
  );
  log.info(
    { flowId, verb: action.verb, result: result.kind === 'recorded' ? 'recorded' : result.why },
    'approval click',
  );
  await answerWithMessage(
    context,
    result.kind === 'recorded' ? t('approval.recorded') : refusal(t, result.why),
  );
  return true;
}

/**
 * Answers the approval card's refresh with the refreshing user's view (see the module comment).
 * @returns false when there is no such request or card (the bot then answers it as stale)
 * @throws TenantlinkError from Graph, Error from storage
 */
async function answerApprovalRefresh(
  context: TurnContext,
  data: Record<string, unknown>,
  deps: ApprovalActionDeps,
): Promise<boolean> {
  const flowId = typeof data.flowId === 'string' ? data.flowId : '';
  const request = flowId ? await deps.approval.approvals.get(flowId) : undefined;
  const posted = request?.card;
  if (!request || !posted) return false;
  const cards = new ApprovalCards(deps.localizer, context.activity.locale);
  // Ended: everyone's card (no refresh), which also replaces the channel's message.
  if (request.outcome) {
    await answerInvoke(context, cards.approval(request, posted.subject, false));
    return true;
  }
  const from = context.activity.from;
  const isInitiator =
    from.id === request.initiatorId ||
    (from.aadObjectId ?? '').toLowerCase() === request.initiatorObjectId.toLowerCase();
  const canDecide =
    !isInitiator &&
    !!from.aadObjectId &&
    (await deps
      .approvers(deps.credential(request.initiatorId))
      .isApprover(from.aadObjectId, request.policy.approvers));
  log.info({ flowId, canDecide }, 'approval card refresh');
  await answerInvoke(context, cards.approval(request, posted.subject, canDecide, posted.userIds), {
    flowId,
    cardId: approvalCardId(flowId, request.cardVersion),
    standing: 'approval',
    initiatorId: request.initiatorId,
    userIds: posted.userIds ?? null,
  });
  return true;
}
