import { hostname } from 'node:os';
import { z } from 'zod';
import {
  decodeKey,
  parseKeyId,
  tokenExchangeAudience,
  type OAuthConnections,
} from './configFormats';
import { TenantlinkError } from './errors';

/**
 * tenantlink's configuration, read and validated once from the environment (and .env, loaded by
 * the composition root). Nothing else reads `process.env`.
 *
 * Modes:
 * - `local` (default when no app id is set): the in-repo sandbox cloud on loopback, the sandbox
 *   sign-in card, no JWT check on /api/messages (the Agents Playground signs with a dummy key).
 *   Refused when app credentials are also set, so production cannot fall into it by accident.
 * - `cloud`: Microsoft's cloud, Bot Framework OAuth connections, JWT validation on.
 */
const Env = z
  .object({
    TENANTLINK_MODE: z.enum(['local', 'cloud']).optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    HOST: z.string().min(1).optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    MicrosoftAppId: z.string().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z
      .enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI'])
      .default('SingleTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    MicrosoftAppCertificateThumbprint: z.string().default(''),
    MicrosoftAppCertificateKeyFile: z.string().default(''),
    BOT_OPENID_METADATA_URL: z.union([z.string().url(), z.literal('')]).default(''),
    BOT_TOKEN_ISSUER: z.string().default(''),
    BOT_OAUTH_URL: z.union([z.string().url(), z.literal('')]).default(''),
    GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com'),
    ARM_ENDPOINT: z.string().url().default('https://management.azure.com'),
    AUTHORITY_HOST: z.string().url().default('https://login.microsoftonline.com'),
    AZURE_PORTAL_URL: z.string().url().default('https://portal.azure.com'),
    CLOUD_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
    CLOUD_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    PROPAGATION_TIMEOUT_MS: z.coerce.number().int().positive().default(7_200_000),
    PROPAGATION_POLL_MS: z.coerce.number().int().positive().default(2_000),
    PROPAGATION_MAX_POLL_MS: z.coerce.number().int().positive().default(60_000),
    CONNECTOR_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
    STORAGE: z.enum(['embedded', 'memory', 'blob', 'cosmos']).default('embedded'),
    STORAGE_DIR: z.string().min(1).default('.data'),
    BLOB_CONNECTION_STRING: z.string().default(''),
    BLOB_ACCOUNT_URL: z.union([z.string().url(), z.literal('')]).default(''),
    AZURE_CLIENT_ID: z.string().default(''),
    BLOB_CONTAINER: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'not a valid container name')
      .default('tenantlink'),
    COSMOS_ENDPOINT: z.string().default(''),
    COSMOS_KEY: z.string().default(''),
    COSMOS_DATABASE: z.string().min(1).default('tenantlink'),
    COSMOS_CONTAINER: z.string().min(1).default('state'),
    INSTANCE_ID: z.string().max(128).default(''),
    // Set by Azure App Service and Azure Container Apps for each instance.
    WEBSITE_INSTANCE_ID: z.string().default(''),
    CONTAINER_APP_REPLICA_NAME: z.string().default(''),
    JOB_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    JOB_SWEEP_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
    SANDBOX_URL: z.union([z.string().url(), z.literal('')]).default(''),
    SANDBOX_CA_FILE: z.string().default(''),
    SANDBOX_SECRET: z.string().default(''),
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    PLAYGROUND: z.enum(['on', 'off']).default('on'),
    PLAYGROUND_PORT: z.coerce.number().int().min(1).max(65535).default(56150),
    ADMIN_SIGNIN_CLIENT_ID: z.string().default(''),
    ADMIN_SIGNIN_CLIENT_SECRET: z.string().default(''),
    // Empty (as .env.sample leaves it) is "not set": the default below applies.
    ADMIN_SIGNIN_CREDENTIAL: z.enum(['secret', 'managedIdentity', '']).optional(),
    ADMIN_SIGNIN_REDIRECT_URI: z.union([z.string().url(), z.literal('')]).default(''),
    TOKEN_CACHE_KEY: z
      .string()
      .superRefine((v, ctx) => {
        const decoded = v === '' ? undefined : decodeKey(v);
        if (decoded && 'problem' in decoded)
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: decoded.problem });
      })
      .default(''),
    // Issue 26 keys, set by infra/ (App Service app settings); read by the code that uses them.
    /** Telemetry exporter: `off`, `console` or `azuremonitor`. */
    TELEMETRY: z.enum(['off', 'console', 'azuremonitor', '']).optional(),
    /** Application Insights connection string (TELEMETRY=azuremonitor). */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
    /** Versionless Key Vault key id, https://<vault>.vault.azure.net/keys/<name>: wraps the token cache key. */
    TOKEN_CACHE_KEY_ID: z
      .string()
      .superRefine((v, ctx) => {
        const parsed = v === '' ? undefined : parseKeyId(v);
        if (parsed && 'problem' in parsed)
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.problem });
      })
      .default(''),
    CONNECTION_GRAPH: z.string().default('graph'),
    CONNECTION_AZURE_SOURCE: z.string().default('azureSource'),
    CONNECTION_AZURE_TARGET: z.string().default('azureTarget'),
    CONNECTION_AZURE_SOURCE_GRAPH: z.string().default('azureSourceGraph'),
  })
  .superRefine((env, ctx) => {
    const mode = env.TENANTLINK_MODE ?? (env.MicrosoftAppId ? 'cloud' : 'local');
    if (mode === 'local' && (env.MicrosoftAppId || env.MicrosoftAppPassword)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['TENANTLINK_MODE'],
        message: 'local mode is refused while MicrosoftAppId/MicrosoftAppPassword are set',
      });
    }
    if (env.TELEMETRY === 'azuremonitor' && !env.APPLICATIONINSIGHTS_CONNECTION_STRING) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['APPLICATIONINSIGHTS_CONNECTION_STRING'],
        message: 'required when TELEMETRY=azuremonitor',
      });
    }
    if (env.STORAGE === 'blob' && !env.BLOB_CONNECTION_STRING && !env.BLOB_ACCOUNT_URL) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['BLOB_CONNECTION_STRING'],
        message: 'required when STORAGE=blob (or BLOB_ACCOUNT_URL with a managed identity)',
      });
    }
    if (env.STORAGE === 'cosmos') {
      for (const name of ['COSMOS_ENDPOINT', 'COSMOS_KEY'] as const) {
        if (!env[name])
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [name],
            message: 'required when STORAGE=cosmos',
          });
      }
    }
    if (mode === 'cloud' && env.MicrosoftAppId) {
      const certificate = [
        env.MicrosoftAppCertificateThumbprint,
        env.MicrosoftAppCertificateKeyFile,
      ];
      if (certificate.filter(Boolean).length === 1) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['MicrosoftAppCertificateKeyFile'],
          message: 'a certificate needs both its thumbprint and its private key file',
        });
      }
      if (env.MicrosoftAppType === 'UserAssignedMSI' && env.MicrosoftAppPassword) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['MicrosoftAppPassword'],
          message:
            'must be empty with MicrosoftAppType=UserAssignedMSI (the managed identity signs in)',
        });
      }
      if (env.MicrosoftAppType !== 'MultiTenant' && !env.MicrosoftAppTenantId) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['MicrosoftAppTenantId'],
          message: `required with MicrosoftAppType=${env.MicrosoftAppType}`,
        });
      }
    }
    if (env.SANDBOX_URL && !env.SANDBOX_CA_FILE) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SANDBOX_CA_FILE'],
        message: 'required with SANDBOX_URL (the sandbox certificate to trust)',
      });
    }
    if (env.SANDBOX_URL && !env.SANDBOX_SECRET) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SANDBOX_SECRET'],
        message: 'required with SANDBOX_URL (the secret of its control API)',
      });
    }
    if (mode === 'cloud' && env.ADMIN_SIGNIN_CLIENT_ID) {
      const credential = adminSignInCredential(env);
      if (credential === 'secret' && !env.ADMIN_SIGNIN_CLIENT_SECRET)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['ADMIN_SIGNIN_CLIENT_SECRET'],
          message:
            'required with ADMIN_SIGNIN_CLIENT_ID and ADMIN_SIGNIN_CREDENTIAL=secret (or, secretless: ADMIN_SIGNIN_CREDENTIAL=managedIdentity with the user-assigned identity in AZURE_CLIENT_ID)',
        });
      if (credential === 'managedIdentity') {
        for (const issue of managedIdentityProblems(env))
          ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue });
      }
      if (!env.ADMIN_SIGNIN_REDIRECT_URI.startsWith('https://'))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['ADMIN_SIGNIN_REDIRECT_URI'],
          message: 'required with ADMIN_SIGNIN_CLIENT_ID: https://<bot host>/auth/azure/callback',
        });
      if (!env.TOKEN_CACHE_KEY && !env.TOKEN_CACHE_KEY_ID)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['TOKEN_CACHE_KEY'],
          message:
            'required with ADMIN_SIGNIN_CLIENT_ID (seals the sign-in tokens at rest): set TOKEN_CACHE_KEY_ID to a Key Vault key (https://<vault>.vault.azure.net/keys/<name>), or TOKEN_CACHE_KEY',
        });
    }
    // Two keys would each seal with a different key: which one opens the stored caches is a
    // guess, and switching silently signs every subscription admin out. So neither wins.
    if (env.TOKEN_CACHE_KEY && env.TOKEN_CACHE_KEY_ID)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['TOKEN_CACHE_KEY_ID'],
        message:
          'set either TOKEN_CACHE_KEY_ID (cloud: a Key Vault key wraps a key the bot makes) or TOKEN_CACHE_KEY (local and development), not both',
      });
    if (mode === 'local' && env.TOKEN_CACHE_KEY_ID)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['TOKEN_CACHE_KEY_ID'],
        message:
          "cloud mode only (the bot's managed identity unwraps the key); local mode keeps its key in the data folder, or takes TOKEN_CACHE_KEY",
      });
    if (mode === 'cloud' && !env.MicrosoftAppId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['MicrosoftAppId'],
        message: 'required in cloud mode',
      });
    }
  });

/**
 * How the subscription admin's sign-in app authenticates (`ADMIN_SIGNIN_CREDENTIAL`): as set, else
 * `secret` when `ADMIN_SIGNIN_CLIENT_SECRET` is set, else `managedIdentity` when the bot is a
 * user-assigned managed identity (`MicrosoftAppType=UserAssignedMSI`), else `secret`.
 */
function adminSignInCredential(env: {
  ADMIN_SIGNIN_CREDENTIAL?: 'secret' | 'managedIdentity' | '' | undefined;
  ADMIN_SIGNIN_CLIENT_SECRET: string;
  MicrosoftAppType: string;
}): 'secret' | 'managedIdentity' {
  if (env.ADMIN_SIGNIN_CREDENTIAL) return env.ADMIN_SIGNIN_CREDENTIAL;
  if (env.ADMIN_SIGNIN_CLIENT_SECRET) return 'secret';
  return env.MicrosoftAppType === 'UserAssignedMSI' ? 'managedIdentity' : 'secret';
}

/**
 * What "Configure an application to trust a managed identity"
 * (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity)
 * rules out for `ADMIN_SIGNIN_CREDENTIAL=managedIdentity`, said to the operator before anything
 * starts: a client secret beside it (contradictory: one more secret to leak); a system-assigned
 * identity ("Only user-assigned managed identities can be used as a federated credential for
 * apps": `AZURE_CLIENT_ID` must name one); another cloud than the three the doc gives a token
 * exchange audience for ("Accessing resources in another cloud is not supported").
 */
function managedIdentityProblems(env: {
  ADMIN_SIGNIN_CLIENT_SECRET: string;
  AZURE_CLIENT_ID: string;
  AUTHORITY_HOST: string;
}): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  if (env.ADMIN_SIGNIN_CLIENT_SECRET)
    problems.push({
      path: ['ADMIN_SIGNIN_CLIENT_SECRET'],
      message:
        'must be empty with ADMIN_SIGNIN_CREDENTIAL=managedIdentity (the sign-in app trusts the managed identity; remove the secret from the settings and from the app registration)',
    });
  if (!env.AZURE_CLIENT_ID)
    problems.push({
      path: ['AZURE_CLIENT_ID'],
      message:
        "required with ADMIN_SIGNIN_CREDENTIAL=managedIdentity: the client id of the user-assigned managed identity the sign-in app's federated credential trusts (a system-assigned identity cannot be a federated credential)",
    });
  if (!tokenExchangeAudience(env.AUTHORITY_HOST))
    problems.push({
      path: ['AUTHORITY_HOST'],
      message:
        'ADMIN_SIGNIN_CREDENTIAL=managedIdentity works only in Microsoft Entra ID global (https://login.microsoftonline.com), US Government (https://login.microsoftonline.us) or China operated by 21Vianet (https://login.chinacloudapi.cn); elsewhere use ADMIN_SIGNIN_CREDENTIAL=secret',
    });
  return problems;
}

/** Validated configuration. Durations in ms. */
export interface Config {
  readonly mode: 'local' | 'cloud';
  readonly port: number;
  /** Interface to listen on: `HOST`, else 127.0.0.1 in local mode and 0.0.0.0 in cloud mode. */
  readonly host: string;
  readonly logLevel: string;
  /**
   * OpenTelemetry (src/telemetry): `TELEMETRY`, by default `azuremonitor` in cloud mode when
   * `APPLICATIONINSIGHTS_CONNECTION_STRING` is set, otherwise `off`; the connection string (not a
   * secret by Microsoft's word, still never logged).
   */
  readonly telemetry: {
    readonly mode: 'off' | 'console' | 'azuremonitor';
    readonly connectionString: string;
  };
  readonly bot: {
    readonly appId: string;
    readonly appPassword: string;
    readonly appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
    readonly tenantId: string;
    /**
     * Base URL of the Bot Framework token service; botbuilder's default (https://api.botframework.com)
     * when undefined. Set it for a regional bot, e.g. https://europe.api.botframework.com
     * (https://learn.microsoft.com/azure/bot-service/ref-oauth-redirect-urls).
     */
    readonly oauthUrl: string | undefined;
    /**
     * Certificate credential instead of a client secret: thumbprint and the path of the PEM file
     * of its private key (read at start, never logged). Empty when a secret or MSI is used.
     */
    readonly certificateThumbprint: string;
    readonly certificateKeyFile: string;
    /**
     * Deadline of every request to the channel's connector (replies, card updates, proactive
     * posts), in ms: `CONNECTOR_TIMEOUT_MS`, 15 s by default (Teams answers within seconds).
     */
    readonly connectorTimeoutMs: number;
    /**
     * Where the channel's signing keys are published and which issuer its tokens carry; Bot
     * Framework's public cloud values when empty
     * (https://login.botframework.com/v1/.well-known/openidconfiguration,
     * https://api.botframework.com). Set for a sovereign cloud, or a test's own key.
     */
    readonly channelOpenIdMetadataUrl: string;
    readonly channelTokenIssuer: string;
  };
  /** Cloud endpoints; in local mode they are replaced by the sandbox's at start. */
  readonly cloud: {
    readonly graphBaseUrl: string;
    readonly armEndpoint: string;
    readonly authorityHost: string;
    readonly portalUrl: string;
    readonly timeoutMs: number;
    readonly maxRetries: number;
    /**
     * How long (ms) the link waits, after the directory change is accepted, for the new directory
     * to show the subscription (`PROPAGATION_TIMEOUT_MS`, 2 h by default: Microsoft says it can
     * take hours), looking first after `PROPAGATION_POLL_MS` (2 s), then twice as long each time
     * up to `PROPAGATION_MAX_POLL_MS` (1 min).
     */
    readonly propagation: {
      readonly timeoutMs: number;
      readonly firstPollMs: number;
      readonly maxPollMs: number;
    };
  };
  /**
   * Where state, conversation references and change records live: `embedded` (default) is a
   * document store on local disk in `directory`; `memory` loses everything on restart (tests);
   * `blob` is Azure Blob Storage (botbuilder-azure-blobs); `cosmos` is Azure Cosmos DB
   * (botbuilder-azure).
   */
  readonly storage: {
    readonly kind: 'embedded' | 'memory' | 'blob' | 'cosmos';
    readonly directory: string;
    /** Azure Storage connection string (a secret) and container, for `blob`. */
    readonly blobConnectionString: string;
    /**
     * Instead of a connection string: the account's blob endpoint
     * (`https://<account>.blob.core.windows.net`), reached with the managed identity whose client
     * id is `managedIdentityClientId` (role Storage Blob Data Contributor), or with
     * DefaultAzureCredential when that is empty.
     */
    readonly blobAccountUrl: string;
    readonly managedIdentityClientId: string;
    readonly blobContainer: string;
    /** Cosmos DB account endpoint and key (a secret), database and container, for `cosmos`. */
    readonly cosmos: {
      readonly endpoint: string;
      readonly key: string;
      readonly database: string;
      readonly container: string;
    };
  };
  /**
   * The sandbox cloud of local mode: started on `port`, or, when `url` is set, one already running
   * (several local instances sharing one sandbox), trusted through its certificate in `caFile`,
   * its control API called with `secret`.
   */
  readonly sandbox: {
    readonly port: number;
    readonly url: string;
    readonly caFile: string;
    readonly secret: string;
  };
  /**
   * Running several instances on one store: this instance's stable name (defaults to the App
   * Service / Container Apps instance name, else the host name), the lease of a background job
   * and how often to look for jobs whose instance died, and how long a stopping instance waits
   * for its jobs before handing them over (all in ms).
   */
  readonly scaleOut: {
    readonly instanceId: string;
    readonly jobLeaseMs: number;
    readonly jobSweepMs: number;
    readonly shutdownGraceMs: number;
  };
  readonly playground: { readonly enabled: boolean; readonly port: number };
  /**
   * The subscription admin's own sign-in (src/auth/directorySignIn.ts): the app registration
   * (multi-tenant, personal accounts allowed) and its credential (a secret, or the managed
   * identity's federated credential), the redirect URI registered for it
   * (tenantlink's `/auth/azure/callback`), and the key that seals tokens at rest (base64, 32
   * bytes) or, in the cloud, the Key Vault key that wraps a key the bot makes (`cacheKeyId`,
   * src/auth/wrappedKey.ts; exclusive with `cacheKey`). In cloud mode, an empty `clientId` keeps the `azureSource` OAuth connections (which
   * cannot sign a Microsoft account in to ARM); local mode uses the sandbox's values and, when no
   * key is set, one made once and kept in the data folder (src/auth/sealedStore.ts `keptKey`).
   */
  readonly adminSignIn: {
    readonly clientId: string;
    /**
     * How the sign-in app authenticates to the token endpoint (`ADMIN_SIGNIN_CREDENTIAL`):
     * `secret` (`clientSecret`), or `managedIdentity`: a client assertion that is a token of the
     * user-assigned managed identity `managedIdentityClientId` (`AZURE_CLIENT_ID`) for
     * `assertionAudience`, which the app registration trusts through a federated identity
     * credential (src/auth/managedIdentityAssertion.ts). Locally, the sandbox's app registration
     * and identity for that credential.
     */
    readonly credential: 'secret' | 'managedIdentity';
    readonly managedIdentityClientId: string;
    /**
     * The token exchange audience of the authority host's cloud (`api://AzureADTokenExchange` in
     * the global service); empty for a host with none documented.
     */
    readonly assertionAudience: string;
    readonly clientSecret: string;
    readonly redirectUri: string;
    readonly cacheKey: string;
    /**
     * `TOKEN_CACHE_KEY_ID`: versionless Key Vault key identifier
     * (`https://<vault>.vault.azure.net/keys/<name>`), cloud mode only; '' when not set.
     */
    readonly cacheKeyId: string;
  };
  /** Bot Framework OAuth connection names (cloud mode). */
  readonly connections: OAuthConnections;
}

/**
 * Parses and validates the environment.
 * @param env variables (the composition root passes `process.env`)
 * @throws TenantlinkError `configInvalid` (TL-CONFIG-INVALID) listing every invalid variable (names
 *   only, never values)
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    // Never the received value: a misplaced secret must not reach the log or the console.
    const problems = parsed.error.issues
      .map(
        (i) =>
          `${i.path.join('.')}: ${
            i.code === z.ZodIssueCode.invalid_enum_value
              ? `expected one of ${i.options.join(', ')}`
              : i.message
          }`,
      )
      .join('; ');
    throw new TenantlinkError('configInvalid', { detail: `Invalid configuration: ${problems}` });
  }
  const e = parsed.data;
  const mode = e.TENANTLINK_MODE ?? (e.MicrosoftAppId ? 'cloud' : 'local');
  return {
    mode,
    port: e.PORT,
    // Local mode has no JWT check: it listens on loopback unless an address is set explicitly.
    host: e.HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL,
    telemetry: {
      // Left empty (as .env.sample has it): the default.
      mode:
        e.TELEMETRY ||
        (mode === 'cloud' && e.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'azuremonitor' : 'off'),
      connectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING ?? '',
    },
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
      oauthUrl: e.BOT_OAUTH_URL || undefined,
      certificateThumbprint: e.MicrosoftAppCertificateThumbprint,
      certificateKeyFile: e.MicrosoftAppCertificateKeyFile,
      channelOpenIdMetadataUrl: e.BOT_OPENID_METADATA_URL,
      channelTokenIssuer: e.BOT_TOKEN_ISSUER,
      connectorTimeoutMs: e.CONNECTOR_TIMEOUT_MS,
    },
    cloud: {
      graphBaseUrl: e.GRAPH_BASE_URL,
      armEndpoint: e.ARM_ENDPOINT,
      authorityHost: e.AUTHORITY_HOST,
      portalUrl: e.AZURE_PORTAL_URL,
      timeoutMs: e.CLOUD_TIMEOUT_MS,
      maxRetries: e.CLOUD_MAX_RETRIES,
      propagation: {
        timeoutMs: e.PROPAGATION_TIMEOUT_MS,
        firstPollMs: e.PROPAGATION_POLL_MS,
        maxPollMs: e.PROPAGATION_MAX_POLL_MS,
      },
    },
    storage: {
      kind: e.STORAGE,
      directory: e.STORAGE_DIR,
      blobConnectionString: e.BLOB_CONNECTION_STRING,
      blobAccountUrl: e.BLOB_ACCOUNT_URL,
      managedIdentityClientId: e.AZURE_CLIENT_ID,
      blobContainer: e.BLOB_CONTAINER,
      cosmos: {
        endpoint: e.COSMOS_ENDPOINT,
        key: e.COSMOS_KEY,
        database: e.COSMOS_DATABASE,
        container: e.COSMOS_CONTAINER,
      },
    },
    sandbox: {
      port: e.SANDBOX_PORT,
      url: e.SANDBOX_URL,
      caFile: e.SANDBOX_CA_FILE,
      secret: e.SANDBOX_SECRET,
    },
    scaleOut: {
      instanceId:
        e.INSTANCE_ID || e.WEBSITE_INSTANCE_ID || e.CONTAINER_APP_REPLICA_NAME || hostname(),
      jobLeaseMs: e.JOB_LEASE_MS,
      jobSweepMs: e.JOB_SWEEP_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    },
    playground: { enabled: e.PLAYGROUND === 'on', port: e.PLAYGROUND_PORT },
    adminSignIn: {
      clientId: e.ADMIN_SIGNIN_CLIENT_ID,
      credential: adminSignInCredential(e),
      managedIdentityClientId: e.AZURE_CLIENT_ID,
      assertionAudience: tokenExchangeAudience(e.AUTHORITY_HOST) ?? '',
      clientSecret: e.ADMIN_SIGNIN_CLIENT_SECRET,
      redirectUri: e.ADMIN_SIGNIN_REDIRECT_URI,
      cacheKey: e.TOKEN_CACHE_KEY,
      cacheKeyId: e.TOKEN_CACHE_KEY_ID,
    },
    connections: {
      graph: e.CONNECTION_GRAPH,
      azureSource: e.CONNECTION_AZURE_SOURCE,
      azureTarget: e.CONNECTION_AZURE_TARGET,
      azureSourceGraph: e.CONNECTION_AZURE_SOURCE_GRAPH,
    },
  };
}

/**
 * A summary of the configuration that is safe to log: secrets are replaced by whether they are set.
 */
export function redactedSummary(config: Config): Record<string, unknown> {
  return {
    ...config,
    bot: { ...config.bot, appPassword: config.bot.appPassword ? '[set]' : '[empty]' },
    telemetry: {
      ...config.telemetry,
      connectionString: config.telemetry.connectionString ? '[set]' : '[empty]',
    },
    sandbox: { ...config.sandbox, secret: config.sandbox.secret ? '[set]' : '[empty]' },
    adminSignIn: {
      ...config.adminSignIn,
      clientSecret: config.adminSignIn.clientSecret ? '[set]' : '[empty]',
      cacheKey: config.adminSignIn.cacheKey ? '[set]' : '[empty]',
    },
    storage: {
      ...config.storage,
      blobConnectionString: config.storage.blobConnectionString ? '[set]' : '[empty]',
      cosmos: { ...config.storage.cosmos, key: config.storage.cosmos.key ? '[set]' : '[empty]' },
    },
  };
}
