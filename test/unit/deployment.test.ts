import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths';

/**
 * The deployment files, checked for what matters and can be checked offline: the Dockerfile is
 * multi-stage, runs as non-root with production dependencies only and a health check; the Bicep
 * template keeps secrets out (no default for a secure parameter, none in the parameters file),
 * runs two or more instances, and sets only settings that tenantlink's configuration knows.
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
    expect(runtime).toMatch(/npm ci --omit=dev/);
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

describe('infra/main.bicep', () => {
  const bicep = read('infra/main.bicep');
  const configKeys = new Set(
    [...read('src/config.ts').matchAll(/^\s{4}([A-Za-z_]+): z\s*(\.|$)/gm)].map((m) => m[1]!),
  );

  it('declares every secret @secure() without a default, and the parameters file has none', () => {
    const secure = [...bicep.matchAll(/@secure\(\)\s*\nparam (\w+) (\w+)(.*)$/gm)];
    expect(secure.map((m) => m[1])).toEqual([
      'oauthClientSecret',
      'adminSignInClientSecret',
      'tokenCacheKey',
    ]);
    for (const m of secure) expect(m[3]).not.toMatch(/=/);
    for (const m of bicep.matchAll(/^param (\w+)/gm)) {
      if (/secret|password|key/i.test(m[1]!)) expect(secure.map((s) => s[1])).toContain(m[1]);
    }
    const parameters = read('infra/main.parameters.json');
    expect(parameters).not.toMatch(/secret|password|AccountKey/i);
    expect(bicep).not.toMatch(/AccountKey=|listKeys\(/);
  });

  it('runs two or more instances with the health check, and a managed identity everywhere', () => {
    expect(bicep).toMatch(
      /@minValue\(2\)\s*\n@maxValue\(\d+\)\s*\nparam instanceCount int = [2-9]/,
    );
    expect(bicep).toMatch(/healthCheckPath: '\/healthz'/);
    expect(bicep).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(bicep).toMatch(/channelName: 'MsTeamsChannel'/);
  });

  it('sets only app settings that tenantlink reads (or App Service does)', () => {
    const settings = [...bicep.matchAll(/\{ name: '(\w+)', value:/g)].map((m) => m[1]!);
    expect(settings.length).toBeGreaterThan(10);
    const unknown = settings.filter((s) => !configKeys.has(s) && s !== 'WEBSITES_PORT');
    expect(unknown).toEqual([]);
  });
});
