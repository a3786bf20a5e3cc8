import { BUILT_IN_ROLES } from '../domain/roles';
import type { SandboxContext } from './context';
import { armError } from './faults';
import type { Handler, SandboxRequest, SandboxResponse } from './router';
import type { SubscriptionRecord } from './state';
import type { Caller } from './tokens';

/**
 * What every ARM handler of the sandbox shares: token check, api-version check, the caller's
 * access to a subscription, and ARM's error answers (codes and messages as ARM writes them:
 * https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors).
 */

/** An ARM handler that runs once the caller's token is valid. */
export type ArmHandler = (
  req: SandboxRequest,
  params: Record<string, string>,
  caller: Caller,
) => SandboxResponse | Promise<SandboxResponse>;

/** An ARM error answer. */
export const armFail = (status: number, code: string, message: string): SandboxResponse => ({
  status,
  body: armError(code, message),
});

/** Wraps a handler with the bearer-token and api-version checks. */
export function armAuthed(
  ctx: SandboxContext,
  apiVersions: readonly string[],
  handler: ArmHandler,
): Handler {
  return async (req, params) => {
    const caller = await ctx.tokens.verify(req.headers.authorization, 'arm');
    if (!caller) {
      const refused = armFail(
        401,
        req.headers.authorization ? 'InvalidAuthenticationToken' : 'AuthenticationFailed',
        req.headers.authorization
          ? 'The access token is invalid.'
          : "Authentication failed. The 'Authorization' header is missing.",
      );
      // ARM names the directory a subscription trusts in its challenge, so that a client can
      // find where to sign in before it has a token (tenant discovery, as Azure PowerShell does).
      const sub = params.subscriptionId ? ctx.state.subscription(params.subscriptionId) : undefined;
      if (!req.headers.authorization && sub)
        return {
          ...refused,
          headers: {
            'www-authenticate': `Bearer authorization_uri="${ctx.url()}/login/${sub.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
          },
        };
      return refused;
    }
    const version = req.url.searchParams.get('api-version');
    if (!version)
      return armFail(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    if (!apiVersions.includes(version)) {
      return armFail(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${version}' is invalid. The supported versions are '${apiVersions.join(',')}'.`,
      );
    }
    return handler(req, params, caller);
  };
}

/** The caller's role definition GUIDs anywhere in the subscription (any scope). */
export function rolesOf(
  sub: SubscriptionRecord,
  principalId: string,
  atSubscriptionOnly = false,
): string[] {
  const root = `/subscriptions/${sub.subscriptionId}`;
  return sub.roleAssignments
    .filter(
      (a) =>
        a.principalId === principalId && (!atSubscriptionOnly || a.scope.toLowerCase() === root),
    )
    .map((a) => a.roleDefinitionId);
}

/** Whether the caller holds Owner at subscription scope. */
export const isOwner = (sub: SubscriptionRecord, caller: Caller): boolean =>
  rolesOf(sub, caller.objectId, true).includes(BUILT_IN_ROLES.Owner);

/** The error for a caller lacking permission for `action` at `scope`. */
export function notAuthorized(caller: Caller, action: string, scope: string): SandboxResponse {
  return armFail(
    403,
    'AuthorizationFailed',
    `The client '${caller.name}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/**
 * Resolves a subscription for a caller: 404 when it does not exist, 401 when it trusts another
 * directory than the token's (ARM's `InvalidAuthenticationTokenTenant`), 403 without any role.
 */
export function subscriptionFor(
  ctx: SandboxContext,
  subscriptionId: string,
  caller: Caller,
  action: string,
): SubscriptionRecord | SandboxResponse {
  const sub = ctx.state.subscription(subscriptionId);
  if (!sub)
    return armFail(
      404,
      'SubscriptionNotFound',
      `The subscription '${subscriptionId}' could not be found.`,
    );
  if (sub.tenantId !== caller.tenantId.toLowerCase()) {
    return armFail(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer 'https://sts.windows.net/${caller.tenantId}/'. It must match the tenant 'https://sts.windows.net/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/${sub.tenantId}' to get the token.`,
    );
  }
  if (!isVisible(sub))
    return armFail(
      404,
      'SubscriptionNotFound',
      `The subscription '${subscriptionId}' could not be found.`,
    );
  if (rolesOf(sub, caller.objectId).length === 0)
    return notAuthorized(caller, action, `/subscriptions/${sub.subscriptionId}`);
  return sub;
}

/** Whether the subscription's directory shows it already (see `SubscriptionRecord.visibleFrom`). */
export const isVisible = (sub: SubscriptionRecord): boolean =>
  sub.visibleFrom === undefined || Date.now() >= sub.visibleFrom;

/** Narrows a {@link subscriptionFor} result. */
export const isResponse = (x: SubscriptionRecord | SandboxResponse): x is SandboxResponse =>
  'status' in x && !('subscriptionId' in x);

/**
 * Like {@link subscriptionFor}, and the caller must also be Owner at subscription scope (the
 * permission every write of the sandbox needs): 403 AuthorizationFailed otherwise.
 * @param scope the scope named in the 403 message (the subscription by default)
 */
export function ownedSubscriptionFor(
  ctx: SandboxContext,
  subscriptionId: string,
  caller: Caller,
  action: string,
  scope?: string,
): SubscriptionRecord | SandboxResponse {
  const sub = subscriptionFor(ctx, subscriptionId, caller, action);
  if (isResponse(sub)) return sub;
  return isOwner(sub, caller)
    ? sub
    : notAuthorized(caller, action, scope ?? `/subscriptions/${sub.subscriptionId}`);
}
