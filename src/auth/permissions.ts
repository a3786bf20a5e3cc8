import type { OAuthConnections, Resource, SignInKind } from './signIn';

/**
 * The one permission map of tenantlink: every Microsoft Graph operation it calls, with the
 * least-privileged delegated permission Microsoft's docs give for a work or school account and
 * the higher ones that also allow it; the delegated permissions each OAuth connection asks for;
 * and which user properties a permission lets Graph return. The sandbox cloud enforces this map
 * (403 `Authorization_RequestDenied`, properties left out), and a test checks README.md,
 * .env.sample and infra/permissions.json (the Entra apps of infra/ read it) against it. ARM has one delegated permission,
 * `user_impersonation`; what a user may do there is Azure RBAC's to decide.
 */

/** One Graph operation: least-privileged delegated permission first, then the higher ones. */
export interface GraphOperation {
  readonly method: 'GET' | 'POST';
  /** Path template below `/v1.0` (`{id}` for a path parameter). */
  readonly path: string;
  /** Delegated permissions (work or school account) that allow it, least privileged first. */
  readonly permissions: readonly [string, ...string[]];
  /** Microsoft's page that gives them. */
  readonly doc: string;
  /**
   * Where the docs give a pair ("User.ReadBasic.All and GroupMember.Read.All"): one of these is
   * needed as well as one of `permissions` (a `Directory.*` permission alone covers both, so it
   * is in `permissions` and here).
   */
  readonly alongside?: readonly [string, ...string[]];
}

const GRAPH = 'https://learn.microsoft.com/graph/api';

/** The Graph operations tenantlink calls (`$batch` sub-requests are checked one by one). */
export const GRAPH_OPERATIONS = {
  me: {
    method: 'GET',
    path: '/me',
    permissions: ['User.Read', 'User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-get`,
  },
  organization: {
    method: 'GET',
    path: '/organization',
    permissions: ['User.Read', 'Organization.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/organization-get`,
  },
  myDirectoryRoles: {
    method: 'GET',
    path: '/me/transitiveMemberOf/microsoft.graph.directoryRole',
    permissions: ['User.Read', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-list-transitivememberof`,
  },
  myDirectMemberOf: {
    method: 'GET',
    path: '/me/memberOf/microsoft.graph.directoryRole',
    permissions: ['User.Read', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-list-memberof`,
  },
  myEligibleRoles: {
    method: 'GET',
    path: "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
    permissions: [
      'RoleEligibilitySchedule.Read.Directory',
      'RoleManagement.Read.Directory',
      'RoleManagement.Read.All',
    ],
    doc: `${GRAPH}/unifiedroleeligibilityscheduleinstance-filterbycurrentuser`,
  },
  listUsers: {
    method: 'GET',
    path: '/users',
    permissions: ['User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-list`,
  },
  getUser: {
    method: 'GET',
    path: '/users/{id}',
    permissions: ['User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-get`,
  },
  roleAssignments: {
    method: 'GET',
    path: '/roleManagement/directory/roleAssignments',
    permissions: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/rbacapplication-list-roleassignments`,
  },
  invitations: {
    method: 'POST',
    path: '/invitations',
    permissions: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    doc: `${GRAPH}/invitation-post`,
  },
  /**
   * Whether a user is a member (transitively) of given groups (at most 20): the approvers of an
   * approval policy's Entra group, and the holders of Global Administrator through a
   * role-assignable group. Group memberships for other users need `User.ReadBasic.All and
   * GroupMember.Read.All` (or the higher pairs, or `Directory.Read.All`).
   */
  checkMemberGroups: {
    method: 'POST',
    path: '/users/{id}/checkMemberGroups',
    permissions: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    alongside: ['User.ReadBasic.All', 'User.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/user-checkmembergroups`,
  },
  /** An approval policy's group: its display name, read when the policy is saved. */
  getGroup: {
    method: 'GET',
    path: '/groups/{id}',
    permissions: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/group-get`,
  },
  /**
   * An approval policy's group's members (nested groups' too): the approvers named in the
   * approval card's `refresh.userIds`.
   */
  groupTransitiveMembers: {
    method: 'GET',
    path: '/groups/{id}/transitiveMembers',
    permissions: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/group-list-transitivemembers`,
  },
  subscribedSkus: {
    method: 'GET',
    path: '/subscribedSkus',
    permissions: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Directory.Read.All'],
    doc: `${GRAPH}/subscribedsku-list`,
  },
} as const satisfies Record<string, GraphOperation>;

/** Name of a Graph operation of the map. */
export type GraphOperationName = keyof typeof GRAPH_OPERATIONS;

/**
 * The user properties `User.ReadBasic.All` lets Graph return for users other than the signed-in
 * one (the "basic profile"; `id` always): everything else, `otherMails` included, needs
 * `User.Read.All` (https://learn.microsoft.com/graph/permissions-reference#userreadbasicall).
 */
export const BASIC_PROFILE = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
] as const;

/** Permissions that return a user's full profile (otherMails, userType, jobTitle, …). */
export const FULL_PROFILE_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;

/** The OAuth connection names of {@link OAuthConnections}. */
export type ConnectionName = keyof OAuthConnections;

/** What one OAuth connection asks for. */
export interface ConnectionPermissions {
  readonly resource: Resource;
  /** Delegated permissions (Graph permission names, or ARM's `user_impersonation`). */
  readonly permissions: readonly string[];
  /** The operations its tokens serve (each must be allowed by one of `permissions`). */
  readonly operations: readonly GraphOperationName[];
}

/**
 * The delegated permissions of the four OAuth connections, least privilege for what each does:
 * - `graph` (the Office 365 admin): who they are and their roles, the tenant, its users to grant
 *   access to, the Global Administrators with their alternate emails (rule R4 reads `otherMails`:
 *   `User.Read.All`, which also covers listing users), PIM eligibility (covered by
 *   `RoleManagement.Read.Directory`), guest invitations for the restore, and at an approval
 *   card's click whether the clicking user is an approver (`checkMemberGroups`:
 *   `GroupMember.Read.All` with the `User.Read.All` it has; the approver need not sign in);
 * - `azureSourceGraph` (the subscription admin in the subscription's current directory): names of
 *   who loses access (basic profile), their roles and whether the directory has Office 365
 *   licences (`add office365`: `LicenseAssignment.Read.All`) — each one a user may consent to
 *   for themselves (`requiresAdminConsent: false` in Microsoft's Graph permissions file,
 *   microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json; vendored in
 *   test/contracts/graphConsent.json), since the subscription admin is often no administrator of
 *   that directory;
 * - `azureTarget` and `azureSource`: ARM.
 */
export const CONNECTION_PERMISSIONS = {
  graph: {
    resource: 'graph',
    permissions: [
      'User.Read',
      'User.Read.All',
      'RoleManagement.Read.Directory',
      'User.Invite.All',
      'GroupMember.Read.All',
    ],
    operations: [
      'me',
      'organization',
      'myDirectoryRoles',
      'myEligibleRoles',
      'listUsers',
      'getUser',
      'roleAssignments',
      'invitations',
      'checkMemberGroups',
      'getGroup',
      'groupTransitiveMembers',
    ],
  },
  azureTarget: { resource: 'arm', permissions: ['user_impersonation'], operations: [] },
  azureSource: { resource: 'arm', permissions: ['user_impersonation'], operations: [] },
  azureSourceGraph: {
    resource: 'graph',
    permissions: ['User.Read', 'User.ReadBasic.All', 'LicenseAssignment.Read.All'],
    operations: [
      'me',
      'organization',
      'myDirectoryRoles',
      'getUser',
      'listUsers',
      'subscribedSkus',
    ],
  },
} as const satisfies Record<ConnectionName, ConnectionPermissions>;

/** The scopes string of a connection as the Azure Bot's OAuth connection setting holds it. */
export function connectionScopes(name: ConnectionName): string {
  const c: ConnectionPermissions = CONNECTION_PERMISSIONS[name];
  return c.resource === 'arm'
    ? 'https://management.azure.com/user_impersonation offline_access'
    : `openid profile offline_access ${c.permissions.join(' ')}`;
}

/** The connection that serves a sign-in kind's token for a resource (names as in the map). */
export function connectionNameFor(kind: SignInKind, resource: Resource): ConnectionName {
  if (kind === 'office365') return resource === 'graph' ? 'graph' : 'azureTarget';
  return resource === 'arm' ? 'azureSource' : 'azureSourceGraph';
}

/** Every Graph permission some connection asks for: what admin consent grants the app. */
export function consentedGraphPermissions(): string[] {
  const all = Object.values(CONNECTION_PERMISSIONS as Record<string, ConnectionPermissions>)
    .filter((c) => c.resource === 'graph')
    .flatMap((c) => c.permissions);
  return [...new Set(all)];
}
