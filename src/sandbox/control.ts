import { ZodError } from 'zod';
import type { SandboxContext } from './context';
import { Router } from './router';

/**
 * The sandbox's own control API below `/_sandbox`, for tests, diagnostics and the local sign-in
 * card. Loopback only, like the whole sandbox; it never returns tokens.
 * - `GET /state`: the JSON snapshot of the world ({@link SandboxState.snapshot});
 * - `GET /accounts`: the sign-in identities with their (sandbox-only) passwords and the directories
 *   each belongs to, so the local sign-in card can offer them;
 * - `GET|POST|DELETE /faults`: read, set ({@link faultsSchema}) or clear injected faults;
 * - `POST /reset`: back to the seed (the Azure Bot's OAuth connections, Resource Graph's quota
 *   windows and the key vaults' keys too), faults cleared: the same as the in-process reset;
 * - `POST /portal/subscriptions/{id}/changeDirectory` with `{ destinationTenantId, ownerObjectId }`:
 *   what an admin does by hand in the Azure portal's "Change directory" when the API path is
 *   refused (the guided path); policies that block the move still apply;
 * - `POST /portal/subscriptions/{id}/cancel`: the portal's "Cancel subscription", which leaves it
 *   `Disabled` ("it was explicitly disabled or canceled",
 *   https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-states);
 * - `PATCH /applications/{appId}/federatedIdentityCredentials/{name}` with
 *   `{ issuer, subject, audiences }`: creates or replaces an app registration's federated identity
 *   credential, as Microsoft Graph's upsert does
 *   (https://learn.microsoft.com/graph/api/federatedidentitycredential-upsert): what an operator
 *   does in the Entra admin center (tests misconfigure one to see the sign-in refused).
 * @param reset the sandbox's one reset (src/sandbox/index.ts), which `POST /reset` calls
 */
export function controlRoutes(ctx: SandboxContext, reset: () => void): Router {
  return (
    new Router()
      .add('GET', '/state', () => ({ status: 200, body: ctx.state.snapshot() }))
      .add('GET', '/accounts', () => ({
        status: 200,
        body: ctx.state.accounts.map((a) => ({
          accountId: a.accountId,
          signInName: a.signInName,
          password: a.password,
          kind: a.kind,
          displayName: a.displayName,
          directories: ctx.state.directoriesOf(a).map((t) => ({
            tenantId: t.id,
            displayName: t.displayName,
            userId: ctx.state.userOfAccount(t, a.accountId)?.id ?? '',
          })),
        })),
      }))
      .add('GET', '/faults', () => ({
        status: 200,
        body: { injected: ctx.faults.injected, held: ctx.faults.heldCount },
      }))
      .add('POST', '/faults/release', () => ({
        status: 200,
        body: { released: ctx.faults.release() },
      }))
      .add('POST', '/faults', (req) => {
        try {
          return { status: 200, body: ctx.faults.set(req.body ?? {}) };
        } catch (err) {
          if (err instanceof ZodError)
            return {
              status: 400,
              body: { error: { code: 'InvalidFaults', message: err.message } },
            };
          throw err;
        }
      })
      .add('DELETE', '/faults', () => {
        ctx.faults.clear();
        return { status: 204 };
      })
      .add('POST', '/portal/subscriptions/:subscriptionId/changeDirectory', (req, p) => {
        const sub = ctx.state.subscription(p.subscriptionId ?? '');
        const body = (req.body ?? {}) as { destinationTenantId?: unknown; ownerObjectId?: unknown };
        const destination =
          typeof body.destinationTenantId === 'string'
            ? ctx.state.tenant(body.destinationTenantId)
            : undefined;
        const owner =
          destination && typeof body.ownerObjectId === 'string'
            ? destination.users.find((u) => u.id === String(body.ownerObjectId).toLowerCase())
            : undefined;
        if (!sub || !destination || !owner)
          return {
            status: 400,
            body: {
              error: {
                code: 'InvalidRequest',
                message: 'Unknown subscription, directory or owner.',
              },
            },
          };
        if (
          sub.changeTenant === 'blockedByPolicy' ||
          ctx.state.tenant(sub.tenantId)?.policy.blockSubscriptionsLeavingTenant ||
          destination.policy.blockSubscriptionsIntoTenant
        )
          return {
            status: 403,
            body: {
              error: {
                code: 'RequestDisallowedByPolicy',
                message: 'A subscription tenant policy blocks the move.',
              },
            },
          };
        ctx.state.moveSubscription(sub, destination.id, owner.id, ctx.faults.propagationDelayMs);
        return {
          status: 200,
          body: { subscriptionId: sub.subscriptionId, tenantId: sub.tenantId },
        };
      })
      .add('POST', '/portal/subscriptions/:subscriptionId/cancel', (_req, p) => {
        const sub = ctx.state.subscription(p.subscriptionId ?? '');
        if (!sub)
          return {
            status: 404,
            body: { error: { code: 'SubscriptionNotFound', message: 'Unknown subscription.' } },
          };
        sub.state = 'Disabled';
        return { status: 200, body: { subscriptionId: sub.subscriptionId, state: sub.state } };
      })
      // The admin revokes an account's sessions (Graph revokeSignInSessions): its refresh tokens die.
      .add('POST', '/accounts/:accountId/revokeSignInSessions', (_req, p) => {
        if (!ctx.state.account(p.accountId ?? ''))
          return {
            status: 404,
            body: { error: { code: 'AccountNotFound', message: 'Unknown account.' } },
          };
        return { status: 200, body: { revoked: ctx.tokens.revokeAccount(p.accountId ?? '') } };
      })
      .add('PATCH', '/applications/:appId/federatedIdentityCredentials/:name', (req, p) => {
        const body = (req.body ?? {}) as {
          issuer?: unknown;
          subject?: unknown;
          audiences?: unknown;
        };
        const audiences = Array.isArray(body.audiences) ? body.audiences : [];
        if (
          typeof body.issuer !== 'string' ||
          typeof body.subject !== 'string' ||
          audiences.length !== 1 ||
          typeof audiences[0] !== 'string'
        )
          return {
            status: 400,
            body: {
              error: {
                code: 'Request_BadRequest',
                message: 'issuer, subject and exactly one audience are required.',
              },
            },
          };
        const saved = ctx.state.upsertFederatedIdentityCredential(p.appId ?? '', {
          name: p.name ?? '',
          issuer: body.issuer,
          subject: body.subject,
          audiences: [audiences[0]],
        });
        return saved
          ? { status: 204 }
          : {
              status: 404,
              body: {
                error: { code: 'Request_ResourceNotFound', message: 'Unknown application.' },
              },
            };
      })
      .add('POST', '/reset', () => {
        reset();
        return { status: 204 };
      })
  );
}
