import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Where `npm run doctor` reads its configuration: the same as `npm start` (the process
 * environment, then `.env` in the working folder for what it does not set, src/index.ts), and,
 * when the folder holds an azd environment, that environment's values for anything still missing:
 * `.azure/<AZURE_ENV_NAME>/.env`, the environment named by `AZURE_ENV_NAME` or else azd's default
 * (`defaultEnvironment` of `.azure/config.json`), where `azd provision` writes the template's
 * outputs ("Work with environment variables",
 * https://learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables).
 */

/** The deployment's names the doctor needs beside the bot's configuration (azd outputs). */
export interface Deployment {
  /** The bot's app id (managed identity client id): `BOT_ID`, else `MicrosoftAppId`. */
  readonly botId: string;
  /** Client id of the Entra app of the Teams SSO API and the OAuth connections: `SSO_APP_ID`. */
  readonly ssoAppId: string;
  /** The Azure Bot resource's name: `BOT_NAME`. */
  readonly botName: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The App Service site: `SITE_NAME`. */
  readonly siteName: string;
  /** The public messaging endpoint: `MESSAGING_ENDPOINT`, else `https://{BOT_DOMAIN}/api/messages`. */
  readonly messagingEndpoint: string;
  /** The azd environment read, when there was one. */
  readonly azdEnvironment: string | undefined;
}

/** The configuration sources, merged, and the deployment's names. */
export interface DoctorEnvironment {
  /** Variables for `loadConfig` (process first, then .env, then the azd environment). */
  readonly env: Record<string, string | undefined>;
  readonly deployment: Deployment;
}

/** Reads a dotenv file into variables; empty when the file is absent. */
function readEnvFile(file: string): Record<string, string> {
  return existsSync(file) ? (parseEnv(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

/** The azd environment's name: `AZURE_ENV_NAME`, else `defaultEnvironment` of .azure/config.json. */
function azdEnvironmentName(cwd: string, env: Record<string, string | undefined>): string {
  if (env.AZURE_ENV_NAME) return env.AZURE_ENV_NAME;
  const file = join(cwd, '.azure', 'config.json');
  if (!existsSync(file)) return '';
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { defaultEnvironment?: unknown };
  return typeof parsed.defaultEnvironment === 'string' ? parsed.defaultEnvironment : '';
}

/**
 * The configuration keys azd's outputs (infra/main.bicep) fill when nothing else set them: same
 * names where the bot's configuration uses them, and, unless `TENANTLINK_MODE=local`, the bot's
 * identity from `BOT_ID` (the user-assigned managed identity is the bot,
 * `MicrosoftAppType=UserAssignedMSI`), its tenant and its Blob store.
 */
function fromAzd(azd: Record<string, string>, local: boolean): Record<string, string> {
  const same = [
    'ADMIN_SIGNIN_CLIENT_ID',
    'ADMIN_SIGNIN_REDIRECT_URI',
    'ADMIN_SIGNIN_CREDENTIAL',
    'TOKEN_CACHE_KEY_ID',
    'BLOB_ACCOUNT_URL',
    'BLOB_CONTAINER',
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    'CONNECTION_GRAPH',
    'CONNECTION_AZURE_TARGET',
    'CONNECTION_AZURE_SOURCE',
    'CONNECTION_AZURE_SOURCE_GRAPH',
  ];
  const out: Record<string, string> = {};
  for (const k of same) if (azd[k]) out[k] = azd[k];
  // An explicitly local run stays local: the deployment's identity and store are not taken.
  if (local) return out;
  if (azd.BOT_ID) {
    out.MicrosoftAppId = azd.BOT_ID;
    out.MicrosoftAppType = 'UserAssignedMSI';
    out.AZURE_CLIENT_ID = azd.BOT_ID;
  }
  if (azd.AZURE_TENANT_ID) out.MicrosoftAppTenantId = azd.AZURE_TENANT_ID;
  if (azd.BLOB_ACCOUNT_URL) out.STORAGE = 'blob';
  return out;
}

/**
 * Merges the sources (earlier wins): the process environment, `.env`, the azd environment.
 * @param cwd the project folder (where `npm start` reads .env)
 * @param processEnv the process environment
 * @throws SyntaxError when .azure/config.json is not JSON
 */
export function doctorEnvironment(
  cwd: string,
  processEnv: Record<string, string | undefined>,
): DoctorEnvironment {
  const dotenv = readEnvFile(join(cwd, '.env'));
  const base = { ...dotenv, ...definedOnly(processEnv) };
  const name = azdEnvironmentName(cwd, base);
  const azd = name ? readEnvFile(join(cwd, '.azure', name, '.env')) : {};
  const filled = fromAzd(azd, base.TENANTLINK_MODE === 'local');
  const env = { ...filled, ...base };
  const pick = (k: string): string => env[k] ?? azd[k] ?? '';
  const domain = pick('BOT_DOMAIN');
  return {
    env,
    deployment: {
      botId: pick('BOT_ID') || pick('MicrosoftAppId'),
      ssoAppId: pick('SSO_APP_ID'),
      botName: pick('BOT_NAME'),
      subscriptionId: pick('AZURE_SUBSCRIPTION_ID'),
      resourceGroup: pick('AZURE_RESOURCE_GROUP'),
      siteName: pick('SITE_NAME'),
      messagingEndpoint:
        pick('MESSAGING_ENDPOINT') || (domain ? `https://${domain}/api/messages` : ''),
      azdEnvironment: name && Object.keys(azd).length > 0 ? name : undefined,
    },
  };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}
