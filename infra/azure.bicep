// Azure resources for Seat Steward, deployed by `teamsapp provision` (arm/deploy in teamsapp.yml):
// a user-assigned managed identity that is the bot's identity, a Linux App Service (Node 20) that
// runs `node dist/main.js`, and the Azure Bot registered to that identity with the Teams channel.
// New multi-tenant Azure Bots cannot be created after July 2025, so the bot is UserAssignedMSI:
// no client secret to create, store or rotate.

@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file')
param resourceBaseName string

@description('App Service plan SKU. B1 is the smallest with Always On, which the scheduler needs.')
param webAppSKU string = 'B1'

@maxLength(42)
param botDisplayName string

param serverfarmsName string = resourceBaseName
param webAppName string = resourceBaseName
param identityName string = resourceBaseName
param location string = resourceGroup().location

@description('TENANT_ID: the Microsoft 365 tenant to mirror. Empty: the built-in demo tenant.')
param tenantId string = ''
@description('CLIENT_ID: the app registration that reads that tenant through Microsoft Graph.')
param clientId string = ''
@secure()
@description('SECRET_CLIENT_SECRET: that app registration\'s client secret.')
param clientSecret string = ''
@secure()
@description('SECRET_STORE_KEY: seals the tenant secrets stored in DATA_DIR (32 bytes, base64).')
param secretStoreKey string = ''
@description('ADMINS: who may use the admin commands (object ids or UPNs, comma-separated).')
param admins string = ''
@secure()
@description('API_KEYS: keys for the REST API (comma-separated); empty turns it off.')
param apiKeys string = ''

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  location: location
  name: identityName
}

resource serverfarm 'Microsoft.Web/serverfarms@2022-09-01' = {
  kind: 'linux'
  location: location
  name: serverfarmsName
  sku: {
    name: webAppSKU
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  kind: 'app,linux'
  location: location
  name: webAppName
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      // The scheduler (syncs, the daily digest, reclaim timers) runs in the process: keep it up.
      alwaysOn: true
      appCommandLine: 'node --max-old-space-size=256 dist/main.js'
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        {
          // teamsapp deploy uploads the sources; App Service installs and runs `npm run build` on Linux,
          // where better-sqlite3's native module must be built.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
        {
          name: 'BOT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'BOT_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          name: 'BOT_TYPE'
          value: 'UserAssignedMsi'
        }
        {
          // /home is the App Service's persistent storage; the rest of the file system is reset on restart.
          name: 'DATA_DIR'
          value: '/home/data'
        }
        {
          name: 'PLAYGROUND'
          value: 'off'
        }
        {
          name: 'TENANT_ID'
          value: tenantId
        }
        {
          name: 'CLIENT_ID'
          value: clientId
        }
        {
          name: 'SECRET_CLIENT_SECRET'
          value: clientSecret
        }
        {
          name: 'SECRET_STORE_KEY'
          value: secretStoreKey
        }
        {
          name: 'ADMINS'
          value: admins
        }
        {
          name: 'API_KEYS'
          value: apiKeys
        }
      ]
    }
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
}

module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
    botDisplayName: botDisplayName
  }
}

// The Toolkit writes these outputs to env/.env.<env>; the manifest and `teamsapp deploy` read them.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
