// tenantlink on Azure and in Entra ID, everything `azd up` creates (azure.yaml), with no secret
// anyone types or sees: no parameter takes a secret and the deployment stores none.
//
// - core.bicep: the user-assigned managed identity that is the bot, storage for the shared state
//   (Entra ID only), a Key Vault with the RSA key that wraps the token cache's data key,
//   Application Insights on a Log Analytics workspace;
// - entra.bicep (Microsoft Graph Bicep extension): the Office 365 admin's app (Teams SSO API and
//   the OAuth connections' app, trusting Bot Service's token store) and the subscription admin's
//   sign-in app (trusting the managed identity), with exactly the delegated permissions of
//   src/auth/permissions.ts (infra/permissions.json) and the Office 365 tenant's admin consent;
// - app.bicep: App Service (Linux), two or more instances, health check;
// - bot.bicep: the Azure Bot (UserAssignedMSI), the Teams channel and the OAuth connections.
//
// Not created: the `azureSource` and `azureSourceGraph` OAuth connections (tenant `common`). Bot
// Service's federated-credential provider supports single-tenant apps only
// (https://learn.microsoft.com/microsoft-365/agents-sdk/azure-bot-user-authorization-federated-credentials),
// so they would need a client secret; the subscription admin signs in through
// ADMIN_SIGNIN_CLIENT_ID instead, and with it set the bot never uses them (src/bot/signIns.ts).
//
// The outputs are UPPER_SNAKE: azd writes them to .azure/<env>/.env, which `npm run package` and
// `npm run doctor` read.
//
// Deploy: azd auth login && azd up (or: az deployment group create -g <rg> -f infra/main.bicep
//         -p environmentName=<name>). The deploying account must be able to create applications
//         and grant tenant-wide consent in the tenant (Global Administrator, or Cloud Application
//         Administrator with Privileged Role Administrator).

targetScope = 'resourceGroup'

@description('Name of the azd environment (AZURE_ENV_NAME); part of the unique names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Prefix of every resource name (3–12 lowercase letters or digits).')
@minLength(3)
@maxLength(12)
param name string = 'tenantlink'

@description('Region of the App Service, storage, Key Vault and monitoring (the bot itself is global).')
param location string = resourceGroup().location

@description('Object id of the deploying user (azd\'s AZURE_PRINCIPAL_ID): owner of the Entra apps. Empty: none.')
param principalId string = ''

@description('Number of App Service instances; two or more so that one can stop or fail.')
@minValue(2)
@maxValue(10)
param instanceCount int = 2

@description('App Service plan SKU (Linux).')
param planSku string = 'P1v3'

@description('Azure Bot pricing tier.')
@allowed(['F0', 'S1'])
param botSku string = 'S1'

@description('OAuth connection names (the CONNECTION_* settings of the bot).')
param connectionNames object = {
  graph: 'graph'
  azureTarget: 'azureTarget'
}

var permissions = loadJsonContent('permissions.json')
var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName, name)
var siteName = take('app-${name}-${suffix}', 60)
// A site's default host name (https://learn.microsoft.com/azure/app-service/overview-name-resolution):
// known before the site exists, so the sign-in app's redirect URI can name it.
var siteHost = '${siteName}.azurewebsites.net'
var container = 'tenantlink'
// The Office 365 admin's OAuth connections, in permissions.json order; the unique identifier is
// the last segment of the federated credential's subject (entra.bicep, bot.bicep).
var connections = [
  for key in permissions.apps.office365.connections: {
    key: key
    name: connectionNames[key]
    scopes: permissions.connections[key].scopes
    uniqueId: '${name}-${toLower(key)}-${suffix}'
    // Teams SSO token exchange: the Graph connection (README step 3, "Token Exchange URL").
    sso: permissions.connections[key].resource == 'graph'
  }
]

module core 'core.bicep' = {
  name: 'core'
  params: {
    name: name
    location: location
    suffix: suffix
    container: container
  }
}

module entra 'entra.bicep' = {
  name: 'entra'
  params: {
    name: name
    suffix: suffix
    identityPrincipalId: core.outputs.identityPrincipalId
    siteHost: siteHost
    connections: connections
    ownerId: principalId
  }
}

module app 'app.bicep' = {
  name: 'app'
  params: {
    name: name
    location: location
    siteName: siteName
    instanceCount: instanceCount
    planSku: planSku
    identityId: core.outputs.identityId
    appSettings: [
      { name: 'TENANTLINK_MODE', value: 'cloud' }
      { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
      { name: 'MicrosoftAppId', value: core.outputs.identityClientId }
      { name: 'MicrosoftAppTenantId', value: tenant().tenantId }
      { name: 'AZURE_CLIENT_ID', value: core.outputs.identityClientId }
      { name: 'STORAGE', value: 'blob' }
      { name: 'BLOB_ACCOUNT_URL', value: core.outputs.blobAccountUrl }
      { name: 'BLOB_CONTAINER', value: container }
      { name: 'CONNECTION_GRAPH', value: connectionNames.graph }
      { name: 'CONNECTION_AZURE_TARGET', value: connectionNames.azureTarget }
      { name: 'ADMIN_SIGNIN_CLIENT_ID', value: entra.outputs.adminAppId }
      { name: 'ADMIN_SIGNIN_REDIRECT_URI', value: entra.outputs.adminRedirectUri }
      { name: 'ADMIN_SIGNIN_CREDENTIAL', value: 'managedIdentity' }
      { name: 'TOKEN_CACHE_KEY_ID', value: core.outputs.tokenCacheKeyId }
      { name: 'TELEMETRY', value: 'azuremonitor' }
      { name: 'OTEL_SERVICE_NAME', value: 'tenantlink' }
      { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: core.outputs.insightsConnectionString }
      { name: 'JOB_LEASE_MS', value: '60000' }
      { name: 'JOB_SWEEP_MS', value: '15000' }
      { name: 'SHUTDOWN_GRACE_MS', value: '20000' }
      { name: 'LOG_LEVEL', value: 'info' }
      // App Service's build of the deployed package (Oryx: npm install, npm run build).
      { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
    ]
  }
}

module bot 'bot.bicep' = {
  name: 'bot'
  params: {
    botName: 'bot-${name}-${suffix}'
    displayName: name
    botSku: botSku
    endpoint: 'https://${app.outputs.siteHost}/api/messages'
    identityId: core.outputs.identityId
    identityClientId: core.outputs.identityClientId
    clientId: entra.outputs.office365AppId
    ssoResource: entra.outputs.ssoResource
    connections: connections
  }
}

output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
@description('MicrosoftAppId: the managed identity\'s client id.')
output BOT_ID string = core.outputs.identityClientId
output BOT_NAME string = bot.outputs.botName
output BOT_DOMAIN string = app.outputs.siteHost
output MESSAGING_ENDPOINT string = bot.outputs.messagingEndpoint
@description('Client id of the app that exposes api://botid-<id> (Teams SSO) and serves the OAuth connections.')
output SSO_APP_ID string = entra.outputs.office365AppId
output ADMIN_SIGNIN_CLIENT_ID string = entra.outputs.adminAppId
output ADMIN_SIGNIN_REDIRECT_URI string = entra.outputs.adminRedirectUri
@description('The Teams app\'s id: the same for every deployment of this environment.')
output TEAMS_APP_ID string = guid(subscription().id, resourceGroup().id, environmentName, 'teams-app')
output KEY_VAULT_URL string = core.outputs.keyVaultUrl
output TOKEN_CACHE_KEY_ID string = core.outputs.tokenCacheKeyId
output BLOB_ACCOUNT_URL string = core.outputs.blobAccountUrl
output BLOB_CONTAINER string = container
output APPLICATIONINSIGHTS_CONNECTION_STRING string = core.outputs.insightsConnectionString
output SITE_NAME string = app.outputs.siteName
output CONNECTION_GRAPH string = connectionNames.graph
output CONNECTION_AZURE_TARGET string = connectionNames.azureTarget
@description('Empty: not created (no secretless way for a multitenant connection); ADMIN_SIGNIN_CLIENT_ID serves it.')
output CONNECTION_AZURE_SOURCE string = ''
@description('Empty: not created (no secretless way for a multitenant connection); ADMIN_SIGNIN_CLIENT_ID serves it.')
output CONNECTION_AZURE_SOURCE_GRAPH string = ''
