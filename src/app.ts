import { join, resolve } from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import type { KeyClientOptions } from '@azure/keyvault-keys';
import { keptKey } from './auth/sealedStore';
import { RESOURCE_SCOPES } from './auth/signIn';
import { UserRealmClient } from './auth/userRealm';
import { openWrappedKey } from './auth/wrappedKey';
import { ArmClient } from './azure/armClient';
import { ArmAzureManagement } from './azure/azureManagement';
import { ArmKeyVaults } from './azure/keyVaults';
import { ArmResourceInventory } from './azure/resourceGraph';
import { createAdapter, createBotAuthentication, serverAccess } from './bot/adapter';
import type { AdapterBackgroundRunner } from './bot/backgroundRunner';
import { SIGN_IN_DIALOG_IDS, composeBot } from './bot/compose';
import { composeSignIns, type LocalSignIn } from './bot/signIns';
import { isLoopbackHost } from './bot/requestGuards';
import { startBotServer, type BotServer } from './bot/server';
import type { CloudHttpOptions } from './cloud/http';
import type { Config } from './config';
import { ERRORS, TenantlinkError } from './errors';
import { GraphApproverDirectory } from './graph/approvers';
import { createGraphClient } from './graph/graphClient';
import { GraphOffice365Directory } from './graph/office365Directory';
import { Localizer } from './i18n';
import type { CloudClients } from './link/ports';
import { createLogger } from './log';
import { projectRoot } from './paths';
import { BlobStateStorage, CosmosStateStorage } from './state/cloudStorage';
import type { ChangeRecordStore } from './state/changeRecords';
import type { ConversationReferenceStore } from './state/conversationReferences';
import { EmbeddedStorage } from './state/embeddedStorage';

/**
 * Composes tenantlink in the order config → cloud endpoints (the sandbox cloud in local mode) →
 * token source → Graph/ARM clients → storage → state → dialogs → bot → server, and returns what
 * it started so it can be stopped. `src/index.ts` calls this with the process environment;
 * tests call it with their own configuration and storage.
 */

/**
 * Where a local cloud (the sandbox cloud of local mode) answers, and the certificate to trust for
 * it: the sandbox's endpoints, described here so that the production build needs no sandbox code.
 */
export interface LocalCloudEndpoints {
  readonly url: string;
  readonly graphBaseUrl: string;
  readonly armEndpoint: string;
  readonly authorityHost: string;
  readonly caCertificatePem: string;
  /** Secret of its control API (token service, accounts). */
  readonly controlSecret: string;
  stop(): Promise<void>;
}

/** A local cloud for this run, and whether this run started it (and stops it). */
export interface LocalCloud {
  readonly endpoints: LocalCloudEndpoints;
  readonly owned: boolean;
}

/**
 * What local mode adds, from the development entry (src/dev/localMode.ts): the sandbox cloud, its
 * sign-in, and the Agents Playground as the chat client. Not in the production build.
 */
export interface LocalMode {
  /** The given sandbox, the one at SANDBOX_URL, or a new one. */
  cloud(config: Config, given?: LocalCloudEndpoints): Promise<LocalCloud>;
  /**
   * The Office 365 admin's token source and sign-in dialog on the local cloud, and its account
   * picker (the subscription admin signs in through the production sign-in, on the sandbox).
   */
  signIn(
    endpoints: LocalCloudEndpoints,
    http: CloudHttpOptions,
    localizer: Localizer,
    ids: { readonly office365: string; readonly azure: string },
  ): LocalSignIn;
  /** Starts the chat client (the Agents Playground) for the bot at `botEndpoint`. */
  startChatClient(options: {
    botEndpoint: string;
    port: number;
    logger: ReturnType<typeof createLogger>;
  }): Promise<{ url: string; stop(): Promise<void> }>;
}

/**
 * Loads local mode from the development entry. The path is not a literal on purpose: the
 * production build (tsconfig.build.json) leaves src/dev and the sandbox out, and must not follow it.
 * @throws TenantlinkError configInvalid when the development files are not there (production image)
 */
export async function loadLocalMode(): Promise<LocalMode> {
  const entry = ['.', 'dev', 'localMode'].join('/');
  try {
    return ((await import(entry)) as { localMode: LocalMode }).localMode;
  } catch (err) {
    throw new TenantlinkError('configInvalid', {
      detail: 'local mode needs the development install (npm start); this build runs cloud mode',
      cause: err,
    });
  }
}

/** A running tenantlink. */
export interface App {
  readonly config: Config;
  readonly server: BotServer;
  /** The sandbox cloud, in local mode. */
  readonly sandbox: LocalCloudEndpoints | undefined;
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
  readonly sandbox?: LocalCloudEndpoints;
  /** Local mode's parts; loaded from the development entry when absent. */
  readonly local?: LocalMode;
  /**
   * The bot's Azure credential (Blob Storage with BLOB_ACCOUNT_URL, the Key Vault key of
   * TOKEN_CACHE_KEY_ID); its managed identity ({@link botCredential}) when absent.
   */
  readonly credential?: TokenCredential;
  /** Options of the Key Vault clients (TLS trust, extra policies); the SDK's defaults when absent. */
  readonly keyVaultClientOptions?: KeyClientOptions;
  /** The approvals' clock (epoch ms; issue 29's expiry): `Date.now` when absent. */
  readonly now?: () => number;
  /** Longest time between two looks of the approval job at its request (ms; default 30 s). */
  readonly approvalPollMs?: number;
}

/**
 * Starts tenantlink: in local mode on the sandbox cloud (started here unless `options.sandbox`
 * is given) with the sandbox sign-in card; in cloud mode on Microsoft's cloud with the Bot
 * Framework OAuth connections, Teams SSO and JWT validation.
 * @throws Error when the storage or the sandbox cannot start, or the port is taken;
 *   TenantlinkError configInvalid when local mode's kept token cache key file holds no valid key;
 *   tokenCacheKeyForbidden / tokenCacheKeyUnavailable when the Key Vault key of
 *   TOKEN_CACHE_KEY_ID cannot wrap or unwrap the token cache key (src/auth/wrappedKey.ts)
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = createLogger('app');
  if (config.mode === 'local' && !isLoopbackHost(config.host))
    log.warn(
      { code: ERRORS.configInvalid.code, host: config.host },
      'local mode checks no Bot Framework token: listening beyond loopback lets other machines drive the bot',
    );
  // Before anything is started: a bad key file stops the start with nothing to clean up.
  const keptCacheKey = await tokenCacheKey(config);
  // One credential for everything the bot's identity reaches (storage, Key Vault).
  let credential = options.credential;
  const identity = (): TokenCredential => (credential ??= botCredential(config));
  const local = config.mode === 'local' ? (options.local ?? (await loadLocalMode())) : undefined;
  const localCloud = local ? await local.cloud(config, options.sandbox) : undefined;
  const sandbox = localCloud?.endpoints;
  const http: CloudHttpOptions = {
    ...(sandbox ? { caCertificatePem: sandbox.caCertificatePem } : {}),
    timeoutMs: config.cloud.timeoutMs,
    maxRetries: config.cloud.maxRetries,
  };
  // The sandbox's endpoints in local mode, Microsoft's (from configuration) in cloud mode.
  const clients = cloudClients(sandbox ?? config.cloud, http, config.cloud.portalUrl);

  const ownStorage =
    options.storage === undefined ? await openStorage(config, identity) : undefined;
  const storage = options.storage ?? ownStorage!;
  // In the cloud, the key is kept wrapped in the store: unwrapped before the bot takes a turn.
  let cacheKey = keptCacheKey;
  if (!cacheKey && config.adminSignIn.cacheKeyId) {
    try {
      cacheKey = await openWrappedKey({
        storage,
        keyId: config.adminSignIn.cacheKeyId,
        credential: identity(),
        ...(options.keyVaultClientOptions ? { clientOptions: options.keyVaultClientOptions } : {}),
      });
    } catch (err) {
      if (ownStorage instanceof EmbeddedStorage) await ownStorage.close();
      throw err;
    }
  }
  const localizer = new Localizer(join(projectRoot(), 'locales'));
  const auth = createBotAuthentication(config);
  const adapter = createAdapter(config, auth);
  const ids = SIGN_IN_DIALOG_IDS;
  let serverUrl = '';
  const signIns = composeSignIns({
    config,
    storage,
    localizer,
    http,
    endpoints: sandbox ?? config.cloud,
    ids,
    adapter,
    auth,
    local: local && sandbox ? local.signIn(sandbox, http, localizer, ids) : undefined,
    serverUrl: () => serverUrl,
    ...(cacheKey ? { cacheKey } : {}),
  });
  const { tokens } = signIns;
  const signInDialogs = signIns.dialogs;
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
    http,
    ...(options.now ? { now: options.now } : {}),
    ...(options.approvalPollMs !== undefined ? { approvalPollMs: options.approvalPollMs } : {}),
  });
  const server = await startBotServer({
    adapter,
    bot,
    port: config.port,
    host: config.host,
    access: serverAccess(config, auth),
    ...(signIns.callback ? { signInCallback: signIns.callback(background) } : {}),
  });
  serverUrl = server.url;
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
      if (localCloud?.owned) await sandbox?.stop();
    },
  };
}

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
    approvers: (credential: TokenCredential) =>
      new GraphApproverDirectory(
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
    inventory: (credential: TokenCredential) =>
      new ArmResourceInventory(credential, {
        ...http,
        endpoint: endpoints.armEndpoint,
        scope: RESOURCE_SCOPES.arm,
      }),
    keyVaults: (credential: TokenCredential) =>
      new ArmKeyVaults(credential, {
        ...http,
        endpoint: endpoints.armEndpoint,
        scope: RESOURCE_SCOPES.arm,
      }),
    userRealm: (email) => realm.namespaceType(email),
    portalUrl,
  };
}

/**
 * The key that seals the subscription admin's tokens: `TOKEN_CACHE_KEY` when set (with
 * `TOKEN_CACHE_KEY_ID` instead, the cloud's wrapped key is opened once the store is: startApp); in local mode
 * without it, the key kept in the data folder (`STORAGE_DIR`, {@link keptKey}), so that a restart
 * in the middle of a link resumes signed in as README promises; undefined otherwise (memory
 * storage keeps nothing across a restart, so a key of this run will do; cloud mode requires the
 * variable wherever the key is used, src/config.ts).
 * @throws TenantlinkError configInvalid when the kept key file holds no valid key
 */
async function tokenCacheKey(config: Config): Promise<string | undefined> {
  if (config.adminSignIn.cacheKey) return config.adminSignIn.cacheKey;
  if (config.mode !== 'local' || config.storage.kind === 'memory') return undefined;
  return keptKey(resolve(config.storage.directory));
}

/**
/**
 * The bot's own Azure credential: the user-assigned managed identity `AZURE_CLIENT_ID`, or
 * DefaultAzureCredential when it is empty (a developer's sign-in, a system-assigned identity).
 */
export function botCredential(config: Config): TokenCredential {
  return config.storage.managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: config.storage.managedIdentityClientId })
    : new DefaultAzureCredential();
}

/**
 * The configured store: durable on local disk by default; Azure Blob Storage, Cosmos DB or memory
 * by config (`npm run doctor` checks the same store through this function). The caller closes an
 * {@link EmbeddedStorage} it opened.
 * @param identity the bot's credential, for Blob Storage reached by its account URL (default
 *   {@link botCredential})
 * @throws Error when the embedded store's folder cannot be opened
 */
export async function openStorage(
  config: Config,
  identity: () => TokenCredential = () => botCredential(config),
): Promise<Storage> {
  if (config.storage.kind === 'memory') return new MemoryStorage();
  if (config.storage.kind === 'cosmos') {
    const c = config.storage.cosmos;
    return new CosmosStateStorage(c.endpoint, c.key, c.database, c.container);
  }
  if (config.storage.kind === 'blob')
    return new BlobStateStorage(
      config.storage.blobConnectionString || {
        url: config.storage.blobAccountUrl,
        credential: identity(),
      },
      config.storage.blobContainer,
    );
  return EmbeddedStorage.open(resolve(config.storage.directory));
}
