import {
  armAuthed,
  armFail,
  isOwner,
  ownedSubscriptionFor,
  isResponse,
  notAuthorized,
  subscriptionFor,
} from './armAccess';
import { sameEmail, type SandboxContext } from './context';
import type { Router, SandboxResponse } from './router';
import type { ChangeTenantRecord, SubscriptionRecord } from './state';
import type { Caller } from './tokens';

/**
 * The directory change of Microsoft.Subscription 2024-08-01-preview, as azure-rest-api-specs
 * `specification/subscription/resource-manager/Microsoft.Subscription/preview/2024-08-01-preview/subscriptions.json`
 * defines it (operations Subscriptions_PutTargetDirectory / GetTargetDirectory /
 * DeleteTargetDirectory / ListTargetDirectory / AcceptTargetDirectory / TargetDirectoryStatus and
 * their examples; test/contracts keeps the copy):
 * - PUT `/subscriptions/{id}/providers/Microsoft.Subscription/changeTenantRequest/default` → 200
 *   TargetDirectoryResult (`status: "Initiated"`); GET the same → 200; DELETE → 200, no body;
 * - GET `…/changeTenantRequest` → 200 TargetDirectoryListResult (`value`, `nextLink`);
 * - POST `/providers/Microsoft.Subscription/subscriptions/{id}/acceptChangeTenant` → 204, no body;
 * - POST `…/changeTenantStatus` → 200 TargetDirectoryStatusResult `{ status }` (`"Completed"`).
 * Errors are the spec's `default` ErrorResponse. The semantics are those of
 * https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription:
 * the source Owner requests, the destination user accepts; accepting moves the subscription to the
 * destination directory, deletes ALL its role assignments, and makes the accepting user Owner.
 * Tenant policies (`blockSubscriptionsLeavingTenant` / `IntoTenant`) refuse the move.
 *
 * Error codes for a disabled preview and a policy refusal are not published in the spec; the
 * sandbox answers them with ARM's generic `InvalidResourceType` (400) and `RequestDisallowedByPolicy`
 * (403), which is what the bot must treat as "use the guided portal path".
 */

/** The only api-version whose spec has the change-tenant operations (2021-01-01-privatepreview has none). */
const VERSIONS = ['2024-08-01-preview'];
/** How long a request stays acceptable (ms): the portal's transfer requests expire after 7 days. */
const REQUEST_LIFETIME_MS = 7 * 24 * 3600_000;

const requestJson = (r: ChangeTenantRecord): Record<string, unknown> => ({
  id: `/subscriptions/${r.subscriptionId}/providers/Microsoft.Subscription/changeTenantRequest/default`,
  name: 'default',
  type: 'Microsoft.Subscription/changeTenantRequest',
  properties: {
    destinationTenantId: r.destinationTenantId,
    destinationOwnerId: r.destinationOwnerId,
    status: r.status,
    expiresOn: r.expiresOn,
  },
});

function latest(ctx: SandboxContext, subscriptionId: string): ChangeTenantRecord | undefined {
  const id = subscriptionId.toLowerCase();
  return [...ctx.state.changeTenantRequests].reverse().find((r) => r.subscriptionId === id);
}

const noRequest = (subscriptionId: string): SandboxResponse =>
  armFail(
    404,
    'ResourceNotFound',
    `No directory change request was found for subscription '${subscriptionId}'.`,
  );

/** Whether the caller is the request's destination owner (object id or email in the destination directory). */
function isDestinationOwner(ctx: SandboxContext, r: ChangeTenantRecord, caller: Caller): boolean {
  if (caller.tenantId !== r.destinationTenantId) return false;
  if (caller.objectId === r.destinationOwnerId.toLowerCase()) return true;
  const user = ctx.state.tenant(r.destinationTenantId)?.users.find((u) => u.id === caller.objectId);
  return (
    !!user &&
    (sameEmail(user.userPrincipalName, r.destinationOwnerId) ||
      sameEmail(user.mail, r.destinationOwnerId))
  );
}

function requestChange(
  ctx: SandboxContext,
  sub: SubscriptionRecord,
  body: unknown,
  caller: Caller,
): SandboxResponse {
  const action = 'Microsoft.Subscription/changeTenantRequest/write';
  if (!isOwner(sub, caller))
    return notAuthorized(caller, action, `/subscriptions/${sub.subscriptionId}`);
  if (sub.changeTenant === 'apiUnavailable') {
    return armFail(
      400,
      'InvalidResourceType',
      "The resource type 'changeTenantRequest' could not be found in the namespace 'Microsoft.Subscription' for this subscription.",
    );
  }
  const source = ctx.state.tenant(sub.tenantId);
  if (sub.changeTenant === 'blockedByPolicy' || source?.policy.blockSubscriptionsLeavingTenant) {
    return armFail(
      403,
      'RequestDisallowedByPolicy',
      `The subscription tenant policy of directory '${sub.tenantId}' blocks subscriptions from leaving it (blockSubscriptionsLeavingTenant).`,
    );
  }
  const props = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  const destinationTenantId =
    typeof props.destinationTenantId === 'string' ? props.destinationTenantId.toLowerCase() : '';
  const destinationOwnerId =
    typeof props.destinationOwnerId === 'string' ? props.destinationOwnerId : '';
  const destination = ctx.state.tenant(destinationTenantId);
  if (!destination || !destinationOwnerId)
    return armFail(
      400,
      'InvalidRequestContent',
      'properties.destinationTenantId must name an existing directory and properties.destinationOwnerId is required.',
    );
  if (destination.id === sub.tenantId)
    return armFail(
      400,
      'InvalidRequestContent',
      'The subscription already trusts the destination directory.',
    );
  const owner = destination.users.find(
    (u) =>
      u.id === destinationOwnerId.toLowerCase() ||
      sameEmail(u.userPrincipalName, destinationOwnerId) ||
      sameEmail(u.mail, destinationOwnerId),
  );
  if (!owner)
    return armFail(
      400,
      'PrincipalNotFound',
      `The destination owner '${destinationOwnerId}' does not exist in directory '${destination.id}'.`,
    );
  // A new request replaces one not yet accepted.
  const pending = latest(ctx, sub.subscriptionId);
  if (pending?.status === 'Initiated') pending.status = 'Deleted';
  const now = Date.now();
  const record: ChangeTenantRecord = {
    subscriptionId: sub.subscriptionId,
    sourceTenantId: sub.tenantId,
    destinationTenantId: destination.id,
    destinationOwnerId,
    status: 'Initiated',
    requestedBy: caller.objectId,
    createdOn: new Date(now).toISOString(),
    expiresOn: new Date(now + REQUEST_LIFETIME_MS).toISOString(),
  };
  ctx.state.changeTenantRequests.push(record);
  return { status: 200, body: requestJson(record) };
}

function accept(ctx: SandboxContext, subscriptionId: string, caller: Caller): SandboxResponse {
  const r = latest(ctx, subscriptionId);
  if (!r || r.status === 'Deleted') return noRequest(subscriptionId);
  if (r.status === 'Completed')
    return armFail(
      409,
      'Conflict',
      `The directory change request of subscription '${subscriptionId}' is already completed.`,
    );
  if (!isDestinationOwner(ctx, r, caller))
    return notAuthorized(
      caller,
      'Microsoft.Subscription/acceptChangeTenant/action',
      `/subscriptions/${r.subscriptionId}`,
    );
  if (Date.parse(r.expiresOn) < Date.now())
    return armFail(400, 'RequestExpired', 'The directory change request has expired.');
  if (ctx.state.tenant(r.destinationTenantId)?.policy.blockSubscriptionsIntoTenant) {
    return armFail(
      403,
      'RequestDisallowedByPolicy',
      `The subscription tenant policy of directory '${r.destinationTenantId}' blocks subscriptions from entering it (blockSubscriptionsIntoTenant).`,
    );
  }
  const sub = ctx.state.subscription(r.subscriptionId);
  if (!sub) return noRequest(subscriptionId);
  ctx.state.moveSubscription(
    sub,
    r.destinationTenantId,
    caller.objectId,
    ctx.faults.propagationDelayMs,
  );
  r.status = 'Completed';
  r.completedOn = new Date().toISOString();
  return { status: 204 };
}

/** Adds the directory-change routes to the ARM router. */
export function changeTenantRoutes(ctx: SandboxContext, router: Router): void {
  const path =
    '/subscriptions/:subscriptionId/providers/Microsoft.Subscription/changeTenantRequest/default';
  /** The subscription for a change-request call; writes need Owner. */
  const sourceSub = (id: string, caller: Caller, verb: 'read' | 'write' | 'delete') =>
    verb === 'read'
      ? subscriptionFor(ctx, id, caller, `Microsoft.Subscription/changeTenantRequest/${verb}`)
      : ownedSubscriptionFor(ctx, id, caller, `Microsoft.Subscription/changeTenantRequest/${verb}`);

  router.add(
    'PUT',
    path,
    armAuthed(ctx, VERSIONS, (req, p, caller) => {
      const sub = sourceSub(p.subscriptionId ?? '', caller, 'write');
      return isResponse(sub) ? sub : requestChange(ctx, sub, req.body, caller);
    }),
  );
  router.add(
    'GET',
    path,
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const sub = sourceSub(p.subscriptionId ?? '', caller, 'read');
      if (isResponse(sub)) return sub;
      const r = latest(ctx, sub.subscriptionId);
      return r && r.status !== 'Deleted'
        ? { status: 200, body: requestJson(r) }
        : noRequest(sub.subscriptionId);
    }),
  );
  router.add(
    'GET',
    '/subscriptions/:subscriptionId/providers/Microsoft.Subscription/changeTenantRequest',
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const sub = sourceSub(p.subscriptionId ?? '', caller, 'read');
      if (isResponse(sub)) return sub;
      const value = ctx.state.changeTenantRequests
        .filter((r) => r.subscriptionId === sub.subscriptionId && r.status !== 'Deleted')
        .map(requestJson);
      return { status: 200, body: { value } };
    }),
  );
  router.add(
    'DELETE',
    path,
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const sub = sourceSub(p.subscriptionId ?? '', caller, 'delete');
      if (isResponse(sub)) return sub;
      const r = latest(ctx, sub.subscriptionId);
      if (r?.status !== 'Initiated') return noRequest(sub.subscriptionId);
      r.status = 'Deleted';
      return { status: 200 };
    }),
  );
  router.add(
    'POST',
    '/providers/Microsoft.Subscription/subscriptions/:subscriptionId/acceptChangeTenant',
    armAuthed(ctx, VERSIONS, (_req, p, caller) => accept(ctx, p.subscriptionId ?? '', caller)),
  );
  router.add(
    'POST',
    '/providers/Microsoft.Subscription/subscriptions/:subscriptionId/changeTenantStatus',
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const r = latest(ctx, p.subscriptionId ?? '');
      if (!r || r.status === 'Deleted') return noRequest(p.subscriptionId ?? '');
      const sub = ctx.state.subscription(r.subscriptionId);
      const allowed =
        isDestinationOwner(ctx, r, caller) ||
        (!!sub && sub.tenantId === caller.tenantId && isOwner(sub, caller)) ||
        caller.objectId === r.requestedBy;
      if (!allowed)
        return notAuthorized(
          caller,
          'Microsoft.Subscription/changeTenantStatus/action',
          `/subscriptions/${r.subscriptionId}`,
        );
      return { status: 200, body: { status: r.status } };
    }),
  );
}
