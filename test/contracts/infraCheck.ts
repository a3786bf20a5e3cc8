import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type BicepFile, type BicepValue, readBicep } from './bicep';
import {
  type BicepType,
  Flags,
  type TypeLibrary,
  type TypeProperty,
  type TypeRef,
} from './bicepTypes';

/**
 * Checks Bicep resource declarations against vendored type definitions (what `bicep build`
 * would check of them, see https://learn.microsoft.com/azure/azure-resource-manager/bicep/resource-declaration
 * and …/bicep/existing-resource): the `Type@version` is defined; every key of every object
 * literal set (nested objects, array items) is a property of its type (ObjectType properties,
 * DiscriminatedObjectType base properties plus the element its discriminator names, the element
 * of a UnionType that fits, ArrayType items; `additionalProperties` admits any key) and none is
 * ReadOnly; writable Required properties are present; a literal string set where the type is a
 * closed set of string literals is one of them. An `existing` resource sets only `name`, `scope`,
 * `parent` and its Identifier properties. Modules: the module file is checked too, the params
 * passed are its `param`s and its required params are passed. Values that are expressions are
 * not checked.
 */

/** One problem: where, which resource, which property path, what. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly resource: string;
  readonly path: string;
  readonly problem: string;
}

/** Keys Bicep itself gives every resource body (not part of the type definitions). */
const LANGUAGE_KEYS = new Set(['parent', 'scope', 'dependsOn']);
/** Keys of a module body (https://learn.microsoft.com/azure/azure-resource-manager/bicep/modules). */
const MODULE_KEYS = new Set(['name', 'params', 'scope', 'dependsOn', 'identity']);

type Report = (line: number, path: string, problem: string) => void;

function properties(t: BicepType, value: BicepValue, resolve: (r: TypeRef) => BicepType) {
  if (t.$type === 'ObjectType') return { props: t.properties ?? {}, extra: t.additionalProperties };
  // DiscriminatedObjectType: the base properties and those of the element the literal names.
  const disc = t.discriminator!;
  const given =
    value.kind === 'object' ? value.props.find((p) => p.key === disc)?.value : undefined;
  const elements = (t.elements ?? {}) as Record<string, TypeRef>;
  const chosen =
    given?.kind === 'string'
      ? [elements[given.value]].filter((e): e is TypeRef => !!e)
      : Object.values(elements);
  const props: Record<string, TypeProperty> = { ...t.baseProperties };
  for (const e of chosen) Object.assign(props, resolve(e).properties);
  return { props, extra: undefined };
}

/** Checks one value against one type, reporting through `report`. */
function checkValue(
  t: BicepType,
  value: BicepValue,
  path: string,
  resolve: (r: TypeRef) => BicepType,
  report: Report,
): void {
  if (value.kind === 'expression' || t.$type === 'AnyType') return;
  if (t.$type === 'UnionType') {
    const options = (t.elements as TypeRef[]).map(resolve);
    if (value.kind === 'string') {
      const closed = options.every((o) => o.$type === 'StringLiteralType');
      if (closed && !options.some((o) => o.value === value.value))
        report(
          value.line,
          path,
          `'${value.value}' is not one of ${options.map((o) => `'${o.value}'`).join(', ')}`,
        );
      return;
    }
    // The element with the fewest problems (none: the value fits it).
    let best: Parameters<Report>[] | undefined;
    for (const o of options) {
      const found: Parameters<Report>[] = [];
      checkValue(o, value, path, resolve, (...args) => found.push(args));
      if (!best || found.length < best.length) best = found;
    }
    for (const args of best ?? []) report(...args);
    return;
  }
  if (value.kind === 'string') {
    if (t.$type === 'StringLiteralType' && t.value !== value.value)
      report(value.line, path, `'${value.value}' is not '${String(t.value)}'`);
    else if (!['StringType', 'StringLiteralType'].includes(t.$type))
      report(value.line, path, `a string where the type is ${t.$type}`);
    return;
  }
  if (value.kind === 'array') {
    if (t.$type !== 'ArrayType')
      return report(value.line, path, `an array where the type is ${t.$type}`);
    value.items.forEach((item) =>
      checkValue(resolve(t.itemType!), item, `${path}[]`, resolve, report),
    );
    return;
  }
  if (t.$type !== 'ObjectType' && t.$type !== 'DiscriminatedObjectType')
    return report(value.line, path, `an object where the type is ${t.$type}`);
  const { props, extra } = properties(t, value, resolve);
  const prefix = path ? `${path}.` : '';
  for (const p of value.props) {
    const name = p.key ?? '<computed key>';
    const prop = p.key !== undefined ? props[p.key] : undefined;
    if (prop) {
      if (prop.flags & Flags.ReadOnly) report(p.line, `${prefix}${name}`, 'read-only property');
      else checkValue(resolve(prop.type), p.value, `${prefix}${name}`, resolve, report);
    } else if (extra) checkValue(resolve(extra), p.value, `${prefix}${name}`, resolve, report);
    else report(p.line, `${prefix}${name}`, `unknown property (not in ${t.name ?? t.$type})`);
  }
  const given = new Set(value.props.map((p) => p.key));
  for (const [key, prop] of Object.entries(props))
    if (prop.flags & Flags.Required && !(prop.flags & Flags.ReadOnly) && !given.has(key))
      report(value.line, `${prefix}${key}`, 'required property missing');
}

/** Reads a module of a file: its path as written, the reading file's name; undefined if absent. */
export type ModuleReader = (
  modulePath: string,
  fromFile: string,
) => { file: BicepFile; name: string } | undefined;

/**
 * The findings of one read Bicep file and of the local modules it uses (each module file checked
 * once, the params of every use checked). `fileName` names it in findings and for `readModule`.
 */
export function checkBicepFile(
  file: BicepFile,
  fileName: string,
  types: TypeLibrary,
  readModule?: ModuleReader,
  checked = new Set<string>([fileName]),
): Finding[] {
  const findings: Finding[] = [];
  for (const r of file.resources) {
    const report: Report = (line, path, problem) =>
      findings.push({ file: fileName, line, resource: `${r.symbol} (${r.type})`, path, problem });
    const found = types.resource(r.type);
    if (!found) {
      report(r.line, '', `type ${r.type} is not vendored in test/contracts/infra/types`);
      continue;
    }
    const own = { ...found.body.properties };
    if (r.existing) {
      for (const p of r.body.props) {
        const prop = p.key !== undefined ? own[p.key] : undefined;
        const allowed =
          (p.key !== undefined && ['scope', 'parent'].includes(p.key)) ||
          (prop && (p.key === 'name' || prop.flags & Flags.Identifier));
        if (!allowed)
          report(p.line, p.key ?? '<computed key>', 'not allowed on an existing resource');
      }
      continue;
    }
    const body = { ...r.body, props: r.body.props.filter((p) => !LANGUAGE_KEYS.has(p.key ?? '')) };
    checkValue(found.body, body, '', found.resolve, report);
  }
  for (const m of file.modules) {
    const report = (line: number, path: string, problem: string): void => {
      findings.push({ file: fileName, line, resource: `module ${m.symbol}`, path, problem });
    };
    for (const p of m.body.props)
      if (!MODULE_KEYS.has(p.key ?? ''))
        report(p.line, p.key ?? '<computed key>', 'not a module property');
    if (!readModule || /^(br|ts)[:/]/.test(m.path)) continue;
    const target = readModule(m.path, fileName);
    if (!target) {
      report(m.line, '', `module file ${m.path} not found`);
      continue;
    }
    const passed = m.body.props.find((p) => p.key === 'params')?.value;
    const declared = new Map(target.file.params.map((p) => [p.name, p]));
    if (passed?.kind === 'object')
      for (const p of passed.props)
        if (!declared.has(p.key ?? ''))
          report(p.line, `params.${p.key}`, `no such param in ${m.path}`);
    if (passed?.kind !== 'expression')
      for (const d of declared.values())
        if (
          d.required &&
          !(passed?.kind === 'object' && passed.props.some((p) => p.key === d.name))
        )
          report(m.line, `params.${d.name}`, `required param of ${m.path} not passed`);
    if (checked.has(target.name)) continue;
    checked.add(target.name);
    findings.push(...checkBicepFile(target.file, target.name, types, readModule, checked));
  }
  return findings;
}

/** Reads a Bicep file (path relative to `root`) and its local modules from disk; checks them. */
export function checkBicepPath(path: string, types: TypeLibrary, root = process.cwd()): Finding[] {
  const load = (name: string): { file: BicepFile; name: string } => ({
    file: readBicep(readFileSync(join(root, name), 'utf8'), name),
    name,
  });
  const readModule: ModuleReader = (modulePath, fromFile) => {
    const name = relative(root, join(root, dirname(fromFile), modulePath));
    return existsSync(join(root, name)) ? load(name) : undefined;
  };
  const main = load(path);
  return checkBicepFile(main.file, main.name, types, readModule);
}
