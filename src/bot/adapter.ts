import { readFileSync } from 'node:fs';
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  StatusCodes,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  type ServiceClientCredentialsFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { Config } from '../config';
import { connectorHttpClient } from './connectorHttp';
import type { ServerAccess } from './serverAccess';

/**
 * The Bot Framework authentication for the configured mode. In cloud mode every request to
 * /api/messages must carry a valid Bot Framework JWT for the app registration (SingleTenant,
 * MultiTenant or UserAssignedMSI); a request without one is answered 401 and processed no further
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
 * Local mode has no app credentials, which makes botbuilder skip validation: the Agents Playground
 * signs with a dummy key. Local mode cannot be combined with credentials (see src/config.ts).
 * The bot's own credential is a client secret, a certificate (thumbprint + PEM private key file)
 * or the user-assigned managed identity, as configured.
 * @param credentialsFactory the bot's own credentials; botbuilder's from the configuration
 *   (client secret, certificate or managed identity) when undefined
 * @throws Error when the certificate's key file cannot be read
 */
export function createBotAuthentication(
  config: Config,
  credentialsFactory?: ServiceClientCredentialsFactory,
): BotFrameworkAuthentication {
  // Every connector request (reply, update, proactive post) has a deadline.
  const connectorOptions = { httpClient: connectorHttpClient(config.bot.connectorTimeoutMs) };
  return config.mode === 'local'
    ? new ConfigurationBotFrameworkAuthentication(
        {},
        undefined,
        undefined,
        undefined,
        connectorOptions,
      )
    : new ConfigurationBotFrameworkAuthentication(
        {
          ...botCredentialSettings(config),
          ...(config.bot.oauthUrl ? { OAuthUrl: config.bot.oauthUrl } : {}),
          ...channelEndpoints(config),
        },
        credentialsFactory,
        undefined,
        undefined,
        connectorOptions,
      );
}

/** The bot's credential settings in botbuilder's configuration keys (cloud mode). */
function botCredentialSettings(config: Config) {
  return {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
    ...(config.bot.certificateThumbprint
      ? {
          CertificateThumbprint: config.bot.certificateThumbprint,
          CertificatePrivateKey: readFileSync(config.bot.certificateKeyFile, 'utf8'),
        }
      : {}),
  };
}

/**
 * The bot's own credentials factory, exactly the one {@link createBotAuthentication} gets from
 * botbuilder when none is given (ConfigurationBotFrameworkAuthentication builds a
 * ConfigurationServiceClientCredentialFactory from the same settings): client secret, certificate
 * or user-assigned managed identity. `npm run doctor` asks it for a token.
 * @throws Error when the certificate's key file cannot be read
 */
export function botCredentialsFactory(config: Config): ServiceClientCredentialsFactory {
  return new ConfigurationServiceClientCredentialFactory(botCredentialSettings(config));
}

/**
 * Custom channel-token validation (a sovereign cloud, or a test's own signing key): botbuilder
 * then takes every endpoint from configuration, so the public cloud's values fill what is not set
 * (AuthenticationConstants of botframework-connector).
 */
function channelEndpoints(config: Config): Record<string, string | boolean> {
  const { channelOpenIdMetadataUrl, channelTokenIssuer, oauthUrl } = config.bot;
  if (!channelOpenIdMetadataUrl && !channelTokenIssuer) return {};
  return {
    ToBotFromChannelOpenIdMetadataUrl:
      channelOpenIdMetadataUrl || AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer:
      channelTokenIssuer || AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    OAuthUrl: oauthUrl ?? AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: true,
  };
}

/**
 * Request authentication that answers every refused token with 401: botbuilder reports a bad
 * signature or an unendorsed key as a plain error, which CloudAdapter would answer with 500.
 * Everything else is delegated unchanged.
 */
class StrictAuthentication extends BotFrameworkAuthentication {
  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string) {
    return this.inner.authenticateRequest(activity, authHeader).catch(unauthorized);
  }

  async authenticateStreamingRequest(authHeader: string, channelIdHeader: string) {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader).catch(unauthorized);
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity) {
    return this.inner.createConnectorFactory(claimsIdentity);
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity) {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient() {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience() {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string) {
    return this.inner.authenticateChannelRequest(authHeader).catch(unauthorized);
  }
}

/** Any failure to authenticate a request is a 401 (never a 500 that invites a retry). */
function unauthorized(err: unknown): never {
  if (err instanceof AuthenticationError) throw err;
  throw new AuthenticationError(
    `Unauthorized: ${err instanceof Error ? err.message : 'invalid token'}`,
    StatusCodes.UNAUTHORIZED,
  );
}

/**
 * botbuilder's CloudAdapter with one addition: the server hands it an activity it has already
 * read and validated (botbuilder's own `process` parses the request itself and prints refusals
 * with their stack to stderr).
 */
export class TenantlinkAdapter extends CloudAdapter {
  /**
   * Runs the turn of one activity: botbuilder authenticates `authHeader` against the activity
   * (channel, service URL claim) and runs `logic`.
   * @returns the invoke response for invokes, else undefined
   * @throws AuthenticationError when the token does not fit the activity (answer 401)
   */
  processIncoming(
    authHeader: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** The CloudAdapter for the configured mode (see {@link createBotAuthentication}). */
export function createAdapter(
  config: Config,
  auth: BotFrameworkAuthentication = createBotAuthentication(config),
): TenantlinkAdapter {
  return new TenantlinkAdapter(config.mode === 'local' ? auth : new StrictAuthentication(auth));
}

/** The channel tenantlink serves; Bot Framework signing keys are endorsed per channel. */
const TEAMS_CHANNEL = 'msteams';

/**
 * Validates a Bot Framework JWT from the `Authorization` header alone, before the request's body
 * is read: signature against the published keys endorsed for Teams, issuer, audience (this bot's
 * app id), lifetime. The claims that need the activity (service URL) are checked again by
 * {@link TenantlinkAdapter.processIncoming}.
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#bot-to-connector)
 * @returns a function that resolves when the header is valid and rejects otherwise
 */
export function requestAuthenticator(
  auth: BotFrameworkAuthentication,
): (authHeader: string) => Promise<void> {
  return async (authHeader) => {
    await auth.authenticateStreamingRequest(authHeader, TEAMS_CHANNEL);
  };
}

/** How the server lets callers in for the configured mode (see {@link requestAuthenticator}). */
export function serverAccess(config: Config, auth: BotFrameworkAuthentication): ServerAccess {
  return config.mode === 'local'
    ? { kind: 'local' }
    : { kind: 'cloud', authenticate: requestAuthenticator(auth) };
}

/**
 * The bot's client of the Bot Framework token service, usable outside a turn (background jobs):
 * created once from the bot's own identity (`aud` = app id) and reused.
 * @returns a function giving the client; its promise rejects when the bot's credentials are refused
 */
export function userTokenClientFactory(
  auth: BotFrameworkAuthentication,
  appId: string,
): () => Promise<UserTokenClient> {
  let client: Promise<UserTokenClient> | undefined;
  return (): Promise<UserTokenClient> => {
    client ??= auth
      .createUserTokenClient(new ClaimsIdentity([{ type: 'aud', value: appId }], true))
      .catch((err: unknown) => {
        client = undefined;
        throw err;
      });
    return client as Promise<UserTokenClient>;
  };
}
