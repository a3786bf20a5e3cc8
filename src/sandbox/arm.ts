import { isResponse, isVisible, rolesOf, armAuthed, subscriptionFor } from './armAccess';
import { authorizationRoutes } from './armAuthorization';
import { changeTenantRoutes } from './armChangeTenant';
import { keyVaultRoutes } from './armKeyVault';
import { resourceGraphRoutes, type ResourceGraphQuotas } from './resourceGraph';
import type { SandboxContext } from './context';
import { Router } from './router';
import type { SubscriptionRecord } from './state';

/**
 * The Azure Resource Manager subset of the sandbox cloud, below `/arm`. Shapes from
 * Azure/azure-rest-api-specs: Microsoft.Resources `subscriptions.json` 2022-12-01 (Subscription,
 * TenantIdDescription) and Microsoft.Authorization `authorization-RoleAssignmentsCalls.json` /
 * `authorization-RoleDefinitionsCalls.json` 2022-04-01 (RoleAssignment, RoleDefinition, `$filter`
 * `atScope()` / `assignedTo('{id}')` / `principalId eq '{id}'`, 409 RoleAssignmentExists,
 * 400 PrincipalNotFound: see {@link authorizationRoutes}). The directory change lives in
 * {@link changeTenantRoutes}.
 */

const RESOURCES_VERSIONS = ['2016-06-01', '2020-01-01', '2022-12-01'];
const subscriptionJson = (s: SubscriptionRecord): Record<string, unknown> => ({
  id: `/subscriptions/${s.subscriptionId}`,
  authorizationSource: 'RoleBased',
  managedByTenants: [],
  subscriptionId: s.subscriptionId,
  tenantId: s.tenantId,
  displayName: s.displayName,
  state: s.state ?? 'Enabled',
  subscriptionPolicies: {
    locationPlacementId: 'Public_2014-09-01',
    quotaId: s.quotaId ?? 'PayAsYouGo_2014-09-01',
    spendingLimit: 'Off',
  },
});

/**
 * Builds the ARM routes (subscriptions, tenants, role assignments and definitions, directory
 * change, Resource Graph, Key Vault).
 * @param resourceGraphQuotas the users' Resource Graph quota windows (src/sandbox/resourceGraph.ts)
 */
export function armRoutes(ctx: SandboxContext, resourceGraphQuotas: ResourceGraphQuotas): Router {
  const router = new Router();
  const base = (): string => `${ctx.url()}/arm`;

  router.add(
    'GET',
    '/subscriptions',
    armAuthed(ctx, RESOURCES_VERSIONS, (_req, _p, caller) => {
      const visible = ctx.state.subscriptions.filter(
        (s) =>
          s.tenantId === caller.tenantId && isVisible(s) && rolesOf(s, caller.objectId).length > 0,
      );
      return {
        status: 200,
        body: {
          value: visible.map(subscriptionJson),
          count: { type: 'Total', value: visible.length },
        },
      };
    }),
  );

  router.add(
    'GET',
    '/subscriptions/:subscriptionId',
    armAuthed(ctx, RESOURCES_VERSIONS, (_req, p, caller) => {
      const sub = subscriptionFor(
        ctx,
        p.subscriptionId ?? '',
        caller,
        'Microsoft.Resources/subscriptions/read',
      );
      return isResponse(sub) ? sub : { status: 200, body: subscriptionJson(sub) };
    }),
  );

  router.add(
    'GET',
    '/tenants',
    armAuthed(ctx, RESOURCES_VERSIONS, (_req, _p, caller) => {
      const account = ctx.state.account(caller.accountId);
      const tenants = account ? ctx.state.directoriesOf(account) : [];
      return {
        status: 200,
        body: {
          value: tenants.map((t) => ({
            id: `/tenants/${t.id}`,
            tenantId: t.id,
            countryCode: 'US',
            displayName: t.displayName,
            domains: t.domains,
            tenantCategory: t.id === caller.tenantId ? 'Home' : 'ProjectedBy',
            defaultDomain: t.domains[t.domains.length - 1],
            tenantType: 'AAD',
          })),
        },
      };
    }),
  );

  authorizationRoutes(ctx, router, base);
  changeTenantRoutes(ctx, router);
  resourceGraphRoutes(ctx, router, resourceGraphQuotas);
  keyVaultRoutes(ctx, router);
  return router;
}
