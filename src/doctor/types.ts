import type { TokenCredential } from '@azure/core-auth';
import type { KeyClientOptions } from '@azure/keyvault-keys';
import type { Storage } from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import type { LocalCloudEndpoints } from '../app';
import type { CloudHttpOptions } from '../cloud/http';
import type { Config } from '../config';
import type { ErrorName } from '../errors';
import type { MessageParams } from '../i18n';
import type { ConnectionSettingsReader } from './connectionSettings';
import type { Deployment } from './env';

/**
 * The shapes shared by `npm run doctor`'s checks (src/doctor/checks/*) and its runner.
 */

/** What the doctor checks, in the order it prints them. */
export type CheckId =
  | 'identity'
  | 'endpoint'
  | 'connections'
  | 'signInApp'
  | 'consent'
  | 'storage'
  | 'tokenCacheKey'
  | 'keyVault'
  | 'package';

/** One line of the report: passed, failed (with its catalogue entry and fix) or not checked. */
export interface Finding {
  readonly check: CheckId;
  readonly status: 'pass' | 'fail' | 'skip';
  /** The catalogue entry of a failure (its stable TL- code). */
  readonly error?: ErrorName;
  /** What was found, localized. */
  readonly text: string;
  /** The exact fix (portal path or command), localized; failures only. */
  readonly fix?: string;
}

/** Formats a message of the locale catalogue (locales/*.json) in the operator's locale. */
export type Translate = (key: string, params?: MessageParams) => string;

/** Everything a check may use; built once by the runner (src/doctor/runner.ts). */
export interface DoctorContext {
  readonly config: Config;
  /** The deployment's names (azd outputs or environment): bot, SSO app, site, resource group. */
  readonly deployment: Deployment;
  readonly t: Translate;
  /** TLS trust (the sandbox's certificate in local mode), time limit (ms) and retries. */
  readonly http: CloudHttpOptions;
  /** The cloud's endpoints: the sandbox's in local mode, Microsoft's (configuration) in cloud mode. */
  readonly endpoints: {
    readonly graphBaseUrl: string;
    readonly armEndpoint: string;
    readonly authorityHost: string;
  };
  /** Root URL of the bot under test (`http://127.0.0.1:3978`, `https://<site>`), when known. */
  readonly botUrl: string | undefined;
  /** The sandbox (local mode), when the doctor can reach it. */
  readonly sandbox: LocalCloudEndpoints | undefined;
  /** The Bot Framework token service client the bot itself uses, when there is one. */
  readonly userTokenClient: (() => Promise<UserTokenClient>) | undefined;
  /** Reads the Azure Bot's OAuth connection settings (ARM, or the sandbox's stand-in). */
  readonly connectionSettings: ConnectionSettingsReader | undefined;
  /** The operator's own credential (DefaultAzureCredential: azd, Azure CLI), cloud mode only. */
  readonly operator: TokenCredential | undefined;
  /** The bot's store, opened through the bot's own factory; undefined when another process holds it. */
  readonly storage: Storage | undefined;
  /** Path of the built Teams package (appPackage/build/tenantlink.zip). */
  readonly packagePath: string;
  /** Whether this process runs on Azure App Service (IDENTITY_ENDPOINT set: managed identity available). */
  readonly onAzure: boolean;
  /**
   * The bot's own Azure credential on Azure (src/app.ts `botCredential` when absent); tests give
   * the sandbox's managed identity.
   */
  readonly botCredential?: TokenCredential;
  /**
   * Options of the Key Vault clients (TLS trust, the sandbox's route `sandboxVaultRoute`), as
   * src/app.ts `AppOptions.keyVaultClientOptions` gives the bot's; the SDK's defaults when absent.
   */
  readonly keyVaultClientOptions?: KeyClientOptions;
  /** Findings of checks already run (later checks skip what an earlier one found broken). */
  readonly earlier: readonly Finding[];
}

/** One check: its findings for the context (never throws: a crash is a finding of the runner). */
export type Check = (ctx: DoctorContext) => Promise<Finding[]>;
