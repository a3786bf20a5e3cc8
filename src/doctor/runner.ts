import { join, resolve } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { KeyClientOptions } from '@azure/keyvault-keys';
import { DefaultAzureCredential } from '@azure/identity';
import { MemoryStorage, type Storage } from 'botbuilder';
import { request } from 'undici';
import {
  loadLocalMode,
  openStorage,
  startApp,
  type App,
  type LocalCloudEndpoints,
  type LocalMode,
} from '../app';
import { loadConfig, type Config } from '../config';
import { Localizer } from '../i18n';
import { projectRoot } from '../paths';
import { EmbeddedStorage } from '../state/embeddedStorage';
import { connectionsCheck } from './checks/connections';
import { consentCheck } from './checks/consent';
import { endpointCheck } from './checks/endpoint';
import { identityCheck } from './checks/identity';
import { keyVaultCheck } from './checks/keyVault';
import { signInAppCheck } from './checks/signInApp';
import { storageCheck, storageFailure } from './checks/storage';
import { teamsPackageCheck } from './checks/teamsPackage';
import { tokenCacheKeyCheck } from './checks/tokenCacheKey';
import {
  armConnectionSettings,
  sandboxConnectionSettings,
  type ConnectionSettingsReader,
} from './connectionSettings';
import { doctorEnvironment } from './env';
import { fail, reasonOf } from './findings';
import { formatReport } from './output';
import { cloudUserTokenClient, sandboxUserTokenClient } from './tokenService';
import type { Check, CheckId, DoctorContext, Finding, Translate } from './types';

/**
 * `npm run doctor`'s runner: reads the configuration as `npm start` does (src/doctor/env.ts),
 * opens the bot's store through the bot's own factory, in local mode starts the sandbox and the
 * bot as `npm start` does (src/app.ts `startApp`, without the Playground) unless a bot already
 * answers on its port, runs every check in order and formats the report. Every check runs even
 * when an earlier one failed; a check that throws becomes a TL-DOCTOR-CHECK-FAILED finding.
 */

/** Options of {@link runDoctor}; tests give their own environment, sandbox and credential. */
export interface DoctorOptions {
  /** The project folder: .env, .azure/ and appPackage/build/ are read there. */
  readonly cwd: string;
  /** The process environment. */
  readonly env: Record<string, string | undefined>;
  /** A running sandbox to check (tests); else SANDBOX_URL's, or the one started with the bot. */
  readonly sandbox?: LocalCloudEndpoints;
  /** The Teams package; `{cwd}/appPackage/build/tenantlink.zip` by default. */
  readonly packagePath?: string;
  /** The report's locale; from `LANG` (e.g. `fr_FR.UTF-8`) by default, else en-US. */
  readonly locale?: string;
  /** The operator's credential in cloud mode; DefaultAzureCredential by default. */
  readonly operator?: TokenCredential;
  /** Local mode's parts (tests); loaded from the development entry by default. */
  readonly local?: LocalMode;
  /** The bot's credential on Azure (tests); src/app.ts `botCredential` by default. */
  readonly botCredential?: TokenCredential;
  /** Options of the Key Vault clients (tests: the sandbox's route and TLS); the SDK's by default. */
  readonly keyVaultClientOptions?: KeyClientOptions;
}

/** The outcome: every finding, how many failed, and the report's text. */
export interface DoctorReport {
  readonly mode: Config['mode'];
  readonly findings: readonly Finding[];
  readonly failed: number;
  readonly text: string;
}

/** The checks after the store's, in report order (the store's runs before the bot starts). */
const CHECKS: readonly [CheckId, Check][] = [
  ['identity', identityCheck],
  ['endpoint', endpointCheck],
  ['connections', connectionsCheck],
  ['signInApp', signInAppCheck],
  ['consent', consentCheck],
  // After the store's finding (printed after consent): it reads the store's wrapped key record.
  ['tokenCacheKey', tokenCacheKeyCheck],
  ['keyVault', keyVaultCheck],
  ['package', teamsPackageCheck],
];

/**
 * Runs the doctor.
 * @throws TenantlinkError configInvalid (TL-CONFIG-INVALID) when the configuration is invalid
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { env, deployment } = doctorEnvironment(options.cwd, options.env);
  const config = loadConfig({ ...env, PLAYGROUND: 'off' });
  const t = doctorTranslator(options.locale ?? localeOf(env.LANG));
  const local = config.mode === 'local';
  const http = { timeoutMs: config.cloud.timeoutMs, maxRetries: config.cloud.maxRetries };
  const base: DoctorContext = {
    config,
    deployment,
    t,
    http,
    endpoints: config.cloud,
    botUrl: deployment.messagingEndpoint ? new URL(deployment.messagingEndpoint).origin : undefined,
    sandbox: undefined,
    userTokenClient: undefined,
    connectionSettings: undefined,
    operator: undefined,
    storage: undefined,
    packagePath:
      options.packagePath ?? resolve(options.cwd, 'appPackage', 'build', 'tenantlink.zip'),
    onAzure: Boolean(env.IDENTITY_ENDPOINT),
    ...(options.botCredential ? { botCredential: options.botCredential } : {}),
    ...(options.keyVaultClientOptions
      ? { keyVaultClientOptions: options.keyVaultClientOptions }
      : {}),
    earlier: [],
  };

  const running = local ? await localBotAt(config) : undefined;
  // The store: through the bot's own factory, unless a running bot holds the embedded one.
  let storage: Storage | undefined;
  let storageFinding: Finding;
  if (running && config.storage.kind === 'embedded') {
    storageFinding = (await storageCheck(base))[0]!;
  } else {
    try {
      storage = await openStorage({
        ...config,
        // Off Azure the managed identity cannot sign in: the operator's own credential is used.
        storage: base.onAzure ? config.storage : { ...config.storage, managedIdentityClientId: '' },
      });
      storageFinding = (await storageCheck({ ...base, storage }))[0]!;
    } catch (err) {
      storageFinding = storageFailure(base, 'open', reasonOf(err));
    }
  }

  let app: App | undefined;
  const findings: Finding[] = [];
  try {
    let sandbox = options.sandbox;
    let botUrl = base.botUrl;
    if (local) {
      const parts = options.local ?? (await loadLocalMode());
      if (running) {
        botUrl = running;
        sandbox ??= config.sandbox.url ? (await parts.cloud(config)).endpoints : undefined;
      } else {
        try {
          app = await startApp(config, {
            local: parts,
            ...(sandbox ? { sandbox } : {}),
            // A store that failed its check is replaced so that the other checks can run.
            storage: storageFinding.status === 'pass' && storage ? storage : new MemoryStorage(),
          });
          botUrl = app.server.url;
          sandbox = app.sandbox;
        } catch (err) {
          findings.push(
            fail(
              'endpoint',
              'doctorCheckFailed',
              t('doctor.fail.checkFailed', { check: 'npm start', reason: reasonOf(err) }),
              t('doctor.fix.checkFailed'),
            ),
          );
        }
      }
    }
    const operator = local ? undefined : (options.operator ?? new DefaultAzureCredential());
    const ctx: DoctorContext = {
      ...base,
      botUrl,
      sandbox,
      storage,
      operator,
      http: { ...http, ...(sandbox ? { caCertificatePem: sandbox.caCertificatePem } : {}) },
      endpoints: sandbox ?? config.cloud,
      userTokenClient: tokenClient(config, sandbox, base.onAzure),
      connectionSettings: settingsReader(config, deployment, operator, sandbox),
    };
    for (const [id, check] of CHECKS) {
      findings.push(...(await runCheck(id, check, { ...ctx, earlier: findings }, t)));
      if (id === 'consent') findings.push(storageFinding);
    }
  } finally {
    await app?.stop();
    if (storage instanceof EmbeddedStorage) await storage.close();
  }
  const failed = findings.filter((f) => f.status === 'fail').length;
  return { mode: config.mode, findings, failed, text: formatReport(findings, config.mode, t) };
}

/**
 * The doctor's messages in `locale` (en-US when undefined or unknown). The Localizer escapes
 * parameters for Teams' Markdown (src/i18n/markdown.ts `plainText`); a terminal shows text as it
 * is, so the backslash escapes are taken out again (the doctor's messages hold no backslash).
 */
export function doctorTranslator(locale: string | undefined): Translate {
  const localizer = new Localizer(join(projectRoot(), 'locales'));
  return (key, params) =>
    localizer.t(locale, key, params).replace(/\\([\\*`[\]<>|~_#+=.)&-])/g, '$1');
}

/** One check; anything it throws is a finding, not the end of the run. */
async function runCheck(id: CheckId, check: Check, ctx: DoctorContext, t: Translate) {
  try {
    return await check(ctx);
  } catch (err) {
    return [
      fail(
        id,
        'doctorCheckFailed',
        t('doctor.fail.checkFailed', { check: id, reason: reasonOf(err) }),
        t('doctor.fix.checkFailed'),
      ),
    ];
  }
}

/** The token service client: the sandbox's in local mode, the bot's own in cloud mode. */
function tokenClient(config: Config, sandbox: LocalCloudEndpoints | undefined, onAzure: boolean) {
  if (config.mode === 'local')
    return sandbox ? sandboxUserTokenClient(sandbox, config.cloud.timeoutMs) : undefined;
  // A managed identity signs the requests only on Azure (see the identity check).
  if (config.bot.appType === 'UserAssignedMSI' && !onAzure) return undefined;
  return cloudUserTokenClient(config);
}

/** Where the connections' settings are read: the sandbox, or ARM with the operator's credential. */
function settingsReader(
  config: Config,
  d: DoctorContext['deployment'],
  operator: TokenCredential | undefined,
  sandbox: LocalCloudEndpoints | undefined,
): ConnectionSettingsReader | undefined {
  if (config.mode === 'local')
    return sandbox ? sandboxConnectionSettings(sandbox, config.cloud.timeoutMs) : undefined;
  if (!operator || !d.subscriptionId || !d.resourceGroup || !d.botName) return undefined;
  return armConnectionSettings(operator, d, {
    timeoutMs: config.cloud.timeoutMs,
    maxRetries: config.cloud.maxRetries,
    armEndpoint: config.cloud.armEndpoint,
  });
}

/**
 * The URL of a local bot already answering on the configured port (its fixed refusal body
 * `{ error: { code: 'TL-…' } }` for an empty activity), else undefined. Port 0 picks a free port:
 * nothing can be running there.
 */
async function localBotAt(config: Config): Promise<string | undefined> {
  if (config.port === 0) return undefined;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  try {
    const res = await request(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      headersTimeout: config.cloud.timeoutMs,
      bodyTimeout: config.cloud.timeoutMs,
    });
    const text = await res.body.text();
    return /"code":"TL-/.test(text) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A BCP 47 tag from a POSIX locale (`fr_FR.UTF-8` → `fr-FR`); undefined for C/POSIX/unset. */
function localeOf(lang: string | undefined): string | undefined {
  const m = /^([a-z]{2,3})(?:_([A-Z]{2}))?/.exec(lang ?? '');
  return m ? (m[2] ? `${m[1]}-${m[2]}` : m[1]) : undefined;
}
