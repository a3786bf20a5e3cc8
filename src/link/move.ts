import { setTimeout as sleep } from 'node:timers/promises';
import { directoryChangeBlocker } from '../domain/eligibility';
import { DIRECTORY_CHANGE_STATUS, type DirectoryChange } from '../domain/model';
import type { AzureManagementPort } from '../domain/ports';
import { TenantlinkError } from '../errors';

/**
 * Step "change the subscription's directory" (seed 000 step 2, "Edit directory"), by API:
 * Microsoft.Subscription changeTenantRequest (PUT by the source Owner) then acceptChangeTenant
 * (POST by the destination owner, who becomes Owner). When the API refuses (tenant policy, preview
 * not available, other 4xx) the caller offers the guided portal path instead. Both end in
 * {@link isInDirectory}. Idempotent: a subscription already in the destination is not moved
 * again, and a pending request to the same destination is not re-created.
 */

/** Outcome of the API path. */
export type MoveOutcome =
  | {
      readonly kind: 'moved';
      /** The change request this call made (undefined when one was pending or none was needed). */
      readonly requested: DirectoryChange | undefined;
      /**
       * The acceptance this call made, with ARM's correlation id (undefined when the subscription
       * was already there, or the destination owner had accepted before a restart).
       */
      readonly change: { readonly correlationId?: string } | undefined;
      readonly alreadyThere: boolean;
    }
  | {
      readonly kind: 'refused';
      readonly requested: DirectoryChange | undefined;
      readonly error: TenantlinkError;
      readonly stage: 'request' | 'accept';
    };

/**
 * True when the subscription answers in `tenantId` to the destination account.
 * @param target ARM as the destination (Office 365) admin
 * @throws TenantlinkError for failures other than 403/404 (which mean "not there yet")
 */
export async function isInDirectory(
  target: AzureManagementPort,
  subscriptionId: string,
  tenantId: string,
): Promise<boolean> {
  try {
    const s = await target.getSubscription(subscriptionId);
    return s.tenantId.toLowerCase() === tenantId.toLowerCase();
  } catch (err) {
    // 404/403: not visible to this account; 401 InvalidAuthenticationTokenTenant: the subscription
    // still trusts another directory than the token's (ARM's answer before the move).
    if (
      err instanceof TenantlinkError &&
      (err.def.status === 404 ||
        err.def.status === 403 ||
        err.serviceCode === 'InvalidAuthenticationTokenTenant')
    )
      return false;
    throw err;
  }
}

/** Refusals that send the admin down the guided path rather than failing the flow. */
function isRefusal(err: unknown): err is TenantlinkError {
  return (
    err instanceof TenantlinkError &&
    // Stryker disable next-line ConditionalExpression: `undefined >= 400` is false as well
    err.def.status !== undefined &&
    // Stryker disable next-line ConditionalExpression: the catalogue (src/errors.ts) has no status below 400
    err.def.status >= 400 &&
    err.def.status < 500 &&
    err.def.status !== 401 &&
    err.def.transient !== true
  );
}

/**
 * Moves the subscription by API.
 * @param source ARM as the subscription's Owner in its current directory
 * @param target ARM as the destination owner in the destination directory
 * @param destinationOwnerId object id of the destination owner in the destination directory
 * @param onRequested called once the change request is made, before the acceptance, so the caller
 *   can record it (a crash between the two then resumes without a second request)
 * @param requestMade whether this flow recorded a request before (a restart): then a request the
 *   acceptor sees as `Completed` was accepted already, and the move only waits for the new
 *   directory to show the subscription; nothing is requested or accepted again
 * @throws TenantlinkError for failures that are not refusals (401, throttling after retries, 5xx,
 *   timeouts); `cannotMove` (TL-MOVE-NOT-ELIGIBLE) when, read again just before the request, the
 *   subscription's offer or state no longer allows a directory change (domain/eligibility.ts)
 */
export async function changeDirectoryByApi(
  source: AzureManagementPort,
  target: AzureManagementPort,
  subscriptionId: string,
  destinationTenantId: string,
  destinationOwnerId: string,
  onRequested: (requested: DirectoryChange) => Promise<void> = async () => undefined,
  requestMade = false,
): Promise<MoveOutcome> {
  if (await isInDirectory(target, subscriptionId, destinationTenantId)) {
    return { kind: 'moved', requested: undefined, change: undefined, alreadyThere: true };
  }
  if (
    requestMade &&
    (await target.directoryChangeStatus(subscriptionId)) === DIRECTORY_CHANGE_STATUS.completed
  ) {
    return { kind: 'moved', requested: undefined, change: undefined, alreadyThere: false };
  }
  let requested: DirectoryChange | undefined;
  try {
    const pending = await source.getDirectoryChange(subscriptionId);
    // A request this flow made before a restart is reused, never made twice.
    const reusable =
      pending &&
      pending.destinationTenantId.toLowerCase() === destinationTenantId.toLowerCase() &&
      pending.status === DIRECTORY_CHANGE_STATUS.initiated;
    if (!reusable) {
      // The offer or state may have changed since the admin chose it: nothing is requested then.
      const current = await source.getSubscription(subscriptionId);
      const blocker = directoryChangeBlocker(current);
      if (blocker) {
        throw new TenantlinkError('cannotMove', {
          detail: `subscription ${subscriptionId}: ${blocker}`,
        });
      }
      requested = await source.requestDirectoryChange(
        subscriptionId,
        destinationTenantId,
        destinationOwnerId,
      );
      await onRequested(requested);
    }
  } catch (err) {
    if (isRefusal(err)) return { kind: 'refused', requested, error: err, stage: 'request' };
    throw err;
  }
  try {
    const change = await target.acceptDirectoryChange(subscriptionId);
    return { kind: 'moved', requested, change, alreadyThere: false };
  } catch (err) {
    if (isRefusal(err)) return { kind: 'refused', requested, error: err, stage: 'accept' };
    throw err;
  }
}

/**
 * How long and how often to look for a moved subscription in its new directory, in ms. Microsoft:
 * after the transfer, the new directory can take a long time (up to hours) to show everything
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription).
 */
export interface PropagationWait {
  /** Give up looking after this long (the move stands; the admin is told to check later). */
  readonly timeoutMs: number;
  /** First pause between two looks; doubled after each look up to {@link maxPollMs}. */
  readonly firstPollMs: number;
  readonly maxPollMs: number;
}

/** Two hours, looking after 2 s, then at most every minute. */
export const DEFAULT_PROPAGATION_WAIT: PropagationWait = {
  timeoutMs: 2 * 3600_000,
  firstPollMs: 2_000,
  maxPollMs: 60_000,
};

/**
 * Waits until the destination directory shows the moved subscription. A transient failure of a
 * look (throttling, 5xx, timeout) is one more look later: a move that succeeded is never reported
 * as failed because the new directory was slow.
 * @param pause waits the given ms (tests pass their own)
 * @returns true once the subscription answers in `tenantId`; false when `wait.timeoutMs` passed
 * @throws TenantlinkError for a failure that is not transient (401, 403 other than "not there yet")
 */
export async function waitForDirectory(
  target: AzureManagementPort,
  subscriptionId: string,
  tenantId: string,
  wait: PropagationWait = DEFAULT_PROPAGATION_WAIT,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<boolean> {
  const deadline = Date.now() + wait.timeoutMs;
  let delay = wait.firstPollMs;
  for (;;) {
    const seen = await isInDirectory(target, subscriptionId, tenantId).catch((err: unknown) => {
      if (err instanceof TenantlinkError && err.def.transient === true) return false;
      throw err;
    });
    if (seen) return true;
    if (Date.now() + delay > deadline) return false;
    await pause(delay);
    delay = Math.min(delay * 2, wait.maxPollMs);
  }
}
