import type { Storage } from 'botbuilder';
import {
  applyClick,
  cancelRequest,
  outcomeAt,
  reminderDue,
  type ApprovalCardPost,
  type ApprovalClick,
  type ApprovalRequest,
  type ClickResult,
} from '../domain/approval';
import { updateItem } from './createOnly';

/**
 * The approval requests of links (issue 29), one per flow under `approvals/<flow id>`, written
 * with eTag checks (src/state/createOnly.ts): of two clicks handled at once on two instances both
 * are applied in turn, never one over the other; the reminder and the end are each set once.
 * The pure rules are src/domain/approval.ts.
 */

const key = (flowId: string): string => `approvals/${flowId}`;

/** Reads and writes approval requests. */
export class ApprovalStore {
  /**
   * @param storage the bot's storage (shared by all instances)
   * @param now clock (epoch ms)
   */
  constructor(
    private readonly storage: Storage,
    readonly now: () => number = Date.now,
  ) {}

  /** The request of a flow, or undefined. */
  async get(flowId: string): Promise<ApprovalRequest | undefined> {
    const k = key(flowId);
    const item = (await this.storage.read([k]))[k] as
      (ApprovalRequest & { eTag?: string }) | undefined;
    return item ? this.strip(item) : undefined;
  }

  /**
   * Stores a new request, once: a request already stored for the flow (the stage ran again after
   * a restart) is kept and returned.
   * @throws Error from storage
   */
  async create(request: ApprovalRequest): Promise<ApprovalRequest> {
    const { item } = await updateItem<ApprovalRequest>(
      this.storage,
      key(request.flowId),
      (current) => (current ? undefined : request),
      `the approval of ${request.flowId}`,
    );
    return this.strip(item ?? request);
  }

  /**
   * Applies an approver's click (src/domain/approval.ts's {@link applyClick}) and stores it.
   * @param isApprover what Graph said at the click
   * @returns the recorded request, or why the click changed nothing (`ended` also when there is
   *   no request)
   */
  async click(flowId: string, click: ApprovalClick, isApprover: boolean): Promise<ClickResult> {
    let result: ClickResult = { kind: 'refused', why: 'ended' };
    await updateItem<ApprovalRequest>(
      this.storage,
      key(flowId),
      (current) => {
        if (!current) {
          result = { kind: 'refused', why: 'ended' };
          return undefined;
        }
        result = applyClick(this.strip(current), click, isApprover, this.now());
        return result.kind === 'recorded' ? result.request : undefined;
      },
      `the approval of ${flowId}`,
    );
    return result;
  }

  /**
   * Ends the request when its time is up (sets `expired` once) and returns it as it stands.
   * @returns the request, or undefined when there is none
   */
  async settle(flowId: string): Promise<ApprovalRequest | undefined> {
    const now = this.now();
    const { item } = await updateItem<ApprovalRequest>(
      this.storage,
      key(flowId),
      (current) => {
        if (!current || current.outcome) return undefined;
        const outcome = outcomeAt(current, now);
        return outcome ? { ...this.strip(current), outcome, endedAt: now } : undefined;
      },
      `the approval of ${flowId}`,
    );
    return item ? this.strip(item) : undefined;
  }

  /**
   * Keeps the posted approval card with the request (what the refresh and the end's update of
   * the card need).
   * @returns the request as stored, or undefined when there is none
   */
  async setCard(flowId: string, card: ApprovalCardPost): Promise<ApprovalRequest | undefined> {
    const { item } = await updateItem<ApprovalRequest>(
      this.storage,
      key(flowId),
      (current) => (current ? { ...this.strip(current), card } : undefined),
      `the approval of ${flowId}`,
    );
    return item ? this.strip(item) : undefined;
  }

  /**
   * Ends a waiting request as cancelled (src/domain/approval.ts's {@link cancelRequest}), once.
   * @returns the request as it stands and whether this call cancelled it
   */
  async cancel(
    flowId: string,
  ): Promise<{ readonly request?: ApprovalRequest; readonly cancelled: boolean }> {
    const now = this.now();
    const { item, written } = await updateItem<ApprovalRequest>(
      this.storage,
      key(flowId),
      (current) => (current ? cancelRequest(this.strip(current), now) : undefined),
      `the approval of ${flowId}`,
    );
    return { ...(item ? { request: this.strip(item) } : {}), cancelled: written };
  }

  /**
   * Claims the one reminder of a request (across instances and restarts: an eTag-checked write).
   * @returns true when this call should send it
   */
  async claimReminder(flowId: string): Promise<boolean> {
    const now = this.now();
    const { written } = await updateItem<ApprovalRequest>(
      this.storage,
      key(flowId),
      (current) =>
        current && reminderDue(current, now)
          ? { ...this.strip(current), remindedAt: now }
          : undefined,
      `the approval of ${flowId}`,
    );
    return written;
  }

  /** The request without the store's eTag. */
  private strip(item: ApprovalRequest & { eTag?: string }): ApprovalRequest {
    const request: ApprovalRequest & { eTag?: string } = { ...item };
    delete request.eTag;
    return request;
  }
}
