import { v5 as uuidv5 } from 'uuid';
import { roleGuid } from './roles';

/** Namespace of tenantlink's deterministic role assignment names (a fixed random UUID). */
export const ROLE_ASSIGNMENT_NAMESPACE = '5c0f3b8e-6a0d-4e51-9f7c-2a7d4c8b1e90';

/**
 * Deterministic role assignment name: UUID v5 of scope + principal + role, so that granting the
 * same role to the same principal at the same scope twice PUTs the same resource (idempotent),
 * as DESIGN.md asks. ARM requires the name to be a GUID (REST spec 2022-04-01,
 * RoleAssignments_Create).
 * @param scope ARM scope, e.g. `/subscriptions/{id}`; compared case-insensitively
 * @param principalId object id of the principal
 * @param roleDefinitionId role GUID or full role definition id
 * @returns a lower-case UUID
 */
export function roleAssignmentName(
  scope: string,
  principalId: string,
  roleDefinitionId: string,
): string {
  const key = [scope.toLowerCase(), principalId.toLowerCase(), roleGuid(roleDefinitionId)].join(
    '|',
  );
  return uuidv5(key, ROLE_ASSIGNMENT_NAMESPACE);
}
