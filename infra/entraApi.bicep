// Second declaration of the Office 365 admin's app (entra.bicep): its Application ID URI
// api://botid-<its own client id>, which Teams SSO requires (README "Configuration for a real
// tenant" step 2; https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-register-aad),
// and the Teams clients pre-authorized for access_as_user, which must already exist. The Graph
// extension upserts an application by uniqueName with PATCH, so the properties not set here keep
// the values entra.bicep gave them (https://learn.microsoft.com/graph/templates/concept-uniquely-named-resources).

extension microsoftGraphV1

@description('uniqueName of the application entra.bicep created.')
param uniqueName string

@description('Its display name (required by the type).')
param displayName string

@description('Its client id (appId).')
param appId string

@description('Id of its access_as_user scope.')
param accessAsUserId string

@description('Client ids of the Teams clients to pre-authorize.')
param preAuthorizedClientIds array

var identifierUri = 'api://botid-${appId}'

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  identifierUris: [identifierUri]
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
    preAuthorizedApplications: [
      for clientId in preAuthorizedClientIds: { appId: clientId, delegatedPermissionIds: [accessAsUserId] }
    ]
  }
}

output identifierUri string = app.identifierUris[0]
