import { BUILT_IN_ROLES, GRANTABLE_ROLES } from '../domain/roles';
import { armAuthed, armFail, isResponse, ownedSubscriptionFor, subscriptionFor } from './armAccess';
import type { SandboxContext } from './context';
import { KEY_VAULT_DATA_ROLES } from './keyVaultKeys';
import type { Router, SandboxResponse } from './router';
import type { CustomRoleRecord, SubscriptionRecord } from './state';
import type { Caller } from './tokens';

/**
 * ARM role definitions of the sandbox (Microsoft.Authorization 2022-04-01,
 * azure-rest-api-specs `authorization-RoleDefinitionsCalls.json`): the built-in roles tenantlink
 * grants, and the custom roles applicable at the subscription, which can be listed (`$filter=type eq
 * 'CustomRole'` or `roleName eq '…'`), read, and created or updated with PUT (the restore
 * re-creates them after a move, which deletes them). RoleDefinitions_List returns the definitions
 * "applicable at scope and above", so a list at a subscription includes the custom roles of its
 * management groups (assignable scope `/providers/Microsoft.Management/managementGroups/{id}`);
 * a PUT at the subscription accepts only scopes in it.
 */

const VERSIONS = ['2020-04-01-preview', '2022-04-01'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATH = '/subscriptions/:subscriptionId/providers/Microsoft.Authorization/roleDefinitions';

const ROLE_DESCRIPTIONS: Record<string, string> = {
  Owner:
    'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
  Contributor:
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
  Reader: 'View all resources, but does not allow you to make any changes.',
};

/**
 * Whether a role definition GUID is a built-in role (those tenantlink grants, and the Key Vault
 * data roles of {@link KEY_VAULT_DATA_ROLES}, assigned at a vault in the Azure RBAC model) or one
 * of the subscription's custom roles.
 */
export function roleDefinitionExists(sub: SubscriptionRecord, guid: string): boolean {
  const id = guid.toLowerCase();
  return (
    (Object.values(BUILT_IN_ROLES) as string[]).includes(id) ||
    id in KEY_VAULT_DATA_ROLES ||
    sub.customRoles.some((r) => r.id === id)
  );
}

/** Adds the role definition routes. */
export function roleDefinitionRoutes(ctx: SandboxContext, router: Router): void {
  /** The subscription if the caller may read its role definitions, else the error response. */
  const readable = (subscriptionId: string | undefined, caller: Caller) =>
    subscriptionFor(
      ctx,
      subscriptionId ?? '',
      caller,
      'Microsoft.Authorization/roleDefinitions/read',
    );

  router.add(
    'GET',
    PATH,
    armAuthed(ctx, VERSIONS, (req, p, caller) => {
      const sub = readable(p.subscriptionId, caller);
      if (isResponse(sub)) return sub;
      const filter = req.url.searchParams.get('$filter') ?? '';
      const byName = /^roleName\s+eq\s+'([^']+)'$/i.exec(filter)?.[1]?.toLowerCase();
      const customOnly = /^type\s+eq\s+'CustomRole'$/i.test(filter);
      const all = [
        ...(customOnly ? [] : GRANTABLE_ROLES.map((r) => builtInJson(sub.subscriptionId, r))),
        ...sub.customRoles.map((r) => customJson(sub.subscriptionId, r)),
      ];
      const value = byName
        ? all.filter((r) => String(r.properties.roleName).toLowerCase() === byName)
        : all;
      return { status: 200, body: { value } };
    }),
  );

  router.add(
    'GET',
    `${PATH}/:id`,
    armAuthed(ctx, VERSIONS, (_req, p, caller) => {
      const sub = readable(p.subscriptionId, caller);
      if (isResponse(sub)) return sub;
      const id = (p.id ?? '').toLowerCase();
      const builtIn = GRANTABLE_ROLES.find((r) => BUILT_IN_ROLES[r] === id);
      const custom = sub.customRoles.find((r) => r.id === id);
      if (builtIn) return { status: 200, body: builtInJson(sub.subscriptionId, builtIn) };
      if (custom) return { status: 200, body: customJson(sub.subscriptionId, custom) };
      return armFail(
        404,
        'RoleDefinitionDoesNotExist',
        'The specified role definition does not exist.',
      );
    }),
  );

  router.add(
    'PUT',
    `${PATH}/:id`,
    armAuthed(ctx, VERSIONS, (req, p, caller) => {
      const sub = ownedSubscriptionFor(
        ctx,
        p.subscriptionId ?? '',
        caller,
        'Microsoft.Authorization/roleDefinitions/write',
      );
      if (isResponse(sub)) return sub;
      return putCustomRole(ctx, sub, (p.id ?? '').toLowerCase(), req.body);
    }),
  );
}

/** Creates or updates a custom role with ARM's checks (GUID id, name unique in the directory). */
function putCustomRole(
  ctx: SandboxContext,
  sub: SubscriptionRecord,
  id: string,
  body: unknown,
): SandboxResponse {
  if (!GUID.test(id))
    return armFail(400, 'InvalidRoleDefinitionId', `The role definition ID '${id}' is not valid.`);
  const props = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  const roleName = typeof props.roleName === 'string' ? props.roleName.trim() : '';
  const scopes = Array.isArray(props.assignableScopes) ? props.assignableScopes.map(String) : [];
  if (!roleName || scopes.length === 0 || !Array.isArray(props.permissions))
    return armFail(
      400,
      'InvalidRequestContent',
      'properties.roleName, properties.permissions and properties.assignableScopes are required.',
    );
  if (!scopes.every((s) => s.toLowerCase().startsWith(`/subscriptions/${sub.subscriptionId}`)))
    return armFail(
      403,
      'LinkedAuthorizationFailed',
      'An assignable scope is outside the subscription.',
    );
  const sameName = ctx.state.subscriptions
    .filter((s) => s.tenantId === sub.tenantId)
    .flatMap((s) => s.customRoles)
    .find((r) => r.roleName.toLowerCase() === roleName.toLowerCase() && r.id !== id);
  if (sameName)
    return armFail(
      409,
      'RoleDefinitionWithSameNameExists',
      `A custom role with the same name already exists in this directory.`,
    );
  const record: CustomRoleRecord = {
    id,
    roleName,
    description: typeof props.description === 'string' ? props.description : '',
    permissions: (props.permissions as CustomRoleRecord['permissions']).map((x) => ({
      actions: [...(x.actions ?? [])],
      notActions: [...(x.notActions ?? [])],
      dataActions: [...(x.dataActions ?? [])],
      notDataActions: [...(x.notDataActions ?? [])],
    })),
    assignableScopes: scopes,
  };
  const existing = sub.customRoles.findIndex((r) => r.id === id);
  if (existing >= 0) sub.customRoles[existing] = record;
  else sub.customRoles.push(record);
  // RoleDefinitions_CreateOrUpdate declares 201 only, for a creation and an update alike.
  return { status: 201, body: customJson(sub.subscriptionId, record) };
}

function builtInJson(
  subscriptionId: string,
  role: (typeof GRANTABLE_ROLES)[number],
): { properties: Record<string, unknown> } & Record<string, unknown> {
  return {
    id: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: BUILT_IN_ROLES[role],
    properties: {
      roleName: role,
      type: 'BuiltInRole',
      description: ROLE_DESCRIPTIONS[role],
      assignableScopes: ['/'],
      permissions: [],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2021-11-11T20:13:47.8628684Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

function customJson(
  subscriptionId: string,
  role: CustomRoleRecord,
): { properties: Record<string, unknown> } & Record<string, unknown> {
  return {
    id: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: role.id,
    properties: {
      roleName: role.roleName,
      type: 'CustomRole',
      description: role.description,
      assignableScopes: role.assignableScopes,
      permissions: role.permissions,
    },
  };
}
