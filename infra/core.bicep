// tenantlink's Azure resources besides hosting and the bot: the user-assigned managed identity that
// is the bot (MicrosoftAppType=UserAssignedMSI) and every credential it needs, storage for the
// shared state without a shared key, a Key Vault with the RSA key that wraps the token cache's data
// key, and Application Insights on a Log Analytics workspace. No secret is created or passed.

@description('Prefix of every resource name.')
param name string

@description('Region of every resource of this module.')
param location string

@description('Suffix that makes the global names unique (uniqueString of the resource group).')
param suffix string

@description('Name of the blob container of the bot state.')
param container string

var storageName = take('${name}${suffix}', 24)
var vaultName = take('kv-${name}-${suffix}', 24)
// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultCryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'

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

// The key-encryption key of the token cache (TOKEN_CACHE_KEY_ID): the bot generates the data key
// itself, keeps it wrapped with this key in the state store and unwraps it at start; the private
// key never leaves Key Vault, so there is no TOKEN_CACHE_KEY secret in the cloud
// (https://learn.microsoft.com/azure/key-vault/keys/about-keys-details#key-operations: wrapKey,
// unwrapKey). RSA 3072 with only the two operations the bot performs.
resource tokenCacheKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: 'token-cache-key'
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: ['wrapKey', 'unwrapKey']
  }
}

// "Key Vault Crypto User: perform cryptographic operations using keys" on the vault (RBAC data
// plane, https://learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-built-in-roles-for-key-vault-data-plane-operations).
// No "Key Vault Secrets User": the deployment stores no secret.
resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultCryptoUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoUser)
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

// Workspace-based Application Insights (classic resources are retired:
// https://learn.microsoft.com/azure/azure-monitor/app/create-workspace-resource).
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

output identityId string = identity.id
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output blobAccountUrl string = storage.properties.primaryEndpoints.blob
output keyVaultUrl string = vault.properties.vaultUri
@description('Versionless key identifier, https://<vault>.vault.azure.net/keys/token-cache-key.')
output tokenCacheKeyId string = tokenCacheKey.properties.keyUri
output insightsConnectionString string = insights.properties.ConnectionString
// Role assignments the site waits for (an instance that starts before them cannot read its state).
output roleAssignmentIds array = [storageRole.id, vaultRole.id, stateContainer.id]
