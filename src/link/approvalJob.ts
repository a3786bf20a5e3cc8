import { setTimeout as sleep } from 'node:timers/promises';
import {
  newApprovalRequest,
  reminderAt,
  type ApprovalClick,
  type ApprovalDecision,
  type ApprovalOutcome,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ClickResult,
} from '../domain/approval';
import type { ApproverDirectoryPort } from '../graph/approvers';
import type { ApprovalStore } from '../state/approvals';
import type { AuditEntry, ChangeRecordStore } from '../state/changeRecords';
import { createLogger } from '../log';
import type { FlowRef } from './procedure';

const log = createLogger('approval-job');

/**
 * The approval step of a link (issue 29), free of botbuilder: after the typed confirmation and
 * before the move, a link under a tenant's approval policy waits for its approvals. The wait runs
 * as a background job with the runner's lease (src/bot/backgroundRunner.ts), like the move: the
 * request lives in shared storage (src/state/approvals.ts), so a restart or another instance that
 * takes the lease over runs {@link awaitApprovalJob} again and continues where it stood (the
 * reminder is sent once, the end recorded once). Clicks are applied by {@link applyApprovalClick}
 * on whichever instance gets them, and wake a wait on the same instance at once (others see it
 * at their next look, at most `pollMs` later).
 */

/** The link waiting for approval (JSON: it crosses the background boundary). */
export interface ApprovalStage extends FlowRef {
  /** The initiator's display name (shown on the approval card). */
  readonly initiatorName: string;
  /** The Office 365 directory, whose policy applies. */
  readonly tenantId: string;
  /** The initiator's object id there (who may not approve). */
  readonly initiatorObjectId: string;
  /** The policy as it was at the confirmation. */
  readonly policy: ApprovalPolicy;
}

/** What the approval job reports: how the request ended, and the decisions. */
export interface ApprovalJobResult {
  readonly outcome: ApprovalOutcome;
  readonly decisions: readonly ApprovalDecision[];
}

/** The approval card's posts, made by the bot (src/bot). */
export interface ApprovalNotices {
  /**
   * Posts the one reminder in the policy's channel, and to the initiator in the link's chat (the
   * request's `card.initiatorChat`, when kept); a failure to reach the initiator is logged, not
   * thrown (the channel has it).
   */
  remind(request: ApprovalRequest): Promise<void>;
  /**
   * Replaces the channel's approval card with the request as it stands (a bot message edit): while
   * it waits, everyone's read-only card with the answers so far (Teams then refreshes the
   * approvers' own views: "up to date" cards,
   * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/up-to-date-views);
   * once it ended, how (who decided, when, no buttons).
   * Idempotent: called again (a job run again, a cancel), it writes the same card.
   */
  show(request: ApprovalRequest): Promise<void>;
}

/** What the approval job and the click handler use. */
export interface ApprovalDeps {
  readonly approvals: ApprovalStore;
  readonly changes: ChangeRecordStore;
  readonly notices: ApprovalNotices;
  /** Waits `ms`, or less when `signal` aborts (a decision was recorded on this instance). */
  readonly pause?: (ms: number, signal: AbortSignal) => Promise<unknown>;
  /** Longest time between two looks at the request (ms; default 30 s). */
  readonly pollMs?: number;
  /** The wakers of the waits on this instance (default: one per deps object). */
  readonly wakeups?: ApprovalWakeups;
}

/** Wakes the approval waits of this instance when a click decides (or changes) their request. */
export class ApprovalWakeups {
  private readonly waiting = new Map<string, Set<AbortController>>();

  /** A signal that aborts at the next {@link wake} of `flowId`; `done` forgets it. */
  listen(flowId: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const set = this.waiting.get(flowId) ?? new Set<AbortController>();
    set.add(controller);
    this.waiting.set(flowId, set);
    return {
      signal: controller.signal,
      done: () => {
        set.delete(controller);
        if (set.size === 0) this.waiting.delete(flowId);
      },
    };
  }

  /** Wakes every wait of `flowId` on this instance. */
  wake(flowId: string): void {
    for (const c of this.waiting.get(flowId) ?? []) c.abort();
  }
}

/** Default time between two looks at the request (ms). */
export const DEFAULT_APPROVAL_POLL_MS = 30_000;

// Stryker disable all: the real timer, which the unit tests replace by their own pause
const defaultPause = (ms: number, signal: AbortSignal): Promise<unknown> =>
  sleep(ms, undefined, { signal }).catch(() => undefined);
// Stryker restore all

/**
 * Makes the approval request (once: a request already stored is kept) and marks the change
 * record `awaitingApproval` with who was asked.
 * @param now epoch ms (the store's clock)
 * @returns the request as stored
 */
export async function requestApproval(
  deps: ApprovalDeps,
  stage: ApprovalStage,
): Promise<ApprovalRequest> {
  const request = await deps.approvals.create(
    newApprovalRequest(
      {
        flowId: stage.flowId,
        initiatorId: stage.initiatorId,
        initiatorObjectId: stage.initiatorObjectId,
        initiatorName: stage.initiatorName,
        tenantId: stage.tenantId,
        policy: stage.policy,
      },
      deps.approvals.now(),
    ),
  );
  const asked =
    stage.policy.approvers.kind === 'group'
      ? `group:${stage.policy.approvers.groupId}`
      : 'role:GlobalAdministrator';
  await deps.changes.update(stage.flowId, (r) => {
    if (r.audit.some((a) => a.action === 'approvalRequested')) return false;
    r.status = 'awaitingApproval';
    r.audit = [
      ...r.audit,
      {
        at: new Date(request.askedAt).toISOString(),
        by: stage.initiatorId,
        action: 'approvalRequested',
        target: `${asked} in ${stage.policy.channel.name} (${stage.policy.required})`,
        outcome: 'ok',
      },
    ];
  });
  return request;
}

/**
 * Waits until the request is approved, rejected or expired: looks at it, sends the one reminder
 * when due, and pauses until the next thing due (the reminder, the expiry, or `pollMs`), waking
 * early when a click on this instance decides. Records the end in the change record once
 * (`approved`, `rejected` or `expired`; the latter two end the link with nothing changed).
 * @throws Error when there is no request for the flow (it was never made), or from storage
 */
export async function awaitApprovalJob(
  deps: ApprovalDeps,
  stage: ApprovalStage,
): Promise<ApprovalJobResult> {
  const pause = deps.pause ?? defaultPause;
  const pollMs = deps.pollMs ?? DEFAULT_APPROVAL_POLL_MS;
  const wakeups = deps.wakeups ?? new ApprovalWakeups();
  for (;;) {
    const { signal, done } = wakeups.listen(stage.flowId);
    try {
      const request = await deps.approvals.settle(stage.flowId);
      if (!request) throw new Error(`no approval request for ${stage.flowId}`);
      if (request.outcome) {
        await recordEnd(deps.changes, request);
        await showCard(deps, request);
        return { outcome: request.outcome, decisions: request.decisions };
      }
      if (await deps.approvals.claimReminder(stage.flowId)) await deps.notices.remind(request);
      const now = deps.approvals.now();
      const due = [request.expiresAt, now + pollMs];
      if (request.remindedAt === undefined && reminderAt(request) > now)
        due.push(reminderAt(request));
      await pause(Math.max(0, Math.min(...due) - now), signal);
    } finally {
      done();
    }
  }
}

/** Updates the channel's card to the request as it stands; a failure is logged (the link goes on). */
async function showCard(deps: ApprovalDeps, request: ApprovalRequest): Promise<void> {
  try {
    await deps.notices.show(request);
  } catch (err) {
    // Stryker disable next-line ObjectLiteral,StringLiteral: a log line, for operators: no test reads logs (test/mutation/EQUIVALENT.md)
    log.warn({ flowId: request.flowId, err }, 'approval card not updated');
  }
}

/**
 * The initiator's `cancel` while the link waits for approval: ends the request as cancelled
 * (once; a request that has already ended stays as it is), records it in the change record's
 * audit trail (`approval:cancelled`, status `cancelled`), wakes a wait on this instance (which
 * then ends with `cancelled`) and updates the channel's card.
 * @returns whether this call cancelled the request
 * @throws Error from storage
 */
export async function cancelApproval(deps: ApprovalDeps, flowId: string): Promise<boolean> {
  const { request, cancelled } = await deps.approvals.cancel(flowId);
  if (!request || !cancelled) return false;
  await recordEnd(deps.changes, request);
  deps.wakeups?.wake(flowId);
  await showCard(deps, request);
  return true;
}

/** Records how the request ended in the change record, once. */
async function recordEnd(changes: ChangeRecordStore, request: ApprovalRequest): Promise<void> {
  const outcome = request.outcome!;
  await changes.update(request.flowId, (r) => {
    if (r.audit.some((a) => a.action === `approval:${outcome}`)) return false;
    r.status = outcome;
    const end: AuditEntry = {
      at: new Date(request.endedAt ?? Date.now()).toISOString(),
      by:
        outcome === 'expired'
          ? 'tenantlink'
          : outcome === 'cancelled'
            ? request.initiatorId
            : (request.decisions.at(-1)?.userId ?? ''),
      action: `approval:${outcome}`,
      target: r.subscriptionId,
      outcome: outcome === 'approved' || outcome === 'cancelled' ? 'ok' : 'refused',
    };
    r.audit = [...r.audit, end];
  });
}

/**
 * An approver's click on the approval card: the initiator is refused before Graph is asked; then
 * Graph says whether the clicking user is an approver (member of the group / holder of the role,
 * at the click), the store applies the click (a double click, an old card, an ended request
 * change nothing), the decision or refusal goes into the change record's audit trail, a wait
 * on this instance wakes, and the channel's card shows the answer.
 * @param approvers Graph as the Office 365 admin connection
 * @throws TenantlinkError from Graph, Error from storage
 */
export async function applyApprovalClick(
  deps: ApprovalDeps,
  approvers: ApproverDirectoryPort,
  flowId: string,
  click: ApprovalClick,
): Promise<ClickResult> {
  const request = await deps.approvals.get(flowId);
  if (!request) return { kind: 'refused', why: 'ended' };
  const isInitiator =
    click.userId === request.initiatorId || click.objectId === request.initiatorObjectId;
  const isApprover =
    !isInitiator && !request.outcome
      ? await approvers.isApprover(click.objectId, request.policy.approvers)
      : false;
  const result = await deps.approvals.click(flowId, click, isApprover);
  if (result.kind === 'recorded' || result.why === 'initiator' || result.why === 'notApprover') {
    await deps.changes.audit(flowId, {
      by: click.userId,
      action: `approval:${click.decision}`,
      target: click.name,
      outcome: result.kind === 'recorded' ? 'ok' : 'refused',
      ...(result.kind === 'refused' ? { code: result.why } : {}),
    });
  }
  if (result.kind === 'recorded') {
    deps.wakeups?.wake(flowId);
    await showCard(deps, result.request);
  }
  return result;
}
