// Hosting: two or more instances of App Service (Linux) running the Node.js build that azd
// deploys (azure.yaml: language ts, `npm run build`, then `node dist/src/index.js`), as the bot's
// user-assigned managed identity. Every setting is a key src/config.ts reads, or App Service's own.

@description('Prefix of every resource name.')
param name string

@description('Region of the plan and the site.')
param location string

@description('Name of the site (its host is <name>.azurewebsites.net).')
param siteName string

@description('Number of App Service instances; two or more so that one can stop or fail.')
@minValue(2)
@maxValue(10)
param instanceCount int = 2

@description('App Service plan SKU (Linux).')
param planSku string = 'P1v3'

@description('Runtime stack of the site (az webapp list-runtimes --os linux).')
param linuxFxVersion string = 'NODE|22-lts'

@description('Resource id of the bot\'s user-assigned managed identity.')
param identityId string

@description('App settings: [{ name, value }].')
param appSettings array

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan-${name}'
  location: location
  kind: 'linux'
  sku: { name: planSku, capacity: instanceCount }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: siteName
  location: location
  kind: 'app,linux'
  // azd finds the service's host by this tag (azure.yaml services.bot).
  tags: { 'azd-service-name': 'bot' }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: appSettings
    }
  }
}

output siteHost string = site.properties.defaultHostName
output siteName string = site.name
