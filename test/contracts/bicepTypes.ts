import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bicep type definitions as Azure/bicep-types-az and microsoftgraph/msgraph-bicep-types publish
 * them: each `types.json` is an array of types (`$type` ObjectType, ArrayType, UnionType,
 * DiscriminatedObjectType, ResourceType, StringLiteralType, StringType, …) that refer to each
 * other as `{ "$ref": "#/<index>" }`. Format: Azure/bicep-types src/bicep-types/src/types.ts
 * (ObjectTypePropertyFlags, TypeBaseKind). The vendored copies under test/contracts/infra/types
 * keep this format, trimmed to the resource types infra/ may use (shared list of issue 26) and
 * every type they reach, in their original order.
 */

/** A reference to another entry of the same types array: `#/<index>`. */
export interface TypeRef {
  readonly $ref: string;
}

/** One property of an object type: its type, its flags (see {@link Flags}) and description. */
export interface TypeProperty {
  readonly type: TypeRef;
  readonly flags: number;
  readonly description?: string;
}

/** One entry of a types array (the fields used here; others are kept but not read). */
export interface BicepType {
  readonly $type: string;
  readonly name?: string;
  readonly value?: unknown;
  readonly body?: TypeRef;
  readonly properties?: Record<string, TypeProperty>;
  readonly additionalProperties?: TypeRef;
  readonly itemType?: TypeRef;
  readonly elements?: TypeRef[] | Record<string, TypeRef>;
  readonly discriminator?: string;
  readonly baseProperties?: Record<string, TypeProperty>;
}

/** ObjectTypePropertyFlags of Azure/bicep-types (bit values). */
export const Flags = {
  Required: 1,
  ReadOnly: 2,
  WriteOnly: 4,
  DeployTimeConstant: 8,
  Identifier: 16,
} as const;

/** The index a local reference points at; throws for a reference to another file. */
export function refIndex(ref: TypeRef): number {
  const m = /^#\/(\d+)$/.exec(ref.$ref);
  if (!m) throw new Error(`not a local type reference: ${ref.$ref}`);
  return Number(m[1]);
}

/** Whether a value is a type reference: an object whose only key is `$ref`, a string. */
function isRef(value: Record<string, unknown>): value is Record<string, unknown> & TypeRef {
  return typeof value.$ref === 'string' && Object.keys(value).length === 1;
}

/** Every `{ $ref }` inside a value (any depth), in document order. */
function refsIn(value: unknown, out: TypeRef[] = []): TypeRef[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (isRef(o)) out.push(o);
    else for (const v of Object.values(o)) refsIn(v, out);
  }
  return out;
}

/** A value with every `{ $ref }` renumbered by `map`. */
function renumber(value: unknown, map: Map<number, number>): unknown {
  if (Array.isArray(value)) return value.map((v) => renumber(v, map));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (isRef(o)) return { $ref: `#/${map.get(refIndex(o))}` };
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renumber(v, map)]));
  }
  return value;
}

/**
 * The part of a types array that the named resource types (`Type@version`, case-insensitive)
 * need: their ResourceType entries and every type these reach, in the original order, with the
 * references renumbered. Throws naming any resource type the array does not define.
 */
export function trimTypes(types: readonly BicepType[], resources: readonly string[]): BicepType[] {
  const wanted = new Set(resources.map((r) => r.toLowerCase()));
  const roots = types
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.$type === 'ResourceType' && wanted.has(String(t.name).toLowerCase()));
  const found = new Set(roots.map(([t]) => String(t.name).toLowerCase()));
  const missing = [...wanted].filter((w) => !found.has(w));
  if (missing.length > 0) throw new Error(`not defined here: ${missing.join(', ')}`);
  const keep = new Set<number>();
  const todo = roots.map(([, i]) => i);
  while (todo.length > 0) {
    const i = todo.pop()!;
    if (keep.has(i)) continue;
    keep.add(i);
    for (const r of refsIn(types[i])) todo.push(refIndex(r));
  }
  const order = [...keep].sort((a, b) => a - b);
  const map = new Map(order.map((old, neu) => [old, neu]));
  return order.map((i) => renumber(types[i], map) as BicepType);
}

/** The vendored type files: every resource type they define, by lower-case `Type@version`. */
export class TypeLibrary {
  private readonly resources = new Map<string, { types: readonly BicepType[]; body: BicepType }>();

  /** `files`: types arrays (each with its own local references). */
  constructor(files: readonly (readonly BicepType[])[]) {
    for (const types of files)
      for (const t of types)
        if (t.$type === 'ResourceType' && t.name && t.body)
          this.resources.set(t.name.toLowerCase(), { types, body: types[refIndex(t.body)]! });
  }

  /** Reads every `*.json` of a directory of vendored types arrays. */
  static fromDirectory(dir: string): TypeLibrary {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BicepType[]);
    return new TypeLibrary(files);
  }

  /** Every defined `Type@version`, lower case. */
  names(): string[] {
    return [...this.resources.keys()].sort();
  }

  /** The body type of a resource type and a resolver for its references, if vendored. */
  resource(
    typeAtVersion: string,
  ): { body: BicepType; resolve: (ref: TypeRef) => BicepType } | undefined {
    const r = this.resources.get(typeAtVersion.toLowerCase());
    if (!r) return undefined;
    return {
      body: r.body,
      resolve: (ref) => {
        const t = r.types[refIndex(ref)];
        if (!t) throw new Error(`dangling type reference ${ref.$ref} in ${typeAtVersion}`);
        return t;
      },
    };
  }
}

/** Every property path of a resource body (for contracts:update reports) with its flags, `[]` for array items. */
export function propertyPaths(types: readonly BicepType[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  const found = new TypeLibrary([types]).resource(resource);
  if (!found) return out;
  const walk = (t: BicepType, path: string, seen: Set<BicepType>): void => {
    if (seen.has(t)) return;
    const next = new Set(seen).add(t);
    const props = { ...t.baseProperties, ...t.properties };
    for (const [key, p] of Object.entries(props)) {
      out.set(`${path}${key}`, p.flags);
      walk(found.resolve(p.type), `${path}${key}.`, next);
    }
    if (t.itemType) walk(found.resolve(t.itemType), `${path.replace(/\.$/, '')}[].`, next);
    if (t.additionalProperties) walk(found.resolve(t.additionalProperties), `${path}*.`, next);
    const elements = Array.isArray(t.elements) ? t.elements : Object.values(t.elements ?? {});
    for (const e of elements) walk(found.resolve(e), path, next);
  };
  walk(found.body, '', new Set());
  return out;
}

/** Property paths added, removed, or with other flags, between two trims of one source. */
export function typeChanges(
  before: readonly BicepType[],
  after: readonly BicepType[],
  resources: readonly string[],
): string[] {
  const label = (f: number): string =>
    Object.entries(Flags)
      .filter(([, bit]) => f & bit)
      .map(([n]) => n)
      .join('|') || 'None';
  return resources.flatMap((r) => {
    const a = propertyPaths(before, r);
    const b = propertyPaths(after, r);
    const out: string[] = [];
    for (const [p, f] of b)
      if (!a.has(p)) out.push(`${r}: + ${p} (${label(f)})`);
      else if (a.get(p) !== f) out.push(`${r}: ${p} ${label(a.get(p)!)} → ${label(f)}`);
    for (const p of a.keys()) if (!b.has(p)) out.push(`${r}: - ${p}`);
    return out;
  });
}
