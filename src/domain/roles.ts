/**
 * Facts about Azure RBAC roles and Entra directory roles that the link procedure relies on.
 *
 * Sources: built-in role ids from https://learn.microsoft.com/azure/role-based-access-control/built-in-roles;
 * directory role template ids from
 * https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference;
 * the consumer tenant id from https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 * (`tid` of Microsoft accounts).
 */

/** Tenant id that issues Microsoft account (MSA) tokens. */
export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Built-in Azure role definition GUIDs (identical in every tenant). */
export const BUILT_IN_ROLES = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;

/** The roles an admin may grant to Office 365 accounts (the seeds' co-administrator, today). */
export type GrantableRole = keyof typeof BUILT_IN_ROLES;

/** All grantable role names, in the order cards offer them (Owner is the default). */
export const GRANTABLE_ROLES: readonly GrantableRole[] = ['Owner', 'Contributor', 'Reader'];

/** Entra directory role template ids (Graph `roleTemplateId`, also `roleDefinitionId`). */
export const DIRECTORY_ROLES = {
  GlobalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  BillingAdministrator: 'b0f54661-2d74-4c50-afa3-1ec803f12efe',
} as const;

/**
 * Extracts the role GUID from a role definition id.
 * @param roleDefinitionId full ARM id (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/{guid}`) or a bare GUID
 * @returns the lower-case GUID
 */
export function roleGuid(roleDefinitionId: string): string {
  const parts = roleDefinitionId.split('/');
  // `split` gives at least one part.
  return parts[parts.length - 1]!.toLowerCase();
}

/**
 * Name of a built-in role from its definition id, or undefined for a custom role.
 * @param roleDefinitionId full ARM id or GUID
 */
export function builtInRoleName(roleDefinitionId: string): GrantableRole | undefined {
  const guid = roleGuid(roleDefinitionId);
  return GRANTABLE_ROLES.find((r) => BUILT_IN_ROLES[r] === guid);
}

/**
 * Full role definition id at a subscription, as ARM expects it in a role assignment's
 * `properties.roleDefinitionId` and as the path of the definition itself (REST spec
 * Microsoft.Authorization 2022-04-01). Built-in roles have the same GUID everywhere.
 * @param subscriptionId subscription GUID
 * @param role built-in role name, or the GUID of any role definition (a custom role)
 */
export function roleDefinitionIdAt(
  subscriptionId: string,
  role: GrantableRole | { readonly definitionGuid: string },
): string {
  const guid = typeof role === 'string' ? BUILT_IN_ROLES[role] : role.definitionGuid;
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/**
 * Whether a role assignment listed at a subscription is inherited from above it (a management
 * group or the root `/`) rather than held at the subscription or below. ARM lists those with the
 * subscription's own (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest);
 * a directory change does not delete them where they are, but they stop applying because the
 * subscription leaves their hierarchy, and they cannot be re-created at their scope from the
 * subscription's new directory
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription).
 * @param scope the assignment's `properties.scope`
 * @param subscriptionId the subscription it was listed at
 */
export function isInheritedScope(scope: string, subscriptionId: string): boolean {
  const own = `/subscriptions/${subscriptionId}`.toLowerCase();
  const s = scope.toLowerCase();
  return s !== own && !s.startsWith(`${own}/`);
}

/**
 * Whether a custom role listed at a subscription belongs to it: every one of its assignable scopes
 * is the subscription or below it. RoleDefinitions_List returns the role definitions "applicable at
 * scope and above" (azure-rest-api-specs `authorization-RoleDefinitionsCalls.json`, 2022-04-01,
 * commit 007a51db374076edb902fd44eb8299eea6336335), so a custom role defined at a management group
 * (assignable scope `/providers/Microsoft.Management/managementGroups/{id}`) or shared with another
 * subscription is listed too: the move does not delete it where it is, and it cannot be
 * re-created in the subscription, so it is neither backed up nor counted as lost
 * (https://learn.microsoft.com/azure/role-based-access-control/transfer-subscription).
 * @param role the role as listed (`assignableScopes` are full ARM scopes)
 * @param subscriptionId the subscription it was listed at
 * @returns false for a role without assignable scopes
 */
export function isSubscriptionCustomRole(
  role: { readonly assignableScopes: readonly string[] },
  subscriptionId: string,
): boolean {
  return (
    role.assignableScopes.length > 0 &&
    role.assignableScopes.every((s) => !isInheritedScope(s, subscriptionId))
  );
}

/**
 * The assignable scopes of a custom role that are the subscription or below it, the others
 * (a management group, the root, another subscription) left out: what a re-creation in the moved
 * subscription declares (the new directory has none of the old one's management groups, and the
 * sandbox's RoleDefinitions_CreateOrUpdate refuses a scope outside the subscription).
 * @param scopes full ARM scopes
 * @param subscriptionId the moved subscription
 * @returns the kept scopes, in their order (possibly none)
 */
export function scopesWithinSubscription(
  scopes: readonly string[],
  subscriptionId: string,
): string[] {
  return scopes.filter((s) => !isInheritedScope(s, subscriptionId));
}
