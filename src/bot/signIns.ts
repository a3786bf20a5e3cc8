import { TeamsSSOTokenExchangeMiddleware, type Storage } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { Dialog } from 'botbuilder-dialogs';
import { BotTokenSource } from '../auth/botTokenSource';
import { DirectorySignIn, type SignInAppCredential } from '../auth/directorySignIn';
import { ManagedIdentityAssertion } from '../auth/managedIdentityAssertion';
import { Sealer } from '../auth/sealedStore';
import type { TokenSource } from '../auth/signIn';
import { SplitTokenSource } from '../auth/splitTokenSource';
import { discoverSubscriptionTenant } from '../azure/tenantDiscovery';
import type { CloudHttpOptions } from '../cloud/http';
import type { Config } from '../config';
import {
  DirectorySignInDialog,
  SIGN_IN_EVENT,
  type SandboxAccountPicker,
} from '../dialogs/directorySignInDialog';
import { OAuthSignInDialog } from '../dialogs/oauthSignInDialog';
import { ERRORS } from '../errors';
import type { Localizer } from '../i18n';
import { createLogger } from '../log';
import { FirstWriteWinsStorage } from '../state/createOnlyStorage';
import type { AdapterBackgroundRunner } from './backgroundRunner';
import { handleSignInCallback, SIGN_IN_CALLBACK_PATH, type CallbackPage } from './signInCallback';
import type { TenantlinkAdapter } from './adapter';
import { userTokenClientFactory } from './adapter';

/**
 * Composes the two sign-ins for a run: the Office 365 admin's (Bot Framework OAuth connections
 * with Teams SSO in cloud mode; the sandbox card locally) and the subscription admin's own sign-in
 * at the subscription's directory ({@link DirectorySignIn}; in cloud mode when configured, else
 * the `azureSource` OAuth connections with a warning), with the redirect endpoint's handler.
 */

/** Teams' channel id: the token service keys user tokens by user and channel. */
const TEAMS_CHANNEL_ID = 'msteams';

/** Local mode's Office 365 sign-in and the sandbox's account picker. */
export interface LocalSignIn {
  readonly tokens: TokenSource;
  readonly office365Dialog: Dialog;
  readonly sandbox: SandboxAccountPicker;
  /**
   * The client id of tenantlink's own sign-in in the sandbox: its app registration there, whose
   * redirect URI is the bot's callback on loopback (the sandbox knows no other client).
   */
  readonly directoryClientId: string;
  /**
   * For `ADMIN_SIGNIN_CREDENTIAL=managedIdentity` locally: the sandbox's secretless app
   * registration that trusts its seeded user-assigned identity, that identity's client id, and
   * `useIdentityEndpoint`, which points this process's managed identity endpoint
   * (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`, as App Service sets them) at the sandbox.
   */
  readonly federated: {
    readonly clientId: string;
    readonly managedIdentityClientId: string;
    useIdentityEndpoint(): void;
  };
}

/** The sign-ins of a run. */
export interface SignIns {
  readonly tokens: TokenSource;
  readonly dialogs: Dialog[];
  /**
   * The redirect endpoint's handler, once the bot's background runner (which wakes flows) exists;
   * undefined when the subscription admin signs in through an OAuth connection.
   */
  readonly callback:
    | ((
        background: AdapterBackgroundRunner,
      ) => (search: string, hasBody: boolean) => Promise<CallbackPage>)
    | undefined;
}

/**
 * Builds the sign-ins.
 * @param serverUrl the bot server's URL once it listens (local mode's redirect URI is on it)
 * @throws TenantlinkError configInvalid for a token cache key that decodeKey refuses
 */
export function composeSignIns(options: {
  config: Config;
  storage: Storage;
  localizer: Localizer;
  http: CloudHttpOptions;
  endpoints: { armEndpoint: string; authorityHost: string };
  ids: { readonly office365: string; readonly azure: string };
  adapter: TenantlinkAdapter;
  auth: BotFrameworkAuthentication;
  local: LocalSignIn | undefined;
  serverUrl: () => string;
  /**
   * The key that seals the subscription admin's tokens at rest (base64, 32 bytes): the configured
   * `TOKEN_CACHE_KEY` when absent, else one made for this run only (a restart then signs out).
   */
  cacheKey?: string;
}): SignIns {
  const { config, storage, localizer, http, endpoints, ids, local } = options;
  const log = createLogger('sign-ins');
  let office365: TokenSource;
  let office365Dialog: Dialog;
  if (local) {
    office365 = local.tokens;
    office365Dialog = local.office365Dialog;
  } else {
    office365 = new BotTokenSource(
      userTokenClientFactory(options.auth, config.bot.appId),
      config.connections,
      TEAMS_CHANNEL_ID,
    );
    office365Dialog = new OAuthSignInDialog(
      ids.office365,
      'office365',
      config.connections,
      office365,
      localizer,
    );
    // Teams sends one token exchange per signed-in device: keep the first (shared storage).
    options.adapter.use(
      new TeamsSSOTokenExchangeMiddleware(
        new FirstWriteWinsStorage(storage),
        config.connections.graph,
      ),
    );
  }
  const own = config.adminSignIn;
  if (!local && !own.clientId) {
    log.warn(
      { code: ERRORS.configInvalid.code },
      'ADMIN_SIGNIN_CLIENT_ID is not set: the subscription admin signs in through the azureSource connection, where a Microsoft account gets no Azure token (AADSTS70011)',
    );
    return {
      tokens: office365,
      dialogs: [
        office365Dialog,
        new OAuthSignInDialog(ids.azure, 'azure', config.connections, office365, localizer),
      ],
      callback: undefined,
    };
  }
  const federated = own.credential === 'managedIdentity';
  let credential: SignInAppCredential;
  let clientId: string;
  if (local && federated) {
    // The sandbox's secretless app and its managed identity endpoint.
    local.federated.useIdentityEndpoint();
    clientId = local.federated.clientId;
    credential = {
      clientAssertion: new ManagedIdentityAssertion({
        clientId: local.federated.managedIdentityClientId,
        audience: 'api://AzureADTokenExchange',
        ...(http.caCertificatePem ? { caCertificatePem: http.caCertificatePem } : {}),
      }),
    };
  } else if (local) {
    // Locally, the sandbox's app registration, never the configured one (nor its secret: the
    // sandbox checks no client secret's value).
    clientId = local.directoryClientId;
    credential = { clientSecret: 'sandbox' };
  } else {
    clientId = own.clientId;
    credential = federated
      ? {
          clientAssertion: new ManagedIdentityAssertion({
            clientId: own.managedIdentityClientId,
            audience: own.assertionAudience,
          }),
        }
      : { clientSecret: own.clientSecret };
  }
  log.info(
    { credential: federated ? 'managedIdentity' : 'secret' },
    'subscription admin sign-in app credential',
  );
  const directory = new DirectorySignIn(storage, {
    clientId,
    credential,
    redirectUri: local ? () => `${options.serverUrl()}${SIGN_IN_CALLBACK_PATH}` : own.redirectUri,
    authorityHost: endpoints.authorityHost,
    // Without a key (memory storage), tokens are sealed with a key of this run only.
    cacheKey: options.cacheKey ?? (own.cacheKey || Sealer.newKey()),
    http,
  });
  return {
    tokens: new SplitTokenSource(office365, directory),
    dialogs: [
      office365Dialog,
      new DirectorySignInDialog(ids.azure, {
        signIn: directory,
        discover: (subscriptionId) =>
          discoverSubscriptionTenant(endpoints.armEndpoint, subscriptionId, http),
        localizer,
        portalUrl: config.cloud.portalUrl,
        ...(local ? { sandbox: local.sandbox } : {}),
      }),
    ],
    callback: (background) => (search, hasBody) =>
      handleSignInCallback(
        {
          complete: (query) => directory.complete(query),
          wake: (context, value) =>
            background.wake(
              {
                reference: context.conversation,
                from: context.from,
                ...(context.locale ? { locale: context.locale } : {}),
              },
              SIGN_IN_EVENT,
              value,
            ),
          localizer,
        },
        search,
        hasBody,
      ),
  };
}
