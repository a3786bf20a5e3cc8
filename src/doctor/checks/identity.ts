import { AppCredentials, AuthenticationConstants } from 'botframework-connector';
import { botCredentialsFactory } from '../../bot/adapter';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check } from '../types';

/**
 * The bot identity gets a token for the Bot Framework (audience `https://api.botframework.com`,
 * authority `https://login.microsoftonline.com/botframework.com`, or the bot's tenant for a
 * single-tenant or managed identity bot), through the bot's own credentials factory
 * (src/bot/adapter.ts `botCredentialsFactory`), as the bot does before its first reply
 * ("Authenticate requests from your bot to the Bot Connector service",
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#bot-to-connector).
 * A user-assigned managed identity signs in only where Azure serves it: App Service sets
 * `IDENTITY_ENDPOINT` ("REST endpoint reference",
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference);
 * elsewhere the check says so instead of failing. The token is never printed or kept.
 */
export const identityCheck: Check = async (ctx) => {
  const { t, config } = ctx;
  if (config.mode === 'local') return [skip('identity', t('doctor.skip.localIdentity'))];
  const appId = config.bot.appId;
  if (config.bot.appType === 'UserAssignedMSI' && !ctx.onAzure)
    return [skip('identity', t('doctor.skip.managedIdentityOffAzure', { appId }))];
  try {
    const credentials = await botCredentialsFactory(config).createCredentials(
      appId,
      AuthenticationConstants.ToChannelFromBotOAuthScope,
      AuthenticationConstants.ToChannelFromBotLoginUrl,
      true,
    );
    const token =
      credentials instanceof AppCredentials ? await credentials.getToken(true) : undefined;
    if (!token) throw new Error('no token');
    return [pass('identity', t('doctor.pass.identity', { appId }))];
  } catch (err) {
    return [
      fail(
        'identity',
        'doctorBotIdentity',
        t('doctor.fail.botIdentity', { appId, reason: reasonOf(err) }),
        t('doctor.fix.botIdentity', { bot: ctx.deployment.botName || '<bot>' }),
      ),
    ];
  }
};
