import type { CustomRoleDefinition, PlannedWrite } from '../domain/model';
import { roleDefinitionIdAt } from '../domain/roles';
import { TenantlinkError } from '../errors';
import type { ArmClient } from './armClient';

/**
 * Custom role definitions of a subscription through ARM (Microsoft.Authorization roleDefinitions
 * 2022-04-01, azure-rest-api-specs `authorization-RoleDefinitionsCalls.json`): listed before a
 * move (which deletes them) and re-created with the same GUID after it.
 */

const API = '2022-04-01';

interface ArmRoleDefinition {
  name: string;
  properties: {
    roleName: string;
    type: string;
    description?: string;
    permissions?: {
      actions?: string[];
      notActions?: string[];
      dataActions?: string[];
      notDataActions?: string[];
    }[];
    assignableScopes?: string[];
  };
}

const path = (subscriptionId: string, id: string): string =>
  `${roleDefinitionIdAt(subscriptionId, { definitionGuid: id })}?api-version=${API}`;

/**
 * The subscription's custom roles (`$filter=type eq 'CustomRole'`, all pages).
 * @throws TenantlinkError mapped from ARM
 */
export async function listCustomRoles(
  arm: ArmClient,
  subscriptionId: string,
): Promise<CustomRoleDefinition[]> {
  const filter = encodeURIComponent("type eq 'CustomRole'");
  const roles = await arm.list<ArmRoleDefinition>(
    `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions?api-version=${API}&$filter=${filter}`,
  );
  return roles
    .filter((r) => r.properties.type === 'CustomRole')
    .map((r) => ({
      id: r.name.toLowerCase(),
      roleName: r.properties.roleName,
      description: r.properties.description ?? '',
      permissions: (r.properties.permissions ?? []).map((x) => ({
        actions: x.actions ?? [],
        notActions: x.notActions ?? [],
        dataActions: x.dataActions ?? [],
        notDataActions: x.notDataActions ?? [],
      })),
      assignableScopes: r.properties.assignableScopes ?? [],
    }));
}

/**
 * Creates or updates a custom role with its GUID (idempotent PUT). RoleDefinitions_CreateOrUpdate
 * answers 201 whether it created or updated (the swagger declares no 200), so whether the role
 * was there already is read first (RoleDefinitions_Get: 200, or 404).
 * @returns whether this call created it
 * @throws TenantlinkError mapped from ARM (e.g. 409 RoleDefinitionWithSameNameExists)
 */
export async function putCustomRole(
  arm: ArmClient,
  subscriptionId: string,
  role: CustomRoleDefinition,
): Promise<{ created: boolean; correlationId?: string }> {
  const existed = await arm.send('GET', path(subscriptionId, role.id)).then(
    () => true,
    (err: unknown) => {
      if (err instanceof TenantlinkError && err.def.status === 404) return false;
      throw err;
    },
  );
  const { correlationId } = await arm.send('PUT', path(subscriptionId, role.id), {
    properties: {
      roleName: role.roleName,
      description: role.description,
      type: 'CustomRole',
      permissions: role.permissions,
      assignableScopes: role.assignableScopes,
    },
  });
  return { created: !existed, correlationId };
}

/** The write {@link putCustomRole} makes (dry run). */
export function planCustomRole(subscriptionId: string, role: CustomRoleDefinition): PlannedWrite {
  return {
    method: 'PUT',
    path: path(subscriptionId, role.id).split('?')[0]!,
    summary: `custom role ${role.roleName}`,
  };
}
