import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import JSZip from 'jszip';
import { z } from 'zod';
import { manifestValidator, newestManifestVersion } from './manifestSchema';

/**
 * `npm run package`: builds the Teams app package (appPackage/build/tenantlink.zip) from
 * appPackage/ with the ids filled in: TEAMS_APP_ID (the Teams app's id, a GUID), the bot's
 * MicrosoftAppId and, for Teams SSO, SSO_APP_ID (defaults to MicrosoftAppId). The ids come from
 * the environment, then the azd environment that `azd up` filled (`.azure/<env>/.env`: BOT_ID,
 * SSO_APP_ID, TEAMS_APP_ID), then `.env`. The manifest and its localization files are validated
 * against the newest schema `@microsoft/app-manifest` ships before anything is written. The zip is
 * what Teams' "Upload an app" and `New-TeamsApp -DistributionMethod organization` take.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids the manifest needs. */
export const PackageIds = z.object({
  TEAMS_APP_ID: z.string().regex(GUID, 'must be a GUID'),
  MicrosoftAppId: z.string().regex(GUID, 'must be a GUID (the Azure Bot app registration id)'),
  /**
   * The app registration that exposes `api://botid-<id>` for Teams SSO: the bot's own by default;
   * with a managed-identity bot (which has no app registration) the OAuth connections' app
   * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-manifest).
   */
  SSO_APP_ID: z
    .string()
    .regex(GUID, 'must be a GUID (the app registration that exposes api://botid-<id>)')
    .or(z.literal(''))
    .optional(),
});

/** Thrown when the filled manifest or a localization file does not meet Microsoft's schema. */
export class ManifestSchemaError extends Error {
  /**
   * @param file the package file that failed
   * @param errors one `instancePath message` line per schema error
   */
  constructor(
    readonly file: string,
    readonly errors: readonly string[],
  ) {
    super(`${file} does not meet the Teams app manifest schema: ${errors.join('; ')}`);
    this.name = 'ManifestSchemaError';
  }
}

/** Localization files of the package (each listed in the manifest's `localizationInfo`). */
const LOCALIZATIONS = ['zh-TW.json', 'sv-SE.json', 'nl-NL.json', 'fr-FR.json'];
/** Files of the package, besides the manifest. */
const FILES = ['color.png', 'outline.png', ...LOCALIZATIONS];

/**
 * Builds the zip in memory, after validating the filled manifest against the newest manifest
 * schema (its `manifestVersion` must be that version) and each localization file against the
 * same version's localization schema.
 * @param dir the appPackage folder
 * @throws ZodError when an id is missing or not a GUID; ManifestSchemaError when a file fails
 *   the schema
 */
export async function buildAppPackage(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<Buffer> {
  const ids = PackageIds.parse(env);
  const text = readFileSync(join(dir, 'manifest.json'), 'utf8')
    .replaceAll('${{TEAMS_APP_ID}}', ids.TEAMS_APP_ID)
    .replaceAll('${{SSO_APP_ID}}', ids.SSO_APP_ID || ids.MicrosoftAppId)
    .replaceAll('${{BOT_ID}}', ids.MicrosoftAppId);
  const version = newestManifestVersion();
  const manifest = JSON.parse(text) as { manifestVersion?: unknown };
  if (manifest.manifestVersion !== version)
    throw new ManifestSchemaError('manifest.json', [
      `/manifestVersion is ${String(manifest.manifestVersion)}, the newest schema is ${version}`,
    ]);
  const verdict = manifestValidator(version, 'MicrosoftTeams.schema.json')(manifest);
  if (!verdict.ok) throw new ManifestSchemaError('manifest.json', verdict.errors);
  const localization = manifestValidator(version, 'MicrosoftTeams.Localization.schema.json');
  for (const file of LOCALIZATIONS) {
    const v = localization(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!v.ok) throw new ManifestSchemaError(file, v.errors);
  }
  const zip = new JSZip();
  zip.file('manifest.json', text);
  for (const file of FILES) zip.file(file, readFileSync(join(dir, file)));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/**
 * The values of the azd environment that `azd up` wrote (`.azure/<name>/.env`, the deployment's
 * outputs; https://learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables).
 * The name is AZURE_ENV_NAME, else `defaultEnvironment` of `.azure/config.json`.
 * @returns the variables, or `{}` when there is no azd environment
 */
export function readAzdEnvironment(
  root: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const azure = join(root, '.azure');
  let name = env.AZURE_ENV_NAME;
  if (!name && existsSync(join(azure, 'config.json'))) {
    const config = JSON.parse(readFileSync(join(azure, 'config.json'), 'utf8')) as {
      defaultEnvironment?: unknown;
    };
    if (typeof config.defaultEnvironment === 'string') name = config.defaultEnvironment;
  }
  if (!name || !/^[\w.-]+$/.test(name)) return {};
  const file = join(azure, name, '.env');
  return existsSync(file) ? (parseEnv(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

/**
 * The variables `npm run package` reads: the process environment first, then the azd
 * environment, then `.env`; the deployment's `BOT_ID` is the bot's `MicrosoftAppId` when that
 * is not set.
 */
export function packageEnvironment(
  root: string,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const dotenv = existsSync(join(root, '.env'))
    ? (parseEnv(readFileSync(join(root, '.env'), 'utf8')) as Record<string, string>)
    : {};
  const merged = { ...dotenv, ...readAzdEnvironment(root, env), ...env };
  return { ...merged, MicrosoftAppId: merged.MicrosoftAppId || merged.BOT_ID };
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const dir = join(root, 'appPackage');
  const zip = await buildAppPackage(dir, packageEnvironment(root, process.env));
  mkdirSync(join(dir, 'build'), { recursive: true });
  const out = join(dir, 'build', 'tenantlink.zip');
  writeFileSync(out, zip);
  process.stdout.write(`${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const message =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`package failed: ${message}\n`);
    process.exit(1);
  });
}
