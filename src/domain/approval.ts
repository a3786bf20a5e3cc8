import { DIRECTORY_ROLES } from './roles';

/**
 * Four eyes on the directory change (issue 29): a tenant's optional approval policy and the pure
 * rules of one approval request — who may approve, how many approvals it takes, when it expires,
 * when it reminds, and what a click changes. No I/O: the stores (src/state/approvalPolicies.ts,
 * src/state/approvals.ts) keep the data, Graph (src/graph/approvers.ts) says who is an approver.
 */

/** Default time an approval request waits for its approvals before the link ends (ms, 24 h). */
export const DEFAULT_APPROVAL_EXPIRY_MS = 24 * 3600_000;
/** Shortest expiry a policy may set (ms, 15 min): less leaves approvers no time to read the card. */
export const MIN_APPROVAL_EXPIRY_MS = 15 * 60_000;
/** Longest expiry a policy may set (ms, 7 days): the link's sign-ins and lock do not last longer. */
export const MAX_APPROVAL_EXPIRY_MS = 7 * 24 * 3600_000;
/** Most approvals a policy may require (a team larger than this cannot be asked in one card). */
export const MAX_REQUIRED_APPROVALS = 10;

/**
 * Who may approve: the members of one Entra group (transitively, as Graph's checkMemberGroups
 * answers), or the holders of the Global Administrator directory role.
 */
export type ApproverSource =
  | { readonly kind: 'group'; readonly groupId: string; readonly groupName: string }
  | { readonly kind: 'globalAdministrators' };

/** The team channel where the approval card is posted. */
export interface ApprovalChannel {
  /** Teams team id (`19:…@thread…` of the General channel, as Teams gives it). */
  readonly teamId: string;
  /** Teams channel id (`19:…@thread…`). */
  readonly channelId: string;
  /** The channel's display name, shown on cards. */
  readonly name: string;
}

/**
 * A tenant's approval policy: "the directory change needs the approval of `required` people from
 * `approvers`, asked in `channel`", expiring after `expiryMs`. No policy (the default) means no
 * approval step.
 */
export interface ApprovalPolicy {
  /** How many distinct approvers must approve (1…{@link MAX_REQUIRED_APPROVALS}). */
  readonly required: number;
  readonly approvers: ApproverSource;
  readonly channel: ApprovalChannel;
  /** How long a request waits (ms; {@link MIN_APPROVAL_EXPIRY_MS}…{@link MAX_APPROVAL_EXPIRY_MS}). */
  readonly expiryMs: number;
}

/** Why a policy is not valid (a localized message key of `policy.invalid.*`). */
export type PolicyProblem = 'required' | 'expiry' | 'group' | 'channel';

/** The role template id of Global Administrator (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference#global-administrator). */
export const GLOBAL_ADMINISTRATOR_ROLE_ID = DIRECTORY_ROLES.GlobalAdministrator;

/**
 * Checks a policy's values.
 * @returns the problems found (empty when the policy is valid)
 */
export function policyProblems(policy: ApprovalPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (
    !Number.isInteger(policy.required) ||
    policy.required < 1 ||
    policy.required > MAX_REQUIRED_APPROVALS
  )
    problems.push('required');
  if (
    !Number.isFinite(policy.expiryMs) ||
    policy.expiryMs < MIN_APPROVAL_EXPIRY_MS ||
    policy.expiryMs > MAX_APPROVAL_EXPIRY_MS
  )
    problems.push('expiry');
  if (policy.approvers.kind === 'group' && !/^[0-9a-f-]{36}$/i.test(policy.approvers.groupId))
    problems.push('group');
  if (!policy.channel.channelId || !policy.channel.teamId) problems.push('channel');
  return problems;
}

/** One approver's answer. */
export interface ApprovalDecision {
  /** Teams user id (`29:…`) of the approver. */
  readonly userId: string;
  /** Entra object id of the approver (what Graph checked). */
  readonly objectId: string;
  readonly name: string;
  readonly decision: 'approve' | 'reject';
  /** Why, for a rejection (required) or an approval (optional). */
  readonly reason?: string;
  /** ISO time. */
  readonly at: string;
}

/** How an approval request ended (`cancelled`: the initiator's `cancel` while it waited). */
export type ApprovalOutcome = 'approved' | 'rejected' | 'expired' | 'cancelled';

/** What the approval card says about the link (from its stage; names from Azure and Graph). */
export interface ApprovalSubject {
  readonly subscriptionName: string;
  readonly subscriptionId: string;
  readonly sourceName: string;
  readonly destinationName: string;
  /** The impact summary, one line each (who loses what). */
  readonly impact: readonly string[];
}

/**
 * The approval card as posted in the policy's channel: what it shows, to whom its refresh gives
 * their own view, and the message to update when the request ends.
 */
export interface ApprovalCardPost {
  readonly subject: ApprovalSubject;
  /**
   * The Teams users (roster ids, `29:…`) whose clients refresh the card on their own
   * (`refresh.userIds`); absent when the team's roster could not be read (the refresh then names
   * nobody: src/dialogs/userSpecificViews.ts `withRefresh`).
   */
  readonly userIds?: readonly string[];
  /** The channel message's activity id (absent: the card could not be posted). */
  readonly activityId?: string;
  /**
   * The link's own chat, where the initiator gets the reminder too: the conversation reference
   * of the turn that asked for the approval (botbuilder's `ConversationReference` as JSON; an
   * `object` here, the domain knows no botbuilder) and that turn's locale. Absent in requests
   * stored before it was kept (their reminder goes to the channel alone).
   */
  readonly initiatorChat?: { readonly reference: object; readonly locale?: string };
}

/** One link's approval request (JSON: it is stored and crosses the background boundary). */
export interface ApprovalRequest {
  readonly flowId: string;
  readonly initiatorId: string;
  /** The initiator's Entra object id in the Office 365 directory (who may never approve). */
  readonly initiatorObjectId: string;
  readonly initiatorName: string;
  /** The Office 365 directory (the policy's tenant). */
  readonly tenantId: string;
  /** The policy as it was when the request was made (a later change does not apply to it). */
  readonly policy: ApprovalPolicy;
  /** Epoch ms the request was made. */
  readonly askedAt: number;
  /** Epoch ms it expires. */
  readonly expiresAt: number;
  /** Version of the card; a click carrying another version is from an old card. */
  readonly cardVersion: number;
  readonly decisions: readonly ApprovalDecision[];
  /** Epoch ms the reminder was sent (once). */
  readonly remindedAt?: number;
  /** Set once, when the request ends. */
  readonly outcome?: ApprovalOutcome;
  /** Epoch ms it ended. */
  readonly endedAt?: number;
  /** The approval card in the channel, once posted. */
  readonly card?: ApprovalCardPost;
}

/**
 * A new request under `policy`.
 * @param now epoch ms
 */
export function newApprovalRequest(
  fields: Pick<
    ApprovalRequest,
    'flowId' | 'initiatorId' | 'initiatorObjectId' | 'initiatorName' | 'tenantId' | 'policy'
  >,
  now: number,
): ApprovalRequest {
  return {
    ...fields,
    askedAt: now,
    expiresAt: now + fields.policy.expiryMs,
    cardVersion: 1,
    decisions: [],
  };
}

/**
 * The outcome a request has reached at `now`: rejected on any rejection, approved when
 * `policy.required` distinct approvers approved, expired at `expiresAt`, else undefined (waiting).
 * An outcome already set stays.
 */
export function outcomeAt(request: ApprovalRequest, now: number): ApprovalOutcome | undefined {
  if (request.outcome) return request.outcome;
  if (request.decisions.some((d) => d.decision === 'reject')) return 'rejected';
  const approvals = new Set(
    // Stryker disable next-line MethodExpression,ConditionalExpression: a rejection has ended the request above, so only approvals are left
    request.decisions.filter((d) => d.decision === 'approve').map((d) => d.objectId),
  );
  if (approvals.size >= request.policy.required) return 'approved';
  if (now >= request.expiresAt) return 'expired';
  return undefined;
}

/** When the one reminder is due: half-way to the expiry (epoch ms). */
export function reminderAt(request: ApprovalRequest): number {
  return request.askedAt + Math.floor((request.expiresAt - request.askedAt) / 2);
}

/** Whether the reminder should be sent now (once, while the request waits). */
export function reminderDue(request: ApprovalRequest, now: number): boolean {
  return (
    request.remindedAt === undefined &&
    outcomeAt(request, now) === undefined &&
    now >= reminderAt(request)
  );
}

/** A click on the approval card. */
export interface ApprovalClick {
  readonly userId: string;
  readonly objectId: string;
  readonly name: string;
  readonly decision: 'approve' | 'reject';
  readonly reason?: string;
  /** The card version the click came from. */
  readonly cardVersion: number;
}

/**
 * Why a click changed nothing: the initiator (four eyes), not an approver (Graph said so), the
 * same approver again (a double click), a card older than the request's, a request that has
 * ended (approved, rejected or expired), or a rejection without a reason.
 */
export type ClickRefusal =
  'initiator' | 'notApprover' | 'alreadyDecided' | 'staleCard' | 'ended' | 'reasonRequired';

/** What a click does to a request. */
export type ClickResult =
  | { readonly kind: 'recorded'; readonly request: ApprovalRequest }
  | { readonly kind: 'refused'; readonly why: ClickRefusal };

/** Longest reason kept (characters); longer ones are cut. */
export const MAX_REASON_LENGTH = 500;

/**
 * Applies a click to a request (pure: the store writes the result with an eTag).
 * @param isApprover what Graph said at the click (member of the group / holder of the role)
 * @param now epoch ms
 * @returns the request with the decision (and its outcome when this click decides it), or why not
 */
export function applyClick(
  request: ApprovalRequest,
  click: ApprovalClick,
  isApprover: boolean,
  now: number,
): ClickResult {
  const refused = (why: ClickRefusal): ClickResult => ({ kind: 'refused', why });
  if (outcomeAt(request, now)) return refused('ended');
  if (click.cardVersion !== request.cardVersion) return refused('staleCard');
  if (click.userId === request.initiatorId || click.objectId === request.initiatorObjectId)
    return refused('initiator');
  if (!isApprover) return refused('notApprover');
  if (request.decisions.some((d) => d.objectId === click.objectId || d.userId === click.userId))
    return refused('alreadyDecided');
  const reason = click.reason?.trim().slice(0, MAX_REASON_LENGTH);
  if (click.decision === 'reject' && !reason) return refused('reasonRequired');
  const decided: ApprovalRequest = {
    ...request,
    decisions: [
      ...request.decisions,
      {
        userId: click.userId,
        objectId: click.objectId,
        name: click.name,
        decision: click.decision,
        ...(reason ? { reason } : {}),
        at: new Date(now).toISOString(),
      },
    ],
  };
  const outcome = outcomeAt(decided, now);
  return {
    kind: 'recorded',
    request: outcome ? { ...decided, outcome, endedAt: now } : decided,
  };
}

/**
 * The request ended by its initiator's `cancel` (pure: the store writes it with an eTag).
 * @param now epoch ms
 * @returns the cancelled request, or undefined when it had already ended (nothing changes)
 */
export function cancelRequest(request: ApprovalRequest, now: number): ApprovalRequest | undefined {
  if (outcomeAt(request, now)) return undefined;
  return { ...request, outcome: 'cancelled', endedAt: now };
}

/** One approval or rejection as the change record's audit trail keeps it. */
export interface RecordedDecision {
  readonly decision: 'approve' | 'reject';
  /** The approver's display name. */
  readonly name: string;
  /** ISO time. */
  readonly at: string;
}

/**
 * The approvals and rejections recorded in a change record's audit trail (entries
 * `approval:approve` / `approval:reject` with outcome `ok`, the approver's name as their target,
 * as src/link/approvalJob.ts's applyApprovalClick writes them), oldest first; refused clicks are
 * left out.
 */
export function recordedDecisions(
  audit: readonly {
    readonly action: string;
    readonly outcome: string;
    readonly target: string;
    readonly at: string;
  }[],
): RecordedDecision[] {
  return audit.flatMap((e): RecordedDecision[] =>
    e.outcome === 'ok' && (e.action === 'approval:approve' || e.action === 'approval:reject')
      ? [
          {
            decision: e.action === 'approval:approve' ? 'approve' : 'reject',
            name: e.target,
            at: e.at,
          },
        ]
      : [],
  );
}
