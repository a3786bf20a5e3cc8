import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import { buildAppPackage } from '../../scripts/packageApp';

/**
 * appPackage/ against Microsoft's own JSON schemas for the Teams app manifest v1.24 and its
 * localization files, from the registry package @microsoft/app-manifest (not a copy typed by hand).
 */

const schemas = join(
  dirname(require.resolve('@microsoft/app-manifest/package.json')),
  'build',
  'json-schemas',
  'teams',
  'v1.24',
);
const appPackage = join(__dirname, '..', '..', 'appPackage');
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** The manifest as `npm run package` would fill it: ids are GUIDs. */
function filled(file: string): Record<string, unknown> {
  const text = readFileSync(join(appPackage, file), 'utf8')
    .replaceAll('${{TEAMS_APP_ID}}', '6c4f3a52-4b9e-4b3a-9d0f-2f1d8f0c9a11')
    .replaceAll('${{BOT_ID}}', '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f')
    .replaceAll('${{SSO_APP_ID}}', '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f');
  return JSON.parse(text) as Record<string, unknown>;
}

function validator(schemaFile: string) {
  // The official schemas use patterns that are not valid with the RegExp 'u' flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(readJson(join(schemas, schemaFile)));
}

it('is a valid Teams app manifest v1.24', () => {
  const validate = validator('MicrosoftTeams.schema.json');
  const ok = validate(filled('manifest.json'));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
});

it.each(['zh-TW.json', 'sv-SE.json', 'nl-NL.json', 'fr-FR.json'])(
  '%s is a valid localization file',
  (file) => {
    const validate = validator('MicrosoftTeams.Localization.schema.json');
    const ok = validate(readJson(join(appPackage, file)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  },
);

it('refuses a manifest with a bad bot scope (the check can fail)', () => {
  const validate = validator('MicrosoftTeams.schema.json');
  const manifest = filled('manifest.json') as { bots: { scopes: string[] }[] };
  manifest.bots[0]!.scopes = ['everywhere'];
  expect(validate(manifest)).toBe(false);
});

describe('npm run package', () => {
  const ids = {
    TEAMS_APP_ID: '6c4f3a52-4b9e-4b3a-9d0f-2f1d8f0c9a11',
    MicrosoftAppId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
  };

  it('zips a valid manifest with the ids filled in, the icons and the localization files', async () => {
    const zip = await JSZip.loadAsync(await buildAppPackage(appPackage, ids));
    expect(Object.keys(zip.files).sort()).toEqual([
      'color.png',
      'fr-FR.json',
      'manifest.json',
      'nl-NL.json',
      'outline.png',
      'sv-SE.json',
      'zh-TW.json',
    ]);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as {
      id: string;
      bots: { botId: string }[];
    };
    expect(manifest.id).toBe(ids.TEAMS_APP_ID);
    expect(manifest.bots[0]!.botId).toBe(ids.MicrosoftAppId);
    const validate = validator('MicrosoftTeams.schema.json');
    expect(validate(manifest)).toBe(true);
  });

  it('names the bot for SSO by default, and the OAuth app of a managed-identity bot when given', async () => {
    const sso = async (env: Record<string, string>) => {
      const zip = await JSZip.loadAsync(await buildAppPackage(appPackage, env));
      return (
        JSON.parse(await zip.file('manifest.json')!.async('string')) as {
          webApplicationInfo: { id: string; resource: string };
        }
      ).webApplicationInfo;
    };
    expect(await sso(ids)).toEqual({
      id: ids.MicrosoftAppId,
      resource: `api://botid-${ids.MicrosoftAppId}`,
    });
    const oauthApp = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
    expect(await sso({ ...ids, SSO_APP_ID: oauthApp })).toEqual({
      id: oauthApp,
      resource: `api://botid-${oauthApp}`,
    });
    await expect(buildAppPackage(appPackage, { ...ids, SSO_APP_ID: 'nope' })).rejects.toThrow(
      /SSO_APP_ID/,
    );
  });

  it('refuses to package without a valid bot id', async () => {
    await expect(buildAppPackage(appPackage, { ...ids, MicrosoftAppId: '' })).rejects.toThrow(
      /MicrosoftAppId/,
    );
  });
});
