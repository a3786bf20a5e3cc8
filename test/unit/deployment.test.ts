import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/paths';

/**
 * The deployment files, checked for what matters and can be checked offline: the Dockerfile is
 * multi-stage, runs as non-root with production dependencies only and a health check; the Bicep
 * templates under infra/ take no secret (no secure parameter, none in the parameters file, no
 * client secret or Key Vault secret anywhere), run two or more instances, and set only settings
 * that tenantlink's configuration (or App Service) knows.
 * (The image was built and run from this layout by hand; Bicep has no offline compiler here.)
 */

const root = projectRoot();
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('has a build stage and a runtime stage on Node.js 24 LTS (Node 20 reached end of life)', () => {
    expect(stages).toHaveLength(2);
    for (const s of stages) expect(s).toMatch(/^node:24/);
    expect(stages[0]).toMatch(/RUN npm run build/);
  });

  it('runs as the unprivileged node user with production dependencies only', () => {
    const runtime = stages[1]!;
    expect(runtime).toMatch(/^USER node$/m);
    // Not the Node.js pinned for machines without a supported one (an optional dependency).
    expect(runtime).toMatch(/npm ci --omit=dev --omit=optional/);
    expect(stages[0]).toMatch(/npm ci --omit=optional/);
    expect(runtime).not.toMatch(/^USER root$/m);
    expect(runtime).toMatch(/CMD \["node", "dist\/src\/index\.js"\]/);
  });

  it('checks /healthz and copies only files that exist', () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(copied.length).toBeGreaterThan(4);
    for (const path of copied) expect(existsSync(join(root, path))).toBe(true);
  });

  it('keeps .env, node_modules and the local store out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', '.data']) expect(ignored).toContain(entry);
  });
});

describe('infra/*.bicep', () => {
  const files = readdirSync(join(root, 'infra')).filter((f) => f.endsWith('.bicep'));
  const bicep = files.map((f) => read(`infra/${f}`)).join('\n');
  const main = read('infra/main.bicep');
  const configKeys = new Set(
    [...read('src/config.ts').matchAll(/^\s{4}([A-Za-z_]+): z\s*(\.|$)/gm)].map((m) => m[1]!),
  );
  // App Service's own settings (https://learn.microsoft.com/azure/app-service/reference-app-settings).
  // and OpenTelemetry's (the SDK reads them; https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
  const appServiceSettings = new Set(['SCM_DO_BUILD_DURING_DEPLOYMENT', 'OTEL_SERVICE_NAME']);

  it('takes no secret: no @secure() parameter, none named like one, none in the parameters file', () => {
    expect(files).toEqual(expect.arrayContaining(['main.bicep', 'entra.bicep', 'bot.bicep']));
    expect(bicep).not.toMatch(/@secure\(\)/);
    for (const m of bicep.matchAll(/^param (\w+)/gm))
      expect(m[1]).not.toMatch(/secret|password|key/i);
    const parameters = read('infra/main.parameters.json');
    expect(parameters).not.toMatch(/secret|password|AccountKey/i);
    const code = bicep.replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(
      /AccountKey=|listKeys\(|clientSecret|passwordCredentials|keyCredentials/,
    );
    expect(code).not.toMatch(/Microsoft\.KeyVault\/vaults\/secrets/);
  });

  it('runs two or more instances with the health check, and a managed identity everywhere', () => {
    expect(main).toMatch(/@minValue\(2\)\s*\n@maxValue\(\d+\)\s*\nparam instanceCount int = [2-9]/);
    expect(bicep).toMatch(/healthCheckPath: '\/healthz'/);
    expect(bicep).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(bicep).toMatch(/channelName: 'MsTeamsChannel'/);
  });

  it('sets only app settings that tenantlink reads (or App Service does)', () => {
    const settings = [...main.matchAll(/\{ name: '(\w+)', value:/g)].map((m) => m[1]!);
    expect(settings.length).toBeGreaterThan(10);
    const unknown = settings.filter((s) => !configKeys.has(s) && !appServiceSettings.has(s));
    expect(unknown).toEqual([]);
  });

  it('gives settings that load as a valid cloud configuration, secretless', () => {
    // Values that Bicep computes at deployment stand in as values of the same form.
    const computed: Record<string, string> = {
      MicrosoftAppId: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
      MicrosoftAppTenantId: '6c4f3a52-4b9e-4b3a-9d0f-2f1d8f0c9a11',
      AZURE_CLIENT_ID: '0d8f4c5e-2b7a-4e1c-8f3d-5a6b7c8d9e0f',
      BLOB_ACCOUNT_URL: 'https://sttenantlinkabc.blob.core.windows.net/',
      BLOB_CONTAINER: 'tenantlink',
      CONNECTION_GRAPH: 'graph',
      CONNECTION_AZURE_TARGET: 'azureTarget',
      ADMIN_SIGNIN_CLIENT_ID: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
      ADMIN_SIGNIN_REDIRECT_URI: 'https://app-tenantlink-abc.azurewebsites.net/auth/azure/callback',
      TOKEN_CACHE_KEY_ID: 'https://kv-tenantlink-abc.vault.azure.net/keys/token-cache',
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
    };
    const env: Record<string, string> = {};
    for (const m of main.matchAll(/\{ name: '(\w+)', value: (.+) \}$/gm)) {
      const literal = /^'([^'$]*)'$/.exec(m[2]!);
      const value = literal ? literal[1] : computed[m[1]!];
      expect([m[1], value]).toEqual([m[1], expect.any(String)]);
      env[m[1]!] = value!;
    }
    const config = loadConfig(env);
    expect(config.mode).toBe('cloud');
    expect(config.adminSignIn).toMatchObject({
      credential: 'managedIdentity',
      clientSecret: '',
      cacheKey: '',
      cacheKeyId: computed.TOKEN_CACHE_KEY_ID,
    });
  });
});
