import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import JSZip from 'jszip';
import { z } from 'zod';

/**
 * `npm run package`: builds the Teams app package (appPackage/build/tenantlink.zip) from
 * appPackage/ with the ids filled in: TEAMS_APP_ID (the Teams app's id, a GUID), the bot's
 * MicrosoftAppId and, for Teams SSO, SSO_APP_ID (defaults to MicrosoftAppId), read from .env or
 * the environment. The zip is what Teams' "Upload an app" takes.
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

/** Files of the package, besides the manifest. */
const FILES = ['color.png', 'outline.png', 'zh-TW.json', 'sv-SE.json', 'nl-NL.json', 'fr-FR.json'];

/**
 * Builds the zip in memory.
 * @param dir the appPackage folder
 * @throws ZodError when an id is missing or not a GUID
 */
export async function buildAppPackage(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<Buffer> {
  const ids = PackageIds.parse(env);
  const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8')
    .replaceAll('${{TEAMS_APP_ID}}', ids.TEAMS_APP_ID)
    .replaceAll('${{SSO_APP_ID}}', ids.SSO_APP_ID || ids.MicrosoftAppId)
    .replaceAll('${{BOT_ID}}', ids.MicrosoftAppId);
  const zip = new JSZip();
  zip.file('manifest.json', manifest);
  for (const file of FILES) zip.file(file, readFileSync(join(dir, file)));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
  const dir = join(root, 'appPackage');
  const zip = await buildAppPackage(dir, process.env);
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
