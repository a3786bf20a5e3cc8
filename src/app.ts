import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryStorage, TeamsSSOTokenExchangeMiddleware, type Storage } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { BotTokenSource } from './auth/botTokenSource';
import { SandboxTokenService } from './auth/sandboxTokenService';
import { RESOURCE_SCOPES, type TokenSource } from './auth/signIn';
import { UserRealmClient } from './auth/userRealm';
import { ArmClient } from './azure/armClient';
import { ArmAzureManagement } from './azure/azureManagement';
import {
  createAdapter,
  createBotAuthentication,
  serverAccess,
  userTokenClientFactory,
} from './bot/adapter';
import type { AdapterBackgroundRunner } from './bot/backgroundRunner';
import { SIGN_IN_DIALOG_IDS, composeBot } from './bot/compose';
import { isLoopbackHost } from './bot/requestGuards';
import { startBotServer, type BotServer } from './bot/server';
import type { CloudHttpOptions } from './cloud/http';
import type { Config } from './config';
import { ERRORS } from './errors';
import { OAuthSignInDialog } from './dialogs/oauthSignInDialog';
import { SandboxSignInDialog } from './dialogs/sandboxSignInDialog';
import { createGraphClient } from './graph/graphClient';
import { GraphOffice365Directory } from './graph/office365Directory';
import { Localizer } from './i18n';
import type { CloudClients } from './link/ports';
import { createLogger } from './log';
import { projectRoot } from './paths';
import { sandboxEndpointsAt, startSandboxCloud, type SandboxEndpoints } from './sandbox';
import { BlobStateStorage, CosmosStateStorage } from './state/cloudStorage';
import type { ChangeRecordStore } from './state/changeRecords';
import type { ConversationReferenceStore } from './state/conversationReferences';
import { FirstWriteWinsStorage } from './state/createOnlyStorage';
import { EmbeddedStorage } from './state/embeddedStorage';

/**
 * Composes tenantlink in the order config → cloud endpoints (the sandbox cloud in local mode) →
 * token source → Graph/ARM clients → storage → state → dialogs → bot → server, and returns what
 * it started so it can be stopped. `src/index.ts` calls this with the process environment;
 * tests call it with their own configuration and storage.
 */

/** A running tenantlink. */
export interface App {
  readonly config: Config;
  readonly server: BotServer;
  /** The sandbox cloud, in local mode. */
  readonly sandbox: SandboxEndpoints | undefined;
  readonly storage: Storage;
  readonly changes: ChangeRecordStore;
  readonly references: ConversationReferenceStore;
  /** Long steps running after their turn (tests wait for them with `idle()`). */
  readonly background: AdapterBackgroundRunner;
  stop(): Promise<void>;
}

/** Options a test may override. */
export interface AppOptions {
  readonly storage?: Storage;
  /** Reuse a running sandbox instead of starting one. */
  readonly sandbox?: SandboxEndpoints;
}

/**
 * Starts tenantlink: in local mode on the sandbox cloud (started here unless `options.sandbox`
 * is given) with the sandbox sign-in card; in cloud mode on Microsoft's cloud with the Bot
 * Framework OAuth connections, Teams SSO and JWT validation.
 * @throws Error when the storage or the sandbox cannot start, or the port is taken
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = createLogger('app');
  if (config.mode === 'local' && !isLoopbackHost(config.host))
    log.warn(
      { code: ERRORS.configInvalid.code, host: config.host },
      'local mode checks no Bot Framework token: listening beyond loopback lets other machines drive the bot',
    );
  const ownSandbox =
    config.mode === 'local' && options.sandbox === undefined && !config.sandbox.url;
  const sandbox =
    config.mode !== 'local'
      ? undefined
      : (options.sandbox ??
        (config.sandbox.url
          ? sandboxEndpointsAt(
              config.sandbox.url,
              readFileSync(config.sandbox.caFile, 'utf8'),
              config.sandbox.secret,
            )
          : await startSandboxCloud({ port: config.sandbox.port })));
  const http: CloudHttpOptions = {
    ...(sandbox ? { caCertificatePem: sandbox.caCertificatePem } : {}),
    timeoutMs: config.cloud.timeoutMs,
    maxRetries: config.cloud.maxRetries,
  };
  // The sandbox's endpoints in local mode, Microsoft's (from configuration) in cloud mode.
  const clients = cloudClients(sandbox ?? config.cloud, http, config.cloud.portalUrl);

  const ownStorage = options.storage === undefined ? await openStorage(config) : undefined;
  const storage = options.storage ?? ownStorage!;
  const localizer = new Localizer(join(projectRoot(), 'locales'));
  const auth = createBotAuthentication(config);
  const adapter = createAdapter(config, auth);
  const ids = SIGN_IN_DIALOG_IDS;
  let tokens: TokenSource;
  let signInDialogs: Dialog[];
  if (sandbox) {
    const sandboxTokens = new SandboxTokenService(sandbox, http);
    tokens = sandboxTokens;
    signInDialogs = [
      new SandboxSignInDialog(ids.office365, 'office365', sandboxTokens, localizer),
      new SandboxSignInDialog(ids.azure, 'azure', sandboxTokens, localizer),
    ];
  } else {
    tokens = new BotTokenSource(
      userTokenClientFactory(auth, config.bot.appId),
      config.connections,
      TEAMS_CHANNEL_ID,
    );
    signInDialogs = [
      new OAuthSignInDialog(ids.office365, 'office365', config.connections, tokens, localizer),
      new OAuthSignInDialog(ids.azure, 'azure', config.connections, tokens, localizer),
    ];
    // Teams sends one token exchange per signed-in device: keep the first (shared storage).
    adapter.use(
      new TeamsSSOTokenExchangeMiddleware(
        new FirstWriteWinsStorage(storage),
        config.connections.graph,
      ),
    );
  }
  const { bot, background, changes, references } = composeBot({
    adapter,
    appId: config.bot.appId,
    storage,
    tokens,
    clients,
    localizer,
    portalUrl: config.cloud.portalUrl,
    signInDialogs,
    instanceId: config.scaleOut.instanceId,
    lease: { leaseMs: config.scaleOut.jobLeaseMs, sweepMs: config.scaleOut.jobSweepMs },
    propagation: config.cloud.propagation,
  });
  const server = await startBotServer({
    adapter,
    bot,
    port: config.port,
    host: config.host,
    access: serverAccess(config, auth),
  });
  await background.resumePending();
  background.startSweeping();
  log.info(
    { mode: config.mode, sandbox: sandbox?.url, instance: config.scaleOut.instanceId },
    'tenantlink started',
  );

  return {
    config,
    server,
    sandbox,
    storage,
    changes,
    references,
    background,
    async stop() {
      // Stop taking turns, let running jobs finish (or hand them over), then close the store.
      await server.close();
      await background.shutdown(config.scaleOut.shutdownGraceMs);
      if (ownStorage instanceof EmbeddedStorage) await ownStorage.close();
      if (ownSandbox) await sandbox?.stop();
    },
  };
}

/** Teams' channel id: the token service keys user tokens by user and channel. */
const TEAMS_CHANNEL_ID = 'msteams';

/**
 * The Graph, ARM and user-realm clients for one cloud's endpoints (Microsoft's or the sandbox's).
 * @param http TLS trust, time limit (ms) and retries of every call
 */
export function cloudClients(
  endpoints: { graphBaseUrl: string; armEndpoint: string; authorityHost: string },
  http: CloudHttpOptions,
  portalUrl: string,
): CloudClients {
  const realm = new UserRealmClient(endpoints.authorityHost, http);
  return {
    directory: (credential: TokenCredential) =>
      new GraphOffice365Directory(
        createGraphClient(credential, {
          ...http,
          baseUrl: endpoints.graphBaseUrl,
          scopes: [RESOURCE_SCOPES.graph],
        }),
      ),
    azure: (credential: TokenCredential) =>
      new ArmAzureManagement(
        new ArmClient(credential, {
          ...http,
          endpoint: endpoints.armEndpoint,
          scope: RESOURCE_SCOPES.arm,
        }),
      ),
    userRealm: (email) => realm.namespaceType(email),
    portalUrl,
  };
}

/** The configured store: durable on local disk by default; Azure Blob Storage or memory by config. */
async function openStorage(config: Config): Promise<Storage> {
  if (config.storage.kind === 'memory') return new MemoryStorage();
  if (config.storage.kind === 'cosmos') {
    const c = config.storage.cosmos;
    return new CosmosStateStorage(c.endpoint, c.key, c.database, c.container);
  }
  if (config.storage.kind === 'blob')
    return new BlobStateStorage(
      config.storage.blobConnectionString || {
        url: config.storage.blobAccountUrl,
        credential: config.storage.managedIdentityClientId
          ? new ManagedIdentityCredential({ clientId: config.storage.managedIdentityClientId })
          : new DefaultAzureCredential(),
      },
      config.storage.blobContainer,
    );
  return EmbeddedStorage.open(resolve(config.storage.directory));
}
