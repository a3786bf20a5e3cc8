import { existsSync, readFileSync } from 'node:fs';
import { fail, pass, reasonOf, skip } from '../findings';
import type { Check, DoctorContext, Finding } from '../types';

/**
 * The Teams package's ids match the registration, when a package was built (`npm run package`,
 * appPackage/build/tenantlink.zip): the manifest's `bots[0].botId` is the bot's app id
 * (`MicrosoftAppId`, `BOT_ID` of the deployment) and `webApplicationInfo.id` the app that exposes
 * the SSO API (`SSO_APP_ID`, the bot's app id when unset), with `webApplicationInfo.resource`
 * `api://botid-{id}` ("Update app manifest for SSO",
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-manifest;
 * manifest schema, `bots.botId`: "The Microsoft App ID specified for the bot in the Bot Framework
 * portal", https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema#bots).
 * A package with another bot's id installs, and its messages go to that other bot.
 */

interface Manifest {
  bots?: { botId?: string }[];
  webApplicationInfo?: { id?: string; resource?: string };
}

/** One finding per mismatched id, or one pass; not checked without a package or registration. */
export const teamsPackageCheck: Check = async (ctx) => {
  const { t } = ctx;
  const file = ctx.packagePath;
  if (!existsSync(file)) return [skip('package', t('doctor.skip.packageMissing', { file }))];
  const botId = ctx.deployment.botId;
  if (!botId) return [skip('package', t('doctor.skip.packageNoRegistration'))];
  const ssoAppId = ctx.deployment.ssoAppId || botId;
  let manifest: Manifest;
  try {
    // jszip is a development dependency, as `npm run package` that builds the zip.
    const { default: JSZip } = await import('jszip');
    const zip = await JSZip.loadAsync(readFileSync(file));
    const entry = zip.file('manifest.json');
    if (!entry) throw new Error('manifest.json is not in the package');
    manifest = JSON.parse(await entry.async('string')) as Manifest;
  } catch (err) {
    return [mismatch(ctx, 'manifest.json', reasonOf(err), '-')];
  }
  const findings: Finding[] = [];
  const found = {
    'bots[0].botId': [manifest.bots?.[0]?.botId ?? '-', botId],
    'webApplicationInfo.id': [manifest.webApplicationInfo?.id ?? '-', ssoAppId],
    'webApplicationInfo.resource': [
      manifest.webApplicationInfo?.resource ?? '-',
      `api://botid-${ssoAppId}`,
    ],
  } as const;
  for (const [field, [value, expected]] of Object.entries(found)) {
    if (value.toLowerCase() !== expected.toLowerCase())
      findings.push(mismatch(ctx, field, value, expected));
  }
  if (findings.length > 0) return findings;
  return [pass('package', t('doctor.pass.package', { file, botId, ssoAppId }))];
};

function mismatch(ctx: DoctorContext, field: string, found: string, expected: string): Finding {
  return fail(
    'package',
    'doctorAppId',
    ctx.t('doctor.fail.appId', { file: ctx.packagePath, field, found, expected }),
    ctx.t('doctor.fix.appId'),
  );
}
