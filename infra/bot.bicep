// The Azure Bot: the user-assigned managed identity is its identity (no app secret), the Teams
// channel, and the Office 365 admin's OAuth connections with Bot Service's federated-credential
// service provider instead of a client secret.

@description('Name of the Azure Bot resource.')
param botName string

@description('Display name of the bot.')
param displayName string

@description('Azure Bot pricing tier.')
@allowed(['F0', 'S1'])
param botSku string = 'S1'

@description('The bot\'s messaging endpoint, https://<site>/api/messages.')
param endpoint string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Its client id (MicrosoftAppId).')
param identityClientId string

@description('Client id of the Office 365 admin\'s app (entra.bicep).')
param clientId string

@description('Its Application ID URI, api://botid-<client id> (the Teams SSO token exchange).')
param ssoResource string

@description('The OAuth connections: [{ name, scopes, uniqueId, sso }].')
param connections array

// "AAD v2 with Federated Credentials", the service provider the doc names
// (https://learn.microsoft.com/microsoft-365/agents-sdk/azure-bot-user-authorization-federated-credentials,
// "Register the Microsoft Entra ID identity provider with the bot": Client id, Unique Identifier,
// Token Exchange URL, Tenant ID, Scopes; single-tenant apps only). The doc gives the display name,
// not the id: this id and the parameter keys are those Bot Service's provider list gives for it
// (POST /subscriptions/{id}/providers/Microsoft.BotService/listAuthServiceProviders?api-version=2022-09-15;
// `npm run doctor` reads the deployed connection back from the token service).
var ficProviderId = 'c00b44ab-5e16-c44c-af26-2fd5bc55eb18'
var ficProviderName = 'AAD v2 with Federated Credentials'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppType: 'UserAssignedMSI'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityId
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

// No clientSecret: the token store authenticates as the app with the federated identity
// credential whose subject ends with the connection's Unique Identifier (entra.bicep).
resource oauthConnections 'Microsoft.BotService/botServices/connections@2022-09-15' = [
  for c in connections: {
    parent: bot
    name: c.name
    location: 'global'
    properties: {
      serviceProviderDisplayName: ficProviderName
      serviceProviderId: ficProviderId
      clientId: clientId
      scopes: c.scopes
      parameters: [
        { key: 'ClientId', value: clientId }
        { key: 'UniqueIdentifier', value: c.uniqueId }
        { key: 'TenantId', value: tenant().tenantId }
        { key: 'TokenExchangeUrl', value: c.sso ? ssoResource : '' }
      ]
    }
  }
]

output botName string = bot.name
output messagingEndpoint string = bot.properties.endpoint
output connectionNames array = [for (c, i) in connections: oauthConnections[i].name]
output teamsChannel string = teams.name
