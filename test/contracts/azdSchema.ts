import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnySchemaObject } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import draft7MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * azd's published JSON schema of azure.yaml (Azure/azure-dev schemas/v1.0/azure.yaml.json,
 * vendored with the files it refers to in test/contracts/infra/azure.yaml.schema.json, see
 * provenance.json "azd-schema-v1.0"). The schema declares `$schema` draft 2019-09, so it is
 * compiled with Ajv's 2019-09 dialect (ajv/dist/2019); the azd extension schemas it refers to
 * declare draft-07, whose meta-schema is added to the same instance. Formats: ajv-formats.
 */

const BUNDLE = join(__dirname, 'infra', 'azure.yaml.schema.json');

let compiled: ((data: unknown) => string[]) | undefined;

/** The validator of azure.yaml documents: the errors of a parsed document (none: it is valid). */
export function azdValidator(): (data: unknown) => string[] {
  if (compiled) return compiled;
  const { schemas } = JSON.parse(readFileSync(BUNDLE, 'utf8')) as {
    schemas: Record<string, AnySchemaObject>;
  };
  const [main] = Object.keys(schemas);
  const dialect = schemas[main!]!.$schema;
  if (dialect !== 'https://json-schema.org/draft/2019-09/schema')
    throw new Error(`azure.yaml schema is now ${dialect}: pick the matching Ajv class`);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addMetaSchema(draft7MetaSchema);
  // A schema without $id is known by the URL it was fetched from (its relative $refs resolve there).
  for (const [url, schema] of Object.entries(schemas))
    ajv.addSchema(schema, schema.$id ? undefined : url);
  const validate = ajv.getSchema(schemas[main!]!.$id ?? main!);
  if (!validate) throw new Error('azure.yaml schema did not compile');
  compiled = (data) =>
    validate(data)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  return compiled;
}

/** The schema errors of an azure.yaml text (YAML syntax errors thrown by `yaml`). */
export function checkAzureYaml(text: string): string[] {
  return azdValidator()(parse(text));
}
