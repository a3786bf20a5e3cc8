// tenantlink on Azure: two or more App Service instances running the container, an Azure Bot with
// the Teams channel and the four OAuth connections, a storage account for the shared state, a Key
// Vault for the OAuth connections' client secret, and one user-assigned managed identity that is
// the bot's identity (MicrosoftAppType=UserAssignedMSI), reads the state (no storage key) and
// pulls the image. No secret has a default value; the only one is a @secure() parameter.
//
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json \
//           -p oauthClientSecret=<secret of the OAuth app registration>

targetScope = 'resourceGroup'

@description('Prefix of every resource name (3–12 lowercase letters or digits).')
@minLength(3)
@maxLength(12)
param name string = 'tenantlink'

@description('Region of the App Service, storage and Key Vault (the bot itself is global).')
param location string = resourceGroup().location

@description('Container image to run, e.g. myregistry.azurecr.io/tenantlink:1.0.0 (built from the Dockerfile).')
param containerImage string

@description('Azure Container Registry in this resource group that holds the image (empty: a public image).')
param acrName string = ''

@description('Number of App Service instances; two or more so that one can stop or fail.')
@minValue(2)
@maxValue(10)
param instanceCount int = 2

@description('App Service plan SKU (Linux).')
param planSku string = 'P1v3'

@description('Azure Bot pricing tier.')
@allowed(['F0', 'S1'])
param botSku string = 'S1'

@description('Client id of the Entra app registration used by the OAuth connections (and Teams SSO: its Application ID URI is api://botid-<this id>).')
param oauthAppClientId string

@description('Client secret of that app registration. Stored in Key Vault and given to the Azure Bot connections; never in a file.')
@secure()
param oauthClientSecret string

@description('Client id of the app registration of the subscription admin\'s own sign-in (accounts in any organizational directory and personal Microsoft accounts; Web redirect URI https://<site>/auth/azure/callback).')
param adminSignInClientId string

@description('Client secret of that app registration. Stored in Key Vault; the site reads it through a Key Vault reference.')
@secure()
param adminSignInClientSecret string

@description('Key that seals the admin sign-in tokens at rest: 32 random bytes, base64 (openssl rand -base64 32). Stored in Key Vault, shared by every instance.')
@secure()
param tokenCacheKey string

@description('Tenant id of the Office 365 tenant (the graph and azureTarget connections sign in there).')
param office365TenantId string = tenant().tenantId

@description('OAuth connection names (the CONNECTION_* settings of the bot).')
param connectionNames object = {
  graph: 'graph'
  azureTarget: 'azureTarget'
  azureSource: 'azureSource'
  azureSourceGraph: 'azureSourceGraph'
}

var suffix = uniqueString(resourceGroup().id, name)
var storageName = take('${name}${suffix}', 24)
var vaultName = take('kv-${name}-${suffix}', 24)
var container = 'tenantlink'
// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
// Bot Service's service provider id of "Azure Active Directory v2".
var aadV2Provider = '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
var armScopes = 'https://management.azure.com/user_impersonation offline_access'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the bot reaches its state with the managed identity, there is no key to leak.
    allowSharedKeyAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: container
  properties: { publicAccess: 'None' }
}

resource storageRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageBlobDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource oauthSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'oauth-client-secret'
  properties: { value: oauthClientSecret }
}

resource adminSignInSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'admin-signin-client-secret'
  properties: { value: adminSignInClientSecret }
}

resource tokenCacheKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'token-cache-key'
  properties: { value: tokenCacheKey }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(acrName)) {
  name: acrName
}

resource registryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(acrName)) {
  name: guid(resourceGroup().id, acrName, identity.id, acrPull)
  scope: registry
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan-${name}'
  location: location
  kind: 'linux'
  sku: { name: planSku, capacity: instanceCount }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app-${name}-${suffix}'
  location: location
  kind: 'app,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'DOCKER|${containerImage}'
      acrUseManagedIdentityCreds: !empty(acrName)
      acrUserManagedIdentityID: empty(acrName) ? null : identity.properties.clientId
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        { name: 'WEBSITES_PORT', value: '3978' }
        { name: 'TENANTLINK_MODE', value: 'cloud' }
        { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
        { name: 'MicrosoftAppId', value: identity.properties.clientId }
        { name: 'MicrosoftAppTenantId', value: tenant().tenantId }
        { name: 'STORAGE', value: 'blob' }
        { name: 'BLOB_ACCOUNT_URL', value: storage.properties.primaryEndpoints.blob }
        { name: 'BLOB_CONTAINER', value: container }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'CONNECTION_GRAPH', value: connectionNames.graph }
        { name: 'CONNECTION_AZURE_TARGET', value: connectionNames.azureTarget }
        { name: 'CONNECTION_AZURE_SOURCE', value: connectionNames.azureSource }
        { name: 'CONNECTION_AZURE_SOURCE_GRAPH', value: connectionNames.azureSourceGraph }
        { name: 'ADMIN_SIGNIN_CLIENT_ID', value: adminSignInClientId }
        { name: 'ADMIN_SIGNIN_REDIRECT_URI', value: 'https://app-${name}-${suffix}.azurewebsites.net/auth/azure/callback' }
        { name: 'ADMIN_SIGNIN_CLIENT_SECRET', value: '@Microsoft.KeyVault(SecretUri=${adminSignInSecret.properties.secretUri})' }
        { name: 'TOKEN_CACHE_KEY', value: '@Microsoft.KeyVault(SecretUri=${tokenCacheKeySecret.properties.secretUri})' }
        { name: 'JOB_LEASE_MS', value: '60000' }
        { name: 'JOB_SWEEP_MS', value: '15000' }
        { name: 'SHUTDOWN_GRACE_MS', value: '20000' }
        { name: 'LOG_LEVEL', value: 'info' }
      ]
    }
  }
  dependsOn: [storageRole, registryRole, vaultRole]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${name}-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: name
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenant().tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

// The four OAuth connections of README "Configuration for a real tenant" (same scopes, from
// src/auth/permissions.ts; test/unit/permissions.test.ts checks them).
var connections = [
  {
    name: connectionNames.graph
    tenant: office365TenantId
    scopes: 'openid profile offline_access User.Read User.Read.All RoleManagement.Read.Directory User.Invite.All'
    tokenExchangeUrl: 'api://botid-${oauthAppClientId}'
  }
  {
    name: connectionNames.azureTarget
    tenant: office365TenantId
    scopes: armScopes
    tokenExchangeUrl: ''
  }
  {
    name: connectionNames.azureSource
    tenant: 'common'
    scopes: armScopes
    tokenExchangeUrl: ''
  }
  {
    name: connectionNames.azureSourceGraph
    tenant: 'common'
    scopes: 'openid profile offline_access User.Read User.ReadBasic.All LicenseAssignment.Read.All'
    tokenExchangeUrl: ''
  }
]

resource oauthConnections 'Microsoft.BotService/botServices/connections@2022-09-15' = [
  for c in connections: {
    parent: bot
    name: c.name
    location: 'global'
    properties: {
      serviceProviderDisplayName: 'Azure Active Directory v2'
      serviceProviderId: aadV2Provider
      clientId: oauthAppClientId
      clientSecret: oauthClientSecret
      scopes: c.scopes
      parameters: concat(
        [{ key: 'tenantID', value: c.tenant }],
        empty(c.tokenExchangeUrl) ? [] : [{ key: 'tokenExchangeUrl', value: c.tokenExchangeUrl }]
      )
    }
  }
]

@description('The bot\'s messaging endpoint.')
output messagingEndpoint string = bot.properties.endpoint

@description('MicrosoftAppId for the Teams app package (npm run package): the managed identity\'s client id.')
output botAppId string = identity.properties.clientId

@description('Key Vault secret that holds the OAuth client secret (rotate it there, then redeploy).')
output oauthSecretUri string = oauthSecret.properties.secretUri
