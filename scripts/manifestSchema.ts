import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/**
 * Microsoft's JSON schemas of the Teams app manifest, as the registry package
 * `@microsoft/app-manifest` ships them (build/json-schemas/teams/v<major>.<minor>/), never a copy
 * typed by hand. `npm run package` and the tests validate against the newest version it ships
 * (https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema).
 */

const SCHEMAS = join(
  dirname(require.resolve('@microsoft/app-manifest/package.json')),
  'build',
  'json-schemas',
  'teams',
);

/** The schema files of one manifest version that tenantlink's package uses. */
export type ManifestSchemaFile =
  'MicrosoftTeams.schema.json' | 'MicrosoftTeams.Localization.schema.json';

/**
 * The newest released manifest version the installed `@microsoft/app-manifest` has a schema for,
 * e.g. `'1.30'` (`vDevPreview` is not a release and is skipped).
 * @throws Error when the package ships no versioned schema
 */
export function newestManifestVersion(): string {
  const versions = readdirSync(SCHEMAS)
    .map((d) => /^v(\d+)\.(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const newest = versions.at(-1);
  if (!newest) throw new Error(`no manifest schema in ${SCHEMAS}`);
  return `${newest[0]}.${newest[1]}`;
}

/** What a schema said of one document: `ok`, or the errors as `instancePath message` lines. */
export interface SchemaVerdict {
  readonly ok: boolean;
  readonly errors: readonly string[];
}

/**
 * A validator for one schema file of one manifest version (draft-04 schemas, validated with Ajv).
 * @param version e.g. `'1.30'`
 * @throws Error (ENOENT) when the package has no such version
 */
export function manifestValidator(
  version: string,
  file: ManifestSchemaFile,
): (document: unknown) => SchemaVerdict {
  // Microsoft's schemas use patterns that are not valid with the RegExp 'u' flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const schema = JSON.parse(readFileSync(join(SCHEMAS, `v${version}`, file), 'utf8')) as object;
  const validate = ajv.compile(schema);
  const describe = (e: ErrorObject): string => `${e.instancePath || '/'} ${e.message ?? ''}`.trim();
  return (document) => {
    const ok = validate(document);
    return { ok, errors: ok ? [] : (validate.errors ?? []).map(describe) };
  };
}
