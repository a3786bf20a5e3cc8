import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { manifestValidator, newestManifestVersion } from '../../scripts/manifestSchema';
import {
  buildAppPackage,
  ManifestSchemaError,
  packageEnvironment,
  readAzdEnvironment,
} from '../../scripts/packageApp';

/**
 * appPackage/ against Microsoft's own JSON schemas for the Teams app manifest and its
 * localization files, the newest version the registry package @microsoft/app-manifest ships (not
 * a copy typed by hand), and `npm run package` reading the ids from the azd environment.
 */

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

const newest = newestManifestVersion();

/** A validator of the newest version that returns what Ajv said. */
function validator(file: 'MicrosoftTeams.schema.json' | 'MicrosoftTeams.Localization.schema.json') {
  const check = manifestValidator(newest, file);
  const validate = (doc: unknown): boolean => {
    const v = check(doc);
    validate.errors = v.errors;
    return v.ok;
  };
  validate.errors = [] as readonly string[];
  return validate;
}

it('uses the newest manifest schema the registry package ships (1.30 or later)', () => {
  expect(Number(newest.split('.')[1])).toBeGreaterThanOrEqual(30);
  const manifest = readJson(join(appPackage, 'manifest.json'));
  expect(manifest.manifestVersion).toBe(newest);
  expect(manifest.$schema).toBe(
    `https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`,
  );
});

it('is a valid Teams app manifest of the newest version', () => {
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

  /** A copy of appPackage/ in a temporary folder, with `edit` applied to its manifest. */
  function copyWith(edit: (manifest: Record<string, unknown>) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'tl-package-'));
    for (const f of [
      'color.png',
      'outline.png',
      'zh-TW.json',
      'sv-SE.json',
      'nl-NL.json',
      'fr-FR.json',
    ])
      writeFileSync(join(dir, f), readFileSync(join(appPackage, f)));
    const manifest = readJson(join(appPackage, 'manifest.json'));
    edit(manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  it('refuses to package a manifest that fails the schema, naming what is wrong', async () => {
    const dir = copyWith((m) => {
      (m.bots as { scopes: string[] }[])[0]!.scopes = ['everywhere'];
    });
    const failure = buildAppPackage(dir, ids);
    await expect(failure).rejects.toBeInstanceOf(ManifestSchemaError);
    await expect(failure).rejects.toThrow(/\/bots\/0\/scopes/);
  });

  it('refuses a manifest that is not on the newest schema version', async () => {
    const dir = copyWith((m) => {
      m.manifestVersion = '1.24';
    });
    await expect(buildAppPackage(dir, ids)).rejects.toThrow(
      new RegExp(`manifestVersion is 1.24, the newest schema is ${newest.replace('.', '\\.')}`),
    );
  });

  describe('reads the ids from the azd environment azd up filled', () => {
    const root = mkdtempSync(join(tmpdir(), 'tl-azd-'));
    const botId = '2b1c0d9e-8f7a-4b6c-9d5e-4f3a2b1c0d9e';
    const ssoAppId = '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';
    const teamsAppId = '5d4c3b2a-1908-4f7e-8d6c-5b4a39281706';
    mkdirSync(join(root, '.azure', 'prod'), { recursive: true });
    mkdirSync(join(root, '.azure', 'dev'), { recursive: true });
    writeFileSync(
      join(root, '.azure', 'config.json'),
      JSON.stringify({ version: 1, defaultEnvironment: 'prod' }),
    );
    writeFileSync(
      join(root, '.azure', 'prod', '.env'),
      `AZURE_ENV_NAME="prod"\nBOT_ID="${botId}"\nSSO_APP_ID="${ssoAppId}"\nTEAMS_APP_ID="${teamsAppId}"\n`,
    );
    writeFileSync(join(root, '.azure', 'dev', '.env'), `BOT_ID="${ids.MicrosoftAppId}"\n`);

    it('takes the default environment, or AZURE_ENV_NAME', () => {
      expect(readAzdEnvironment(root, {})).toMatchObject({
        BOT_ID: botId,
        TEAMS_APP_ID: teamsAppId,
      });
      expect(readAzdEnvironment(root, { AZURE_ENV_NAME: 'dev' })).toEqual({
        BOT_ID: ids.MicrosoftAppId,
      });
      expect(readAzdEnvironment(root, { AZURE_ENV_NAME: '../etc' })).toEqual({});
      expect(readAzdEnvironment(mkdtempSync(join(tmpdir(), 'tl-none-')), {})).toEqual({});
    });

    it('fills the manifest with the deployment outputs; the environment wins over them', async () => {
      const zip = await JSZip.loadAsync(
        await buildAppPackage(appPackage, packageEnvironment(root, {})),
      );
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as {
        id: string;
        bots: { botId: string }[];
        webApplicationInfo: { id: string; resource: string };
      };
      expect(manifest.id).toBe(teamsAppId);
      expect(manifest.bots[0]!.botId).toBe(botId);
      expect(manifest.webApplicationInfo).toEqual({
        id: ssoAppId,
        resource: `api://botid-${ssoAppId}`,
      });
      expect(packageEnvironment(root, { TEAMS_APP_ID: ids.TEAMS_APP_ID }).TEAMS_APP_ID).toBe(
        ids.TEAMS_APP_ID,
      );
    });
  });
});
