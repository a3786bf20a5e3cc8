import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Config } from '../config';

/**
 * The Bot Framework adapter for the configured mode. In cloud mode every request to
 * /api/messages must carry a valid Bot Framework JWT for the app registration (SingleTenant,
 * MultiTenant or UserAssignedMSI); a request without one is answered 401 and processed no further
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
 * Local mode has no app credentials, which makes botbuilder skip validation: the Agents Playground
 * signs with a dummy key. Local mode cannot be combined with credentials (see src/config.ts).
 */
export function createAdapter(config: Config): CloudAdapter {
  const auth =
    config.mode === 'local'
      ? new ConfigurationBotFrameworkAuthentication({})
      : new ConfigurationBotFrameworkAuthentication({
          MicrosoftAppId: config.bot.appId,
          MicrosoftAppPassword: config.bot.appPassword,
          MicrosoftAppType: config.bot.appType,
          MicrosoftAppTenantId: config.bot.tenantId,
        });
  return new CloudAdapter(auth);
}
