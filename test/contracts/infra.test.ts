import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { checkAzureYaml } from './azdSchema';
import { readBicep } from './bicep';
import { type BicepType, Flags, refIndex, TypeLibrary, trimTypes, typeChanges } from './bicepTypes';
import { checkBicepFile, checkBicepPath, type Finding, type ModuleReader } from './infraCheck';
import provenance from './provenance.json';

/**
 * Infrastructure contracts (issue 26): no Bicep compiler runs here, so every resource of infra/
 * (every *.bicep file, modules included) is checked against the vendored Bicep type definitions
 * of test/contracts/infra/types (Azure/bicep-types-az, microsoftgraph/msgraph-bicep-types; see
 * provenance.json), and azure.yaml against azd's published schema. Synthetic texts prove that
 * each kind of mistake is reported.
 */

const ROOT = join(__dirname, '..', '..');
const types = TypeLibrary.fromDirectory(join(__dirname, 'infra', 'types'));
const show = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.file}:${f.line} ${f.resource} ${f.path}: ${f.problem}`);

/** Every *.bicep file under a folder, relative to the repository root. */
function bicepFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? bicepFiles(join(dir, e.name))
      : e.name.endsWith('.bicep')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Checks a Bicep text, with modules given as texts by path. */
function check(text: string, modules: Record<string, string> = {}): string[] {
  const readModule: ModuleReader = (path) =>
    path in modules ? { file: readBicep(modules[path]!, path), name: path } : undefined;
  return show(checkBicepFile(readBicep(text, 'test.bicep'), 'test.bicep', types, readModule));
}

/** The Microsoft Graph extension references vendored (provenance `extension` fields). */
const vendoredExtensions = Object.values(provenance)
  .map((e) => (e as { extension?: string }).extension)
  .filter((e): e is string => !!e);

/** The registry reference an `extension` statement names (directly, or by bicepconfig alias). */
function extensionReference(statement: string, file: string): string | undefined {
  const literal = /^'([^']*)'/.exec(statement);
  if (literal) return literal[1];
  const alias = /^[A-Za-z_]\w*/.exec(statement)?.[0];
  for (let dir = dirname(join(ROOT, file)); dir.startsWith(ROOT); dir = dirname(dir)) {
    const config = join(dir, 'bicepconfig.json');
    if (existsSync(config)) {
      const parsed = JSON.parse(readFileSync(config, 'utf8')) as {
        extensions?: Record<string, string>;
      };
      return alias ? (parsed.extensions?.[alias] ?? alias) : undefined;
    }
    if (dir === ROOT) break;
  }
  return alias;
}

describe('infra/ against the vendored Bicep type definitions', () => {
  const files = bicepFiles('infra');

  it('finds the Bicep files', () => {
    expect(files).toContain(join('infra', 'main.bicep'));
  });

  it.each(files)('%s: every resource type, property and module param is known', (file) => {
    expect(show(checkBicepPath(file, types, ROOT))).toEqual([]);
  });

  it.each(files)('%s: Graph resources use a vendored Microsoft Graph extension version', (file) => {
    const read = readBicep(readFileSync(join(ROOT, file), 'utf8'), file);
    const refs = read.extensions.map((s) => extensionReference(s, file) ?? s);
    const graph = refs.filter((r) => /microsoftgraph/i.test(r));
    expect(graph.filter((r) => !vendoredExtensions.includes(r))).toEqual([]);
    if (read.resources.some((r) => r.type.startsWith('Microsoft.Graph/')))
      expect(graph.length).toBeGreaterThan(0);
  });

  it('vendors exactly the resource types of the shared list', () => {
    const listed = Object.values(provenance).flatMap(
      (e) => (e as { resources?: string[] }).resources ?? [],
    );
    expect(types.names()).toEqual(listed.map((n) => n.toLowerCase()).sort());
    expect(listed).toHaveLength(20);
  });

  it('keeps each vendored file whole: trimming it again changes nothing', () => {
    for (const e of Object.values(provenance) as { kind?: string; file?: string }[]) {
      if (e.kind !== 'bicep-types') continue;
      const { file, resources } = e as { file: string; resources: string[] };
      const vendored = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as BicepType[];
      expect(trimTypes(vendored, resources)).toEqual(vendored);
      // contracts:update reports a changed flag of a property path.
      const changed = JSON.parse(JSON.stringify(vendored)) as BicepType[];
      const resource = changed.find((t) => t.$type === 'ResourceType')!;
      const body = changed[refIndex(resource.body!)]!;
      const [key, prop] = Object.entries(body.properties!)[0]!;
      (prop as { flags: number }).flags ^= Flags.Required;
      expect(typeChanges(vendored, changed, resources).join()).toContain(`: ${key} `);
    }
  });
});

describe('the checker reports', () => {
  const account = (extra: string, props = ''): string => `
resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'${props}
  }${extra}
}`;

  it('nothing for a correct resource', () => {
    expect(check(account(''))).toEqual([]);
  });

  it('an unknown property, nested or at the top', () => {
    expect(
      check(account('\n  colour: 1', "\n    networkAcls: { defaultAction: 'Deny', bogus: 2 }")),
    ).toEqual([
      'test.bicep:9 sa (Microsoft.Storage/storageAccounts@2023-05-01) properties.networkAcls.bogus: unknown property (not in NetworkRuleSet)',
      'test.bicep:11 sa (Microsoft.Storage/storageAccounts@2023-05-01) colour: unknown property (not in Microsoft.Storage/storageAccounts)',
    ]);
  });

  it('a read-only property written', () => {
    expect(check(account('', '\n    primaryEndpoints: {}'))).toEqual([
      'test.bicep:9 sa (Microsoft.Storage/storageAccounts@2023-05-01) properties.primaryEndpoints: read-only property',
    ]);
  });

  it('a type@version that is not vendored', () => {
    expect(check(account('').replace('2023-05-01', '2023-01-01'))).toEqual([
      'test.bicep:2 sa (Microsoft.Storage/storageAccounts@2023-01-01) : type Microsoft.Storage/storageAccounts@2023-01-01 is not vendored in test/contracts/infra/types',
    ]);
  });

  it('a required property missing and a string outside a closed set', () => {
    const text = `
resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv'
  location: 'westeurope'
  properties: { tenantId: tenant().tenantId, sku: { family: 'A', name: 'gold' } }
}`;
    expect(check(text.replace("name: 'kv'", ''))).toContain(
      'test.bicep:2 kv (Microsoft.KeyVault/vaults@2023-07-01) name: required property missing',
    );
    expect(check(text)).toEqual([
      "test.bicep:5 kv (Microsoft.KeyVault/vaults@2023-07-01) properties.sku.name: 'gold' is not one of 'standard', 'premium'",
    ]);
  });

  it('properties of an existing resource other than name, scope, parent or an identifier', () => {
    const text = `
resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = { name: 'kv', location: 'x' }
resource sp 'Microsoft.Graph/servicePrincipals@v1.0' existing = { appId: '00000003-0000-0000-c000-000000000000' }`;
    expect(check(text)).toEqual([
      'test.bicep:2 kv (Microsoft.KeyVault/vaults@2023-07-01) location: not allowed on an existing resource',
    ]);
  });

  it('Graph resources: a read-only property, a missing identifier', () => {
    const text = `
extension microsoftGraphV1
resource app 'Microsoft.Graph/applications@v1.0' = {
  displayName: 'tenantlink'
  appId: 'x'
}`;
    expect(check(text)).toEqual([
      'test.bicep:5 app (Microsoft.Graph/applications@v1.0) appId: read-only property',
      'test.bicep:3 app (Microsoft.Graph/applications@v1.0) uniqueName: required property missing',
    ]);
  });

  it('in loops, conditions, nested child resources; through comments, strings and decorators', () => {
    const text = `
@description('a } brace in a string') // and { in a comment
param names array
/* a block comment with resource x 'Bad@1' = {} */
resource bot 'Microsoft.BotService/botServices@2022-09-15' existing = { name: 'b' }
resource conns 'Microsoft.BotService/botServices/connections@2022-09-15' = [for (n, i) in names: if (i > 0 ? true : false) {
  parent: bot
  name: '\${n}-\${'{'}'
  location: 'global'
  properties: {
    scopes: '''
multi-line } text
'''
    parameters: [{ key: 'tenantID', value: n }, { key: 'x', vaule: n }]
  }
}]
resource sa 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: 'st'
  resource blobs 'blobServices' = {
    name: 'default'
    properties: { isVersioningEnabled: true, versioning: true }
  }
}`;
    expect(check(text)).toEqual([
      'test.bicep:14 conns (Microsoft.BotService/botServices/connections@2022-09-15) properties.parameters[].vaule: unknown property (not in ConnectionSettingParameter)',
      'test.bicep:21 blobs (Microsoft.Storage/storageAccounts/blobServices@2023-05-01) properties.versioning: unknown property (not in BlobServicePropertiesProperties)',
    ]);
  });

  it("a module's unknown param, a missing required param and the module's own resources", () => {
    const main = `
module m 'mod.bicep' = {
  name: 'm'
  params: { known: 'a', unknown: 'b' }
  colour: 'c'
}`;
    const mod = `
param known string
param needed string
param optional string = 'x'
param nullable string?
resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = { name: known, location: needed, bad: 1 }`;
    expect(check(main, { 'mod.bicep': mod })).toEqual([
      'test.bicep:5 module m colour: not a module property',
      'test.bicep:4 module m params.unknown: no such param in mod.bicep',
      'test.bicep:2 module m params.needed: required param of mod.bicep not passed',
      'mod.bicep:6 id (Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31) bad: unknown property (not in Microsoft.ManagedIdentity/userAssignedIdentities)',
    ]);
    expect(check(main)).toContain('test.bicep:2 module m : module file mod.bicep not found');
  });

  it('text that is not Bicep of this form, with its line', () => {
    expect(() => readBicep("resource x 'A/b@1' = {\n  name: 'x\n}", 'bad.bicep')).toThrow(
      'bad.bicep:2: unterminated string',
    );
  });
});

describe("azure.yaml against azd's schema", () => {
  const good = `name: tenantlink
infra:
  provider: bicep
  path: infra
services:
  bot:
    project: .
    language: ts
    host: appservice
`;

  it('accepts a correct azure.yaml', () => {
    expect(checkAzureYaml(good)).toEqual([]);
  });

  it('reports a bad azure.yaml', () => {
    const bad = good
      .replace('name: tenantlink', 'name: Tenant_Link')
      .replace('host: appservice', 'host: [appservice]');
    expect(checkAzureYaml(bad)).toEqual([
      '/name must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"',
      '/services/bot/host must be string',
    ]);
  });

  it('azure.yaml of the repository keeps the schema', () => {
    const text = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
    expect(checkAzureYaml(text)).toEqual([]);
    // azd provisions <infra.path>/<infra.module>.bicep (defaults infra, main) and builds each
    // service's project folder (https://learn.microsoft.com/azure/developer/azure-developer-cli/azd-schema).
    const doc = parse(text) as {
      infra?: { path?: string; module?: string };
      services?: Record<string, { project?: string }>;
    };
    const infra = join(doc.infra?.path ?? 'infra', `${doc.infra?.module ?? 'main'}.bicep`);
    expect(existsSync(join(ROOT, infra))).toBe(true);
    for (const s of Object.values(doc.services ?? {}))
      expect(existsSync(join(ROOT, s.project ?? '.'))).toBe(true);
  });
});
