import { join, resolve } from 'node:path';
import { ConversationState, MemoryStorage, type Storage } from 'botbuilder';
import type { TokenCredential } from '@azure/core-auth';
import { SandboxTokenService } from './auth/sandboxTokenService';
import { UserRealmClient } from './auth/userRealm';
import { RESOURCE_SCOPES } from './auth/signIn';
import { ArmClient } from './azure/armClient';
import { ArmAzureManagement } from './azure/azureManagement';
import { createAdapter } from './bot/adapter';
import { AdapterBackgroundRunner } from './bot/backgroundRunner';
import { ProactiveChannelNotifier } from './bot/channelNotifier';
import { installTurnErrorHandler, startBotServer, type BotServer } from './bot/server';
import { TenantlinkBot } from './bot/teamsBot';
import type { CloudHttpOptions } from './cloud/http';
import type { Config } from './config';
import { MyRoleDialog, StatusDialog } from './dialogs/accountDialogs';
import { GuidedMoveDialog } from './dialogs/guidedMoveDialog';
import { GUIDED_MOVE_DIALOG, LinkDialog } from './dialogs/linkDialog';
import { RootDialog } from './dialogs/rootDialog';
import { AddOffice365Dialog, ExplainDialog, SignupDialog } from './dialogs/scenarioDialogs';
import { SandboxSignInDialog } from './dialogs/sandboxSignInDialog';
import { createGraphClient } from './graph/graphClient';
import { GraphOffice365Directory } from './graph/office365Directory';
import { Localizer } from './i18n';
import type { CloudClients } from './link/ports';
import { createLogger } from './log';
import { projectRoot } from './paths';
import { startSandboxCloud, type SandboxEndpoints } from './sandbox';
import { BlobStateStorage, CosmosStateStorage } from './state/cloudStorage';
import { ChangeRecordStore } from './state/changeRecords';
import { EmbeddedStorage } from './state/embeddedStorage';
import { SubscriptionLockStore } from './state/subscriptionLocks';
import { ConversationReferenceStore } from './state/conversationReferences';

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
 * Starts tenantlink.
 * @throws Error in cloud mode until Bot Framework OAuth connections are wired (issue 4)
 */
export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = createLogger('app');
  if (config.mode !== 'local') {
    throw new Error(
      'cloud mode needs the Bot Framework OAuth sign-in, which is not built yet; run in local mode (unset MicrosoftAppId)',
    );
  }
  const ownSandbox = options.sandbox === undefined;
  const sandbox = options.sandbox ?? (await startSandboxCloud({ port: config.sandbox.port }));
  const http: CloudHttpOptions = {
    caCertificatePem: sandbox.caCertificatePem,
    timeoutMs: config.cloud.timeoutMs,
    maxRetries: config.cloud.maxRetries,
  };
  const tokens = new SandboxTokenService(sandbox.authorityHost, sandbox.url, http);
  const realm = new UserRealmClient(sandbox.authorityHost, http);
  const clients: CloudClients = {
    directory: (credential: TokenCredential) =>
      new GraphOffice365Directory(
        createGraphClient(credential, {
          ...http,
          baseUrl: sandbox.graphBaseUrl,
          scopes: [RESOURCE_SCOPES.graph],
        }),
      ),
    azure: (credential: TokenCredential) =>
      new ArmAzureManagement(
        new ArmClient(credential, {
          ...http,
          endpoint: sandbox.armEndpoint,
          scope: RESOURCE_SCOPES.arm,
        }),
      ),
    userRealm: (email) => realm.namespaceType(email),
    portalUrl: config.cloud.portalUrl,
  };

  const ownStorage = options.storage === undefined ? await openStorage(config) : undefined;
  const storage = options.storage ?? ownStorage!;
  const conversationState = new ConversationState(storage);
  const changes = new ChangeRecordStore(storage);
  const references = new ConversationReferenceStore(storage);
  const locks = new SubscriptionLockStore(storage);
  const localizer = new Localizer(join(projectRoot(), 'locales'));

  const adapter = createAdapter(config);
  installTurnErrorHandler(adapter, conversationState, localizer);
  const notifier = new ProactiveChannelNotifier(adapter, config.bot.appId, references);
  const background = new AdapterBackgroundRunner(adapter, config.bot.appId, storage);

  const signInDialogIds = { office365: 'signIn.office365', azure: 'signIn.azure' } as const;
  const children = [
    new SandboxSignInDialog(signInDialogIds.office365, 'office365', tokens, localizer),
    new SandboxSignInDialog(signInDialogIds.azure, 'azure', tokens, localizer),
    new LinkDialog({
      localizer,
      tokens,
      clients,
      changes,
      locks,
      notifier,
      background,
      signInDialogIds,
    }),
    new GuidedMoveDialog(GUIDED_MOVE_DIALOG, localizer, config.cloud.portalUrl, (step) =>
      clients.azure(tokens.credential(step.context.activity.from.id, 'office365', 'arm')),
    ),
    new StatusDialog({ localizer, tokens, clients, signInDialogIds }),
    new MyRoleDialog({ localizer, tokens, clients, signInDialogIds }),
    new SignupDialog({ localizer, tokens, clients, signInDialogIds }),
    new AddOffice365Dialog({ localizer, tokens, clients, signInDialogIds }),
    new ExplainDialog({ localizer, tokens, clients, signInDialogIds }),
  ];
  const root = new RootDialog(localizer, tokens, changes, children);
  const bot = new TenantlinkBot(conversationState, root, references, localizer);
  background.attach(bot);
  const server = await startBotServer({ adapter, bot, port: config.port, host: config.host });
  await background.resumePending();
  log.info({ mode: config.mode, sandbox: sandbox.url }, 'tenantlink started');

  return {
    config,
    server,
    sandbox,
    storage,
    changes,
    references,
    background,
    async stop() {
      await server.close();
      if (ownStorage instanceof EmbeddedStorage) await ownStorage.close();
      if (ownSandbox) await sandbox.stop();
    },
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
    return new BlobStateStorage(config.storage.blobConnectionString, config.storage.blobContainer);
  return EmbeddedStorage.open(resolve(config.storage.directory));
}
