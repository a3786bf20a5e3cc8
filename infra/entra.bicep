// The two Entra applications of tenantlink, created in the tenant azd deploys to (it must be the
// Office 365 tenant), through the Microsoft Graph Bicep extension
// (https://learn.microsoft.com/graph/templates/bicep/overview-bicep-templates-for-graph;
// syntax as microsoftgraph/msgraph-bicep-types quickstart-templates/apps-permissions-and-grants
// and msi-as-a-fic-secretless). Neither has a client secret or a certificate: each trusts a
// federated identity credential.
//
// 1. The Office 365 admin's app (SSO_APP_ID): single-tenant; the Teams SSO API
//    api://botid-<its id> with access_as_user and the Teams clients pre-authorized, and the app of
//    the OAuth connections `graph` and `azureTarget` (README "Configuration for a real tenant"
//    steps 2-4). Its credential: one federated identity credential per connection, the subject
//    Bot Service's token store presents for it ("AAD v2 with Federated Credentials").
// 2. The subscription admin's sign-in app (ADMIN_SIGNIN_CLIENT_ID): any organization and personal
//    Microsoft accounts, Web redirect https://<site>/auth/azure/callback; its credential is the
//    bot's user-assigned managed identity (a client assertion, ADMIN_SIGNIN_CREDENTIAL=managedIdentity).
//
// Delegated permissions come from infra/permissions.json (generated from src/auth/permissions.ts);
// their ids are looked up by value in the service principals of Microsoft Graph and Azure Service
// Management, so no permission id is typed here.

extension microsoftGraphV1

@description('Prefix of the applications\' display names.')
param name string

@description('Suffix that makes the unique names unique in the tenant.')
param suffix string

@description('Principal (object) id of the bot\'s user-assigned managed identity.')
param identityPrincipalId string

@description('Host name of the site, e.g. app-tenantlink-xyz.azurewebsites.net.')
param siteHost string

@description('The OAuth connections of the Office 365 admin: [{ name, key, uniqueId }] (key: the permission map\'s name).')
param connections array

@description('Object id of whoever deploys (azd\'s AZURE_PRINCIPAL_ID), made owner of both apps; empty: none.')
param ownerId string = ''

var permissions = loadJsonContent('permissions.json')
// Well-known application ids of the APIs (https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in).
var graphAppId = '00000003-0000-0000-c000-000000000000'
var armAppId = '797f4846-ba00-4fd7-ba43-dac1f8f63013'
// Teams desktop/mobile and Teams web, pre-authorized for the SSO scope
// (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-register-aad#to-configure-api-scope).
var teamsClientIds = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346']
// Bot token service's redirect URI (https://learn.microsoft.com/azure/bot-service/ref-oauth-redirect-urls).
var tokenServiceRedirect = 'https://token.botframework.com/.auth/web/redirect'
var adminRedirect = 'https://${siteHost}/auth/azure/callback'
var owners = empty(ownerId) ? [] : [ownerId]
// Stable across deployments, so that re-running `azd up` updates the scope instead of replacing it.
var accessAsUserId = guid(subscription().id, resourceGroup().id, name, 'access_as_user')
// Issuer of Entra tokens of this tenant; audience of a token exchanged for an app credential
// (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
var issuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
var exchangeAudience = 'api://AzureADTokenExchange'

// Subject of the token Bot Service's token store presents for an "AAD v2 with Federated
// Credentials" OAuth connection:
//   /eid1/c/pub/t/{base64url customer tenant id}/a/{base64url first-party app id}/{unique identifier}
// where the first-party app is "Bot Service Token Store", 9ExAW52n_ky4ZiS_jhpJIQ, and the unique
// identifier is the connection's "Unique Identifier" (Microsoft 365 Agents SDK, "Add user
// authorization by using federated identity credential",
// https://learn.microsoft.com/microsoft-365/agents-sdk/azure-bot-user-authorization-federated-credentials).
// The ids are "Base64url encoded byte-array representation"s: the 16 bytes in .NET
// Guid.ToByteArray() order (the doc's table values decode so), 22 characters without padding.
// Bicep has no byte functions: 3 hex digits are 2 base64 digits. test/unit/infraPermissions.test.ts
// evaluates these four lines and checks them against the doc's values.
var hexDigits = '0123456789abcdef'
var base64UrlDigits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
var tenantBytesHex = toLower('${substring(tenant().tenantId, 6, 2)}${substring(tenant().tenantId, 4, 2)}${substring(tenant().tenantId, 2, 2)}${substring(tenant().tenantId, 0, 2)}${substring(tenant().tenantId, 11, 2)}${substring(tenant().tenantId, 9, 2)}${substring(tenant().tenantId, 16, 2)}${substring(tenant().tenantId, 14, 2)}${substring(tenant().tenantId, 19, 4)}${substring(tenant().tenantId, 24, 12)}00')
var tenantBase64Url = join(map(range(0, 22), k => substring(base64UrlDigits, k % 2 == 0 ? indexOf(hexDigits, substring(tenantBytesHex, 3 * (k / 2), 1)) * 4 + (indexOf(hexDigits, substring(tenantBytesHex, 3 * (k / 2) + 1, 1)) / 4) : (indexOf(hexDigits, substring(tenantBytesHex, 3 * (k / 2) + 1, 1)) % 4) * 16 + indexOf(hexDigits, substring(tenantBytesHex, 3 * (k / 2) + 2, 1)), 1)), '')
var botTokenStoreBase64Url = '9ExAW52n_ky4ZiS_jhpJIQ'

resource graphSp 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource armSp 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: armAppId
}

var graphScopes = graphSp.oauth2PermissionScopes
var armScopes = armSp.oauth2PermissionScopes

// ---- 1. The Office 365 admin's app: OAuth connections and Teams SSO ----

resource office365App 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: '${name}-office365-${suffix}'
  displayName: '${name} (Office 365 admin)'
  // The federated-credential service provider supports single-tenant apps only (the doc above).
  signInAudience: 'AzureADMyOrg'
  owners: { relationships: owners }
  web: { redirectUris: [tokenServiceRedirect] }
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: accessAsUserId
        value: 'access_as_user'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use tenantlink as the signed-in user'
        adminConsentDescription: 'Lets Teams sign the user in to tenantlink (single sign-on).'
        userConsentDisplayName: 'Use tenantlink as you'
        userConsentDescription: 'Lets Teams sign you in to tenantlink (single sign-on).'
      }
    ]
  }
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [
        for p in permissions.apps.office365.graph: { id: filter(graphScopes, s => s.value == p)[0].id, type: 'Scope' }
      ]
    }
    {
      resourceAppId: armAppId
      resourceAccess: [
        for p in permissions.apps.office365.arm: { id: filter(armScopes, s => s.value == p)[0].id, type: 'Scope' }
      ]
    }
  ]
}

// The Application ID URI holds the app's own id and pre-authorizing needs the scope to exist:
// both are set by a second declaration of the same app (Graph updates it by uniqueName with
// PATCH, https://learn.microsoft.com/graph/templates/concept-uniquely-named-resources).
module office365Api 'entraApi.bicep' = {
  name: 'entra-office365-api'
  params: {
    uniqueName: office365App.uniqueName
    displayName: office365App.displayName
    appId: office365App.appId
    accessAsUserId: accessAsUserId
    preAuthorizedClientIds: teamsClientIds
  }
}

resource office365Sp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: office365App.appId
  owners: { relationships: owners }
}

// One credential per OAuth connection; created one after the other (concurrent writes to one
// parent may conflict: https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
@batchSize(1)
resource connectionCredentials 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = [
  for c in connections: {
    name: '${office365App.uniqueName}/${c.uniqueId}'
    description: 'Bot Service token store, OAuth connection ${c.name}'
    issuer: issuer
    subject: '/eid1/c/pub/t/${tenantBase64Url}/a/${botTokenStoreBase64Url}/${c.uniqueId}'
    audiences: [exchangeAudience]
  }
]

// Admin consent in the Office 365 tenant for every user (consentType AllPrincipals), as README
// step 4 "Grant admin consent" does: the deploying admin consents by deploying
// (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant).
resource office365GraphGrant 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = {
  clientId: office365Sp.id
  resourceId: graphSp.id
  consentType: 'AllPrincipals'
  scope: join(permissions.apps.office365.graph, ' ')
}

resource office365ArmGrant 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = {
  clientId: office365Sp.id
  resourceId: armSp.id
  consentType: 'AllPrincipals'
  scope: join(permissions.apps.office365.arm, ' ')
}

// ---- 2. The subscription admin's sign-in app ----

resource adminApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: '${name}-subscription-admin-${suffix}'
  displayName: '${name} (subscription admin sign-in)'
  // Accounts in any organizational directory and personal Microsoft accounts: the subscription's
  // directory is found at run time (README "The subscription admin's sign-in").
  signInAudience: 'AzureADandPersonalMicrosoftAccount'
  owners: { relationships: owners }
  // Required with AzureADandPersonalMicrosoftAccount (applications resource type, api property).
  api: { requestedAccessTokenVersion: 2 }
  web: { redirectUris: [adminRedirect] }
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: [
        for p in permissions.apps.subscriptionAdmin.graph: { id: filter(graphScopes, s => s.value == p)[0].id, type: 'Scope' }
      ]
    }
    {
      resourceAppId: armAppId
      resourceAccess: [
        for p in permissions.apps.subscriptionAdmin.arm: { id: filter(armScopes, s => s.value == p)[0].id, type: 'Scope' }
      ]
    }
  ]
}

resource adminSp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: adminApp.appId
  owners: { relationships: owners }
}

// The app trusts the bot's managed identity: issuer this tenant, subject the identity's principal
// (object) id, audience api://AzureADTokenExchange ("Configure an application to trust a managed
// identity", https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity:
// the app and the identity must be in the same tenant; to reach another tenant the app must be
// multitenant and provisioned there, which the admin's consent at the first sign-in does; the
// doc says nothing about personal Microsoft accounts, whose sign-in uses the same confidential
// client at the authority of the directory found at run time).
resource adminCredential 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {
  name: '${adminApp.uniqueName}/bot-managed-identity'
  description: 'The bot\'s user-assigned managed identity (ADMIN_SIGNIN_CREDENTIAL=managedIdentity)'
  issuer: issuer
  subject: identityPrincipalId
  audiences: [exchangeAudience]
}

@description('Client id of the Office 365 admin\'s app (SSO_APP_ID).')
output office365AppId string = office365App.appId
@description('Application ID URI of the Teams SSO API.')
output ssoResource string = office365Api.outputs.identifierUri
@description('Client id of the subscription admin\'s sign-in app.')
output adminAppId string = adminApp.appId
output adminRedirectUri string = adminRedirect
output credentialNames array = [for (c, i) in connections: connectionCredentials[i].name]
output adminCredentialName string = adminCredential.name
output office365Grants array = [office365GraphGrant.scope, office365ArmGrant.scope]
output adminServicePrincipalId string = adminSp.id
