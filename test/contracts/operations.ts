/**
 * The contracts of every Microsoft Graph and Azure Resource Manager operation tenantlink calls,
 * transcribed from Microsoft's published specifications: for ARM the azure-rest-api-specs
 * swaggers and examples named in provenance.json (path templates, api-versions, success status
 * codes, the `required` lists and types of the definitions tenantlink reads or sends), for Graph
 * the v1.0 API reference pages (request path, query parameters and headers the page requires,
 * request body, response shape). Only what tenantlink relies on is kept; additional properties are
 * allowed, as the services add them over time. `npm run contracts:update` checks them against the
 * specifications again.
 */

/** A JSON schema (draft-07 subset, validated with ajv). */
export type Schema = Record<string, unknown>;

/** One operation's contract. */
export interface Contract {
  /** Operation id (swagger `operationId`) or the Graph page's title. */
  readonly id: string;
  readonly api: 'arm' | 'graph';
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Path template below the API root (`{name}` segments; `{scope}` may hold slashes). */
  readonly template: string;
  /** ARM: the only api-version tenantlink may send. */
  readonly apiVersion?: string;
  /** Query parameters the operation requires, with the pattern of their value. */
  readonly requiredQuery?: Readonly<Record<string, RegExp>>;
  /** Headers (lower case) the operation requires, with the pattern of their value. */
  readonly requiredHeaders?: Readonly<Record<string, RegExp>>;
  /** Headers required when a query parameter is present (`$search` needs ConsistencyLevel). */
  readonly headersWhenQuery?: Readonly<Record<string, Readonly<Record<string, RegExp>>>>;
  readonly requestBody?: Schema;
  /** Success statuses and the schema of their body (`null`: no body). */
  readonly responses: Readonly<Record<number, Schema | null>>;
  /** Key of provenance.json. */
  readonly source: string;
}

const str = { type: 'string' } as const;
/** `nextLink` is null on a last page in some examples (listTargetDirectory.json). */
const nullableStr = { type: ['string', 'null'] } as const;
const obj = (required: string[], properties: Record<string, unknown>): Schema => ({
  type: 'object',
  required,
  properties,
});
const list = (item: Schema, extra: Record<string, unknown> = {}): Schema =>
  obj(['value'], { value: { type: 'array', items: item }, ...extra });

// ---- Azure Resource Manager ----------------------------------------------------------------

/** Microsoft.KeyVault AccessPolicyEntry: tenantId, objectId and permissions are required. */
const accessPolicy = obj(['tenantId', 'objectId', 'permissions'], {
  tenantId: str,
  objectId: str,
  permissions: { type: 'object' },
});
/** Microsoft.KeyVault Vault: `properties` required; VaultProperties requires tenantId and sku. */
const vault = obj(['properties'], {
  id: str,
  name: str,
  type: str,
  properties: obj(['tenantId', 'sku'], {
    tenantId: str,
    sku: obj(['family', 'name'], { family: str, name: str }),
    accessPolicies: { type: 'array', items: accessPolicy },
    enableRbacAuthorization: { type: 'boolean' },
  }),
});

/** Microsoft.Resources 2022-12-01 `Subscription` (readOnly properties as returned). */
const subscription = obj(['id', 'subscriptionId', 'tenantId', 'displayName', 'state'], {
  id: str,
  subscriptionId: str,
  tenantId: str,
  displayName: str,
  state: { enum: ['Enabled', 'Warned', 'PastDue', 'Disabled', 'Deleted'] },
  subscriptionPolicies: obj([], {
    locationPlacementId: str,
    quotaId: str,
    spendingLimit: { enum: ['On', 'Off', 'CurrentPeriodOff'] },
  }),
  authorizationSource: str,
  managedByTenants: { type: 'array' },
});

/** Microsoft.Resources 2022-12-01 `TenantIdDescription`. */
const tenant = obj(['id', 'tenantId'], {
  id: str,
  tenantId: str,
  tenantCategory: { enum: ['Home', 'ProjectedBy', 'ManagedBy'] },
  displayName: str,
  domains: { type: 'array', items: str },
  defaultDomain: str,
});

/** Microsoft.Authorization 2022-04-01 `RoleAssignmentProperties` (required as the swagger says). */
const roleAssignmentProperties = obj(['roleDefinitionId', 'principalId'], {
  scope: str,
  roleDefinitionId: str,
  principalId: str,
  principalType: { enum: ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'] },
});
const roleAssignment = obj(['id', 'name', 'type', 'properties'], {
  id: str,
  name: str,
  type: str,
  properties: roleAssignmentProperties,
});

/** Microsoft.Authorization 2022-04-01 `RoleDefinition`. */
const roleDefinition = obj(['id', 'name', 'type', 'properties'], {
  id: str,
  name: str,
  type: str,
  properties: obj([], {
    roleName: str,
    type: str,
    description: str,
    permissions: { type: 'array' },
    assignableScopes: { type: 'array', items: str },
  }),
});

/** Microsoft.Subscription 2024-08-01-preview `TargetDirectoryResult` (every property optional). */
const targetDirectoryResult = obj([], {
  id: str,
  name: str,
  type: str,
  properties: obj([], {
    destinationTenantId: str,
    destinationOwnerId: str,
    status: str,
    expiresOn: str,
  }),
});

const SUB = '{subscriptionId}';
const CHANGE_TENANT = `/subscriptions/${SUB}/providers/Microsoft.Subscription/changeTenantRequest`;
const SCOPE_RA = '{scope}/providers/Microsoft.Authorization/roleAssignments';

/** The ARM operations tenantlink calls. */
export const ARM_CONTRACTS: readonly Contract[] = [
  {
    id: 'Subscriptions_List',
    api: 'arm',
    method: 'GET',
    template: '/subscriptions',
    apiVersion: '2022-12-01',
    responses: { 200: list(subscription, { nextLink: nullableStr }) },
    source: 'resources-2022-12-01',
  },
  {
    id: 'Subscriptions_Get',
    api: 'arm',
    method: 'GET',
    template: `/subscriptions/${SUB}`,
    apiVersion: '2022-12-01',
    responses: { 200: subscription },
    source: 'resources-2022-12-01',
  },
  {
    id: 'Tenants_List',
    api: 'arm',
    method: 'GET',
    template: '/tenants',
    apiVersion: '2022-12-01',
    responses: { 200: list(tenant, { nextLink: nullableStr }) },
    source: 'resources-2022-12-01',
  },
  {
    id: 'Vaults_Get',
    api: 'arm',
    method: 'GET',
    template:
      '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}',
    apiVersion: '2023-07-01',
    responses: { 200: vault },
    source: 'keyvault-2023-07-01',
  },
  {
    // VaultPatchParameters: every property optional; tenantlink sends tenantId and accessPolicies,
    // or tenantId alone for a vault in the Azure RBAC model (its access policies are ignored).
    id: 'Vaults_Update',
    api: 'arm',
    method: 'PATCH',
    template:
      '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}',
    apiVersion: '2023-07-01',
    requestBody: obj(['properties'], {
      properties: obj([], {
        tenantId: str,
        accessPolicies: { type: 'array', items: accessPolicy },
      }),
    }),
    responses: { 200: vault, 201: vault },
    source: 'keyvault-2023-07-01',
  },
  {
    // Azure Resource Graph: QueryRequest in, QueryResponse out (resourcegraph.json 2024-04-01).
    id: 'Resources',
    api: 'arm',
    method: 'POST',
    template: '/providers/Microsoft.ResourceGraph/resources',
    apiVersion: '2024-04-01',
    requestBody: obj(['query'], {
      subscriptions: { type: 'array', items: str },
      query: str,
      options: {
        type: 'object',
        properties: {
          $skipToken: str,
          $top: { type: 'integer', minimum: 1, maximum: 1000 },
          $skip: { type: 'integer', minimum: 0 },
          resultFormat: { enum: ['table', 'objectArray'] },
        },
      },
    }),
    responses: {
      200: obj(['totalRecords', 'count', 'resultTruncated', 'data'], {
        totalRecords: { type: 'integer' },
        count: { type: 'integer' },
        resultTruncated: { enum: ['true', 'false'] },
        $skipToken: str,
        data: { type: 'array' },
        facets: { type: 'array' },
      }),
    },
    source: 'resourcegraph-2024-04-01',
  },
  {
    id: 'RoleAssignments_ListForScope',
    api: 'arm',
    method: 'GET',
    template: SCOPE_RA,
    apiVersion: '2022-04-01',
    responses: { 200: list(roleAssignment, { nextLink: nullableStr }) },
    source: 'authorization-2022-04-01',
  },
  {
    id: 'RoleAssignments_Create',
    api: 'arm',
    method: 'PUT',
    template: `${SCOPE_RA}/{roleAssignmentName}`,
    apiVersion: '2022-04-01',
    // RoleAssignmentCreateParameters: properties required; principalType sent always (DESIGN.md).
    requestBody: obj(['properties'], {
      properties: {
        ...roleAssignmentProperties,
        required: ['roleDefinitionId', 'principalId', 'principalType'],
      },
    }),
    responses: { 200: roleAssignment, 201: roleAssignment },
    source: 'authorization-2022-04-01',
  },
  {
    id: 'RoleDefinitions_List',
    api: 'arm',
    method: 'GET',
    template: '{scope}/providers/Microsoft.Authorization/roleDefinitions',
    apiVersion: '2022-04-01',
    responses: { 200: list(roleDefinition, { nextLink: nullableStr }) },
    source: 'authorization-2022-04-01',
  },
  {
    id: 'RoleDefinitions_Get',
    api: 'arm',
    method: 'GET',
    template: '{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}',
    apiVersion: '2022-04-01',
    responses: { 200: roleDefinition },
    source: 'authorization-2022-04-01',
  },
  {
    id: 'RoleDefinitions_CreateOrUpdate',
    api: 'arm',
    method: 'PUT',
    template: '{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}',
    apiVersion: '2022-04-01',
    requestBody: obj(['properties'], {
      properties: obj(['roleName', 'permissions', 'assignableScopes'], {
        roleName: str,
        permissions: { type: 'array' },
        assignableScopes: { type: 'array', items: str },
      }),
    }),
    responses: { 201: roleDefinition },
    source: 'authorization-2022-04-01',
  },
  {
    id: 'Subscriptions_PutTargetDirectory',
    api: 'arm',
    method: 'PUT',
    template: `${CHANGE_TENANT}/default`,
    apiVersion: '2024-08-01-preview',
    requestBody: obj(['properties'], {
      properties: obj(['destinationTenantId', 'destinationOwnerId'], {
        destinationTenantId: str,
        destinationOwnerId: str,
      }),
    }),
    responses: { 200: targetDirectoryResult },
    source: 'subscription-2024-08-01-preview',
  },
  {
    id: 'Subscriptions_GetTargetDirectory',
    api: 'arm',
    method: 'GET',
    template: `${CHANGE_TENANT}/default`,
    apiVersion: '2024-08-01-preview',
    responses: { 200: targetDirectoryResult },
    source: 'subscription-2024-08-01-preview',
  },
  {
    id: 'Subscriptions_DeleteTargetDirectory',
    api: 'arm',
    method: 'DELETE',
    template: `${CHANGE_TENANT}/default`,
    apiVersion: '2024-08-01-preview',
    responses: { 200: null },
    source: 'subscription-2024-08-01-preview',
  },
  {
    id: 'Subscriptions_ListTargetDirectory',
    api: 'arm',
    method: 'GET',
    template: CHANGE_TENANT,
    apiVersion: '2024-08-01-preview',
    responses: { 200: list(targetDirectoryResult, { nextLink: nullableStr }) },
    source: 'subscription-2024-08-01-preview',
  },
  {
    id: 'Subscriptions_AcceptTargetDirectory',
    api: 'arm',
    method: 'POST',
    template: `/providers/Microsoft.Subscription/subscriptions/${SUB}/acceptChangeTenant`,
    apiVersion: '2024-08-01-preview',
    responses: { 204: null },
    source: 'subscription-2024-08-01-preview',
  },
  {
    id: 'Subscriptions_TargetDirectoryStatus',
    api: 'arm',
    method: 'POST',
    template: `/providers/Microsoft.Subscription/subscriptions/${SUB}/changeTenantStatus`,
    apiVersion: '2024-08-01-preview',
    responses: { 200: obj([], { status: str }) },
    source: 'subscription-2024-08-01-preview',
  },
];

// ---- Microsoft Graph v1.0 ------------------------------------------------------------------

/** Graph `user` as tenantlink reads it (`id` always; the rest depends on $select and permission). */
const user = obj(['id'], {
  id: str,
  displayName: { type: ['string', 'null'] },
  userPrincipalName: { type: ['string', 'null'] },
  mail: { type: ['string', 'null'] },
  otherMails: { type: 'array', items: str },
});
const ADVANCED = { consistencylevel: /^eventual$/i };

/** The Graph operations tenantlink calls. */
export const GRAPH_CONTRACTS: readonly Contract[] = [
  {
    id: 'Get user (me)',
    api: 'graph',
    method: 'GET',
    template: '/me',
    responses: { 200: user },
    source: 'graph-user-get',
  },
  {
    id: 'Get organization',
    api: 'graph',
    method: 'GET',
    template: '/organization',
    responses: {
      200: list(
        obj(['id', 'verifiedDomains'], {
          id: str,
          displayName: str,
          verifiedDomains: {
            type: 'array',
            items: obj(['name'], { name: str, isDefault: { type: 'boolean' } }),
          },
        }),
      ),
    },
    source: 'graph-organization-get',
  },
  {
    id: 'List a user’s memberships (transitive), cast to directoryRole',
    api: 'graph',
    method: 'GET',
    template: '/me/transitiveMemberOf/microsoft.graph.directoryRole',
    // An OData cast is an advanced query: ConsistencyLevel: eventual and $count=true.
    requiredQuery: { $count: /^true$/ },
    requiredHeaders: ADVANCED,
    responses: { 200: list(obj(['roleTemplateId'], { displayName: str, roleTemplateId: str })) },
    source: 'graph-user-list-transitivememberof',
  },
  {
    id: 'unifiedRoleEligibilityScheduleInstance: filterByCurrentUser',
    api: 'graph',
    method: 'GET',
    template:
      "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
    responses: {
      200: list(
        obj(['roleDefinitionId', 'principalId'], { roleDefinitionId: str, principalId: str }),
      ),
    },
    source: 'graph-roleeligibility-filterbycurrentuser',
  },
  {
    id: 'List users',
    api: 'graph',
    method: 'GET',
    template: '/users',
    headersWhenQuery: { $search: ADVANCED, $count: ADVANCED },
    responses: { 200: list(user, { '@odata.nextLink': str }) },
    source: 'graph-user-list',
  },
  {
    id: 'Get user',
    api: 'graph',
    method: 'GET',
    template: '/users/{id}',
    responses: { 200: user },
    source: 'graph-user-get',
  },
  {
    id: 'List unifiedRoleAssignments',
    api: 'graph',
    method: 'GET',
    template: '/roleManagement/directory/roleAssignments',
    // The directory provider needs a $filter on principalId or roleDefinitionId.
    requiredQuery: { $filter: /(principalId|roleDefinitionId) eq '/ },
    responses: {
      200: list(
        obj(['principalId', 'roleDefinitionId'], {
          principalId: str,
          roleDefinitionId: str,
          directoryScopeId: str,
          principal: { type: 'object' },
        }),
        { '@odata.nextLink': str },
      ),
    },
    source: 'graph-rbacapplication-list-roleassignments',
  },
  {
    id: 'user: checkMemberGroups',
    api: 'graph',
    method: 'POST',
    template: '/users/{id}/checkMemberGroups',
    // "You can check up to a maximum of 20 groups per request."
    requestBody: obj(['groupIds'], {
      groupIds: { type: 'array', minItems: 1, maxItems: 20, items: str },
    }),
    responses: { 200: list(str) },
    source: 'graph-user-checkmembergroups',
  },
  {
    id: 'Get group',
    api: 'graph',
    method: 'GET',
    template: '/groups/{id}',
    responses: { 200: obj(['id'], { id: str, displayName: nullableStr }) },
    source: 'graph-group-get',
  },
  {
    id: 'List group transitive members',
    api: 'graph',
    method: 'GET',
    template: '/groups/{id}/transitiveMembers',
    // A directoryObject collection: each member's type in `@odata.type`, its id; 100 a page
    // by default, the rest behind `@odata.nextLink`.
    responses: {
      200: list(obj(['@odata.type', 'id'], { '@odata.type': str, id: str }), {
        '@odata.nextLink': str,
      }),
    },
    source: 'graph-group-list-transitivemembers',
  },
  {
    id: 'Create invitation',
    api: 'graph',
    method: 'POST',
    template: '/invitations',
    requestBody: obj(['invitedUserEmailAddress', 'inviteRedirectUrl'], {
      invitedUserEmailAddress: str,
      inviteRedirectUrl: str,
      sendInvitationMessage: { type: 'boolean' },
    }),
    responses: {
      201: obj(['id', 'invitedUser'], { id: str, invitedUser: obj(['id'], { id: str }) }),
    },
    source: 'graph-invitation-post',
  },
  {
    id: 'List subscribedSkus',
    api: 'graph',
    method: 'GET',
    template: '/subscribedSkus',
    responses: {
      200: list(
        obj(['skuPartNumber', 'capabilityStatus'], { skuPartNumber: str, capabilityStatus: str }),
      ),
    },
    source: 'graph-subscribedsku-list',
  },
  {
    id: 'JSON batching',
    api: 'graph',
    method: 'POST',
    template: '/$batch',
    requestBody: obj(['requests'], {
      requests: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        items: obj(['id', 'method', 'url'], { id: str, method: str, url: str }),
      },
    }),
    responses: {
      200: obj(['responses'], {
        responses: {
          type: 'array',
          items: obj(['id', 'status'], { id: str, status: { type: 'integer' } }),
        },
      }),
    },
    source: 'graph-json-batching',
  },
];

/** Every contract. */
export const CONTRACTS: readonly Contract[] = [...ARM_CONTRACTS, ...GRAPH_CONTRACTS];
