import { roleGuid } from '../domain/roles';
import { armAuthed, armFail, isResponse, ownedSubscriptionFor, subscriptionFor } from './armAccess';
import { roleDefinitionExists, roleDefinitionRoutes } from './armRoleDefinitions';
import type { SandboxContext } from './context';
import { page } from './odata';
import type { Router, SandboxResponse } from './router';
import { isAboveSubscription, type RoleAssignmentRecord, type SubscriptionRecord } from './state';

/**
 * Microsoft.Authorization of the sandbox's ARM (2022-04-01): role assignments at subscription,
 * resource-group and resource scope (list with `atScope()` / `assignedTo()` / `principalId eq`,
 * PUT with ARM's validation and 409 RoleAssignmentExists, DELETE) and the built-in role
 * definitions. Shapes from Azure/azure-rest-api-specs `authorization-RoleAssignmentsCalls.json`
 * and `authorization-RoleDefinitionsCalls.json`, whose `{scope}` is any of these ("The scope of
 * the operation or resource. Valid scopes are: subscription …, resource group …, or resource
 * (format: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{resourceProviderNamespace}/[{parentResourcePath}/]{resourceType}/{resourceName}'").
 * A resource scope is, for instance, a key vault in the Azure RBAC permission model, or one of
 * its keys or secrets (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
 */

const AUTHORIZATION_VERSIONS = ['2020-04-01-preview', '2022-04-01'];
/** Role assignments per page of a list. */
const ASSIGNMENT_PAGE = 1000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A role assignment as ARM serialises it (2022-04-01). */
export function assignmentJson(
  a: RoleAssignmentRecord,
  subscriptionId: string,
): Record<string, unknown> {
  return {
    properties: {
      roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${a.roleDefinitionId}`,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: null,
      conditionVersion: null,
      createdOn: a.createdOn,
      updatedOn: a.createdOn,
      createdBy: a.createdBy,
      updatedBy: a.createdBy,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
    id: `${a.scope === '/' ? '' : a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name: a.name,
  };
}

/** Parses a role assignment `$filter`; undefined when unsupported. */
function parseAssignmentFilter(
  filter: string | null,
): { atScope: boolean; principalId?: string } | undefined {
  const out: { atScope: boolean; principalId?: string } = { atScope: false };
  if (!filter) return out;
  for (const clause of filter.split(/\s+and\s+/i).map((c) => c.trim())) {
    if (/^atScope\(\)$/i.test(clause)) out.atScope = true;
    else {
      const m = /^(?:assignedTo\('([^']+)'\)|principalId\s+eq\s+'([^']+)')$/i.exec(clause);
      if (!m) return undefined;
      out.principalId = (m[1] ?? m[2] ?? '').toLowerCase();
    }
  }
  return out;
}

/**
 * Adds the role assignment and role definition routes to the ARM router.
 * @param base the ARM root URL, for `nextLink`
 */
export function authorizationRoutes(ctx: SandboxContext, router: Router, base: () => string): void {
  const scopeTemplates = [
    '/subscriptions/:subscriptionId',
    '/subscriptions/:subscriptionId/resourceGroups/:resourceGroup',
    '/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/providers/:resource*',
  ];
  for (const scopeTemplate of scopeTemplates) {
    const scopeOf = (p: Record<string, string>): string =>
      `/subscriptions/${(p.subscriptionId ?? '').toLowerCase()}${p.resourceGroup ? `/resourceGroups/${p.resourceGroup}` : ''}${p.resource ? `/providers/${p.resource}` : ''}`;

    router.add(
      'GET',
      `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments`,
      armAuthed(ctx, AUTHORIZATION_VERSIONS, (req, p, caller) => {
        const sub = subscriptionFor(
          ctx,
          p.subscriptionId ?? '',
          caller,
          'Microsoft.Authorization/roleAssignments/read',
        );
        if (isResponse(sub)) return sub;
        const filter = parseAssignmentFilter(req.url.searchParams.get('$filter'));
        if (!filter)
          return armFail(
            400,
            'UnsupportedQuery',
            "The filter is not supported. Supported filters: atScope(), assignedTo('{id}'), principalId eq '{id}'.",
          );
        const scope = scopeOf(p).toLowerCase();
        const rows = sub.roleAssignments.filter((a) => {
          const s = a.scope.toLowerCase();
          // An assignment inherited from a management group or the root is above every scope.
          const atOrAbove = scope === s || scope.startsWith(`${s}/`) || isAboveSubscription(s);
          const below = s.startsWith(`${scope}/`);
          if (filter.atScope ? !atOrAbove : !(atOrAbove || below)) return false;
          return !filter.principalId || a.principalId === filter.principalId;
        });
        const { items, nextSkip } = page(
          rows,
          ASSIGNMENT_PAGE,
          req.url.searchParams.get('$skipToken'),
        );
        const body: Record<string, unknown> = {
          value: items.map((a) => assignmentJson(a, sub.subscriptionId)),
        };
        if (nextSkip) {
          const next = new URL(`${base()}${req.path}`);
          for (const [k, v] of req.url.searchParams)
            if (k !== '$skipToken') next.searchParams.set(k, v);
          next.searchParams.set('$skipToken', nextSkip);
          body.nextLink = next.toString();
        }
        return { status: 200, body };
      }),
    );

    router.add(
      'PUT',
      `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments/:name`,
      armAuthed(ctx, AUTHORIZATION_VERSIONS, (req, p, caller) => {
        const scope = scopeOf(p);
        const sub = ownedSubscriptionFor(
          ctx,
          p.subscriptionId ?? '',
          caller,
          'Microsoft.Authorization/roleAssignments/write',
          scope,
        );
        if (isResponse(sub)) return sub;
        return createAssignment(ctx, sub, scope, p.name ?? '', req.body, caller.objectId);
      }),
    );

    router.add(
      'DELETE',
      `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments/:name`,
      armAuthed(ctx, AUTHORIZATION_VERSIONS, (_req, p, caller) => {
        const scope = scopeOf(p);
        const sub = ownedSubscriptionFor(
          ctx,
          p.subscriptionId ?? '',
          caller,
          'Microsoft.Authorization/roleAssignments/delete',
          scope,
        );
        if (isResponse(sub)) return sub;
        const i = sub.roleAssignments.findIndex(
          (a) =>
            a.name === (p.name ?? '').toLowerCase() &&
            a.scope.toLowerCase() === scope.toLowerCase(),
        );
        if (i < 0) return { status: 204 };
        const [removed] = sub.roleAssignments.splice(i, 1);
        return {
          status: 200,
          body: removed ? assignmentJson(removed, sub.subscriptionId) : undefined,
        };
      }),
    );
  }

  roleDefinitionRoutes(ctx, router);
}

/** PUT of a role assignment with ARM's validation and idempotency rules. */
function createAssignment(
  ctx: SandboxContext,
  sub: SubscriptionRecord,
  scope: string,
  name: string,
  body: unknown,
  createdBy: string,
): SandboxResponse {
  if (!GUID.test(name))
    return armFail(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  const props = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  const roleDefinitionId =
    typeof props.roleDefinitionId === 'string' ? roleGuid(props.roleDefinitionId) : '';
  const principalId = typeof props.principalId === 'string' ? props.principalId.toLowerCase() : '';
  if (!roleDefinitionId || !principalId)
    return armFail(
      400,
      'InvalidRequestContent',
      'The request content was invalid: properties.roleDefinitionId and properties.principalId are required.',
    );
  if (!roleDefinitionExists(sub, roleDefinitionId))
    return armFail(
      400,
      'RoleDefinitionDoesNotExist',
      "The specified role definition with ID '" + roleDefinitionId + "' does not exist.",
    );
  const tenant = ctx.state.tenant(sub.tenantId);
  const actualType = tenant && ctx.state.principalType(tenant, principalId);
  const user = tenant?.users.find((u) => u.id === principalId);
  const tooNew =
    user !== undefined && Date.now() - user.createdAtMs < ctx.faults.replicationDelayMs;
  if (!actualType || tooNew) {
    return armFail(
      400,
      'PrincipalNotFound',
      `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${sub.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  if (props.principalType !== undefined && props.principalType !== actualType)
    return armFail(
      400,
      'UnmatchedPrincipalType',
      `The PrincipalId '${principalId}' has type '${actualType}', which is different from specified PrincipalType '${String(props.principalType)}'.`,
    );
  const lowerScope = scope.toLowerCase();
  const clash = sub.roleAssignments.find(
    (a) =>
      a.scope.toLowerCase() === lowerScope &&
      a.principalId === principalId &&
      a.roleDefinitionId === roleDefinitionId,
  );
  if (clash) return armFail(409, 'RoleAssignmentExists', 'The role assignment already exists.');
  if (sub.roleAssignments.some((a) => a.name === name.toLowerCase()))
    return armFail(
      400,
      'RoleAssignmentUpdateNotPermitted',
      'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
    );
  const now = new Date().toISOString();
  const record: RoleAssignmentRecord = {
    name: name.toLowerCase(),
    scope,
    principalId,
    principalType: actualType,
    roleDefinitionId,
    createdOn: now,
    createdBy,
  };
  sub.roleAssignments.push(record);
  return { status: 201, body: assignmentJson(record, sub.subscriptionId) };
}
