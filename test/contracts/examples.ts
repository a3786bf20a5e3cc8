/**
 * Microsoft's official example responses (azure-rest-api-specs `examples/*.json`, files and
 * commits in provenance.json), transcribed as the services answer them, for replay through
 * tenantlink's real clients (examples.test.ts). A `"nextLink": "..."` placeholder of an example is
 * left out: it stands for "there may be more", not for a URL.
 */

/** Subscriptions_List, GetSubscriptions.json (200). */
export const GET_SUBSCRIPTIONS = {
  value: [
    {
      id: '/subscriptions/291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
      subscriptionId: '291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
      tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
      displayName: 'Example Subscription',
      state: 'Enabled',
      subscriptionPolicies: {
        locationPlacementId: 'Internal_2014-09-01',
        quotaId: 'Internal_2014-09-01',
        spendingLimit: 'Off',
      },
      authorizationSource: 'RoleBased',
      managedByTenants: [{ tenantId: '8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7' }],
      tags: { tagKey1: 'tagValue1', tagKey2: 'tagValue2' },
    },
    {
      id: '/subscriptions/72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
      subscriptionId: '72ac930a-f34e-42d8-b06d-dc2a9e12ed71',
      tenantId: '2a0ff0de-96b2-4859-bb7c-a430d07a3e0c',
      displayName: 'Example Subscription2',
      state: 'Enabled',
      subscriptionPolicies: {
        locationPlacementId: 'Internal_2014-09-01',
        quotaId: 'Internal_2014-09-01',
        spendingLimit: 'Off',
      },
      authorizationSource: 'RoleBased',
      managedByTenants: [
        { tenantId: '8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7' },
        { tenantId: 'f7fb6af2-321d-47c8-9c0f-b0239eaad39a' },
      ],
      tags: { tagKey1: 'tagValue1', tagKey2: 'tagValue2' },
    },
  ],
};

/** Subscriptions_Get, GetSubscription.json (200). */
export const GET_SUBSCRIPTION = {
  id: '/subscriptions/291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
  subscriptionId: '291bba3f-e0a5-47bc-a099-3bdcb2a50a05',
  tenantId: '31c75423-32d6-4322-88b7-c478bdde4858',
  displayName: 'Example Subscription',
  state: 'Enabled',
  subscriptionPolicies: {
    locationPlacementId: 'Internal_2014-09-01',
    quotaId: 'Internal_2014-09-01',
    spendingLimit: 'Off',
  },
  authorizationSource: 'Bypassed',
  managedByTenants: [{ tenantId: '8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7' }],
  tags: { tagKey1: 'tagValue1', tagKey2: 'tagValue2' },
};

/** Tenants_List, GetTenants.json (200). */
export const GET_TENANTS = {
  value: [
    {
      id: '/tenants/a70a1586-9c4a-4373-b907-1d310660dbd1',
      tenantId: 'a70a1586-9c4a-4373-b907-1d310660dbd1',
      countryCode: 'US',
      displayName: 'Test_Test_aad50',
      domains: ['aad50.ccsctp.net'],
      tenantCategory: 'ManagedBy',
      defaultDomain: 'aad50.ccsctp.net',
      tenantType: 'AAD',
    },
    {
      id: '/tenants/83abe5cd-bcc3-441a-bd86-e6a75360cecc',
      tenantId: '83abe5cd-bcc3-441a-bd86-e6a75360cecc',
      countryCode: 'US',
      displayName: 'Contoso Corp.',
      domains: ['auxteststagemanual.ccsctp.net'],
      tenantCategory: 'Home',
      defaultDomain: 'auxteststagemanual.ccsctp.net',
      tenantType: 'AAD',
    },
    {
      id: '/tenants/daea2e9b-847b-4c93-850d-2aa6f2d7af33',
      tenantId: 'daea2e9b-847b-4c93-850d-2aa6f2d7af33',
      countryCode: 'US',
      displayName: 'TEST_TEST_RDV',
      domains: ['rdvmohoro.ccsctp.net', 'rdvmohoro.mail.ccsctp.net', 'rdvmohoro.com'],
      tenantCategory: 'ProjectedBy',
      defaultDomain: 'rdvmohoro.ccsctp.net',
      tenantType: 'AAD',
      tenantBrandingLogoUrl: 'logo1.logo.rdvmohoro.com',
    },
  ],
};

const TARGET_DIRECTORY_ID =
  'subscriptions/ebe4f8fd-d8b3-4867-bcf4-b2407edd196d/providers/Microsoft.Subscription/changeTenantRequest/default';

/** Subscriptions_PutTargetDirectory, putTargetDirectory.json (200). */
export const PUT_TARGET_DIRECTORY = {
  id: 'subscriptions/ecce7b25-862b-44a2-9e21-a1baa50618eb/providers/Microsoft.Subscription/changeTenantRequest/default',
  name: 'default',
  type: 'Microsoft.Subscription/changeTenantRequest',
  properties: {
    destinationTenantId: '111a82eb-4c7b-48bb-962b-49363c510130',
    destinationOwnerId: 'abhaypratap@live.com',
    status: 'Initiated',
    expiresOn: '2024-07-19T17:57:40.0278346Z',
  },
};

/** Subscriptions_GetTargetDirectory, getTargetDirectory.json (200), current version. */
export const GET_TARGET_DIRECTORY = {
  id: TARGET_DIRECTORY_ID,
  name: 'default',
  type: 'Microsoft.Subscription/changeTenantRequest',
  properties: {
    destinationTenantId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cb',
    destinationOwnerId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cc',
    status: 'Initiated',
    expiresOn: '2024-07-19T17:57:40.0278346Z',
  },
};

/** The same example in an earlier version (destinationObjectId/destinationEmailId). */
export const GET_TARGET_DIRECTORY_EARLIER = {
  id: TARGET_DIRECTORY_ID,
  name: 'default',
  type: 'Microsoft.Subscription/changeTenantRequest',
  properties: {
    destinationTenantId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cb',
    destinationObjectId: '45ffe2da-b7a4-460f-9e4c-51afd47b94cc',
    destinationEmailId: 'abhaypratap@live.com',
    status: 'Initiated',
    expiresOn: '2024-07-19T17:57:40.0278346Z',
  },
};

/** Subscriptions_TargetDirectoryStatus, targetDirectoryStatus.json (200). */
export const TARGET_DIRECTORY_STATUS = { status: 'Completed' };

/** RoleAssignments_ListForScope, RoleAssignments_ListForScope.json (200; no nextLink). */
export const ROLE_ASSIGNMENTS_LIST_FOR_SCOPE = {
  value: [
    {
      properties: {
        roleDefinitionId:
          '/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d',
        principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
        principalType: 'User',
        scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
      },
      id: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf747',
      type: 'Microsoft.Authorization/roleAssignments',
      name: 'b0f43c54-e787-4862-89b1-a653fa9cf747',
    },
  ],
};

/**
 * RoleAssignments_Create, RoleAssignments_CreateForSubscription.json (201 and 200 alike): the
 * answer names the role definition at tenant level although the request named it at the
 * subscription.
 */
export const ROLE_ASSIGNMENT_CREATED = {
  properties: {
    roleDefinitionId:
      '/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d',
    principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
    principalType: 'User',
    scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
  },
  id: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff',
  type: 'Microsoft.Authorization/roleAssignments',
  name: '05c5a614-a7d6-4502-b150-c2fb455033ff',
};

/**
 * Resources (Azure Resource Graph), ResourcesFirstPageQuery.json (200): a first page with a
 * `$skipToken` ("id field is required in the response to return the pages in stable sorted
 * fashion").
 */
export const RESOURCES_FIRST_PAGE = {
  totalRecords: 386,
  count: 3,
  resultTruncated: 'false',
  facets: [],
  $skipToken: 'eyAibm8iOiAibHVjayIsICJidXQiOiAibmljZSIsICJ0cnkiOiAiISIgfQ==',
  data: [
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG1/providers/Microsoft.Compute/disks/yetanothertest_OsDisk_1_f396cbcb625a457bb69fe2abf5975820',
      name: 'yetanothertest_OsDisk_1_f396cbcb625a457bb69fe2abf5975820',
      type: 'microsoft.compute/disks',
      location: 'eastus',
    },
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG2/providers/Microsoft.Automation/automationAccounts/TestAA',
      name: 'TestAA',
      type: 'microsoft.automation/automationaccounts',
      location: 'westcentralus',
    },
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG2/providers/Microsoft.Automation/automationAccounts/TestAA/runbooks/TestRB',
      name: 'TestRB',
      type: 'microsoft.automation/automationaccounts/runbooks',
      location: 'westcentralus',
    },
  ],
};

/** Resources, ResourcesNextPageQuery.json (200): the page after it, with the next token. */
export const RESOURCES_NEXT_PAGE = {
  totalRecords: 386,
  count: 3,
  resultTruncated: 'false',
  facets: [],
  $skipToken: 'eyAibm8yIjogImx1Y2syIiwgImJ1dDIiOiAibmljZTIiLCAidHJ5MiI6ICIhIiB9',
  data: [
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG1/providers/Microsoft.Compute/disks/second_OsDisk_dddddbcb625a457bb69fe2abf5975820',
      name: 'second_OsDisk_dddddbcb625a457bb69fe2abf5975820',
      type: 'microsoft.compute/disks',
      location: 'eastus',
    },
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG2/providers/Microsoft.Automation/automationAccounts/AATest',
      name: 'AATest',
      type: 'microsoft.automation/automationaccounts',
      location: 'westcentralus',
    },
    {
      id: '/subscriptions/cfbbd179-59d2-4052-aa06-9270a38aa9d6/resourceGroups/RG2/providers/Microsoft.Automation/automationAccounts/TestAA/runbooks/RBTest',
      name: 'RBTest',
      type: 'microsoft.automation/automationaccounts/runbooks',
      location: 'westcentralus',
    },
  ],
};
