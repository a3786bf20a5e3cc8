import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type BicepType, trimTypes, typeChanges } from '../test/contracts/bicepTypes';

/**
 * The infrastructure part of `npm run contracts:update`: the Bicep type definitions
 * (Azure/bicep-types-az, microsoftgraph/msgraph-bicep-types) and azd's azure.yaml JSON schema
 * (Azure/azure-dev) that test/contracts/infra.test.ts checks infra/ and azure.yaml against.
 * Their sources are the provenance.json entries with `kind` "bicep-types" or "azd-schema". Each
 * source is read again (GitHub's default branch, `--ref owner/name=<commit>`, or a local clone
 * with `--git-dir owner/name=<dir>`), trimmed like the vendored copy, compared with it, and what
 * changed is printed (property paths added, removed or with other flags; schema files changed).
 * `--write` replaces the vendored copies and records the commit read. Needs network access to
 * GitHub unless every repository is given a `--git-dir`; the tests never call it.
 */

/** A provenance.json entry of a vendored infrastructure source. */
export interface InfraSource {
  readonly kind: 'bicep-types' | 'azd-schema';
  readonly repository: string;
  readonly path: string;
  commit: string;
  /** Repository-relative path of the vendored copy. */
  readonly file: string;
  /** bicep-types: the `Type@version`s kept. */
  readonly resources?: readonly string[];
  /** azd-schema: the files the schema refers to, bundled with it. */
  also?: string[];
}

/** Reads one file of one repository at the ref being compared. */
export interface SourceReader {
  commit(repository: string): Promise<string>;
  read(repository: string, path: string): Promise<string>;
}

const ROOT = join(__dirname, '..');
const RAW = 'https://raw.githubusercontent.com/';

/** A reader of GitHub (network) or of local clones, per `--ref` and `--git-dir` arguments. */
export function sourceReader(args: readonly string[]): SourceReader {
  const pairs = (flag: string): Map<string, string> =>
    new Map(
      args
        .flatMap((a, i) => (args[i - 1] === flag && a.includes('=') ? [a] : []))
        .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
    );
  const refs = pairs('--ref');
  const dirs = pairs('--git-dir');
  const resolved = new Map<string, string>();
  const commit = async (repo: string): Promise<string> => {
    const known = resolved.get(repo);
    if (known) return known;
    const ref = refs.get(repo) ?? (dirs.has(repo) ? 'HEAD' : 'main');
    let sha: string;
    if (dirs.has(repo))
      sha = execFileSync('git', ['-C', dirs.get(repo)!, 'rev-parse', ref], { encoding: 'utf8' });
    else {
      const url = `https://api.github.com/repos/${repo}/commits/${ref}`;
      const res = await fetch(url, {
        headers: { accept: 'application/vnd.github.sha' },
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      sha = await res.text();
    }
    resolved.set(repo, sha.trim());
    return sha.trim();
  };
  return {
    commit,
    read: async (repo, path) => {
      const sha = await commit(repo);
      const dir = dirs.get(repo);
      if (dir)
        return execFileSync('git', ['-C', dir, 'show', `${sha}:${path}`], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
      const url = `${RAW}${repo}/${sha}/${path}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return res.text();
    },
  };
}

/** The files an azd schema refers to (absolute raw URLs of the same repository, or relative). */
async function schemaBundle(
  reader: SourceReader,
  source: InfraSource,
): Promise<Record<string, unknown>> {
  const base = `${RAW}${source.repository}/main/`;
  const bundle: Record<string, unknown> = {};
  const todo = [source.path];
  while (todo.length > 0) {
    const path = todo.pop()!;
    if (`${base}${path}` in bundle) continue;
    const text = await reader.read(source.repository, path);
    bundle[`${base}${path}`] = JSON.parse(text);
    for (const [, ref] of text.matchAll(/"\$ref"\s*:\s*"([^"#][^"#]*)/g)) {
      if (ref!.startsWith(base)) todo.push(ref!.slice(base.length));
      else if (/^https?:/.test(ref!))
        throw new Error(`${path}: $ref outside the repository ${ref}`);
      else todo.push(posix.normalize(posix.join(posix.dirname(path), ref!)));
    }
  }
  return bundle;
}

/** Schema files added, removed or changed between two bundles. */
function bundleChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [url, s] of Object.entries(after))
    if (!(url in before)) out.push(`+ ${url}`);
    else if (JSON.stringify(before[url]) !== JSON.stringify(s)) out.push(`changed ${url}`);
  for (const url of Object.keys(before)) if (!(url in after)) out.push(`- ${url}`);
  return out;
}

/**
 * Reads every infrastructure source again, prints what changed against the vendored copy and,
 * with `write`, replaces the copy and records the commit. Returns whether anything changed.
 */
export async function updateInfraSources(
  provenance: Record<string, unknown>,
  reader: SourceReader,
  write: boolean,
): Promise<boolean> {
  let changed = false;
  for (const [key, entry] of Object.entries(provenance)) {
    const source = entry as InfraSource;
    if (source?.kind !== 'bicep-types' && source?.kind !== 'azd-schema') continue;
    const target = join(ROOT, source.file);
    const old: unknown = existsSync(target) ? JSON.parse(readFileSync(target, 'utf8')) : undefined;
    let fresh: unknown;
    let changes: string[];
    if (source.kind === 'bicep-types') {
      const types = JSON.parse(await reader.read(source.repository, source.path)) as BicepType[];
      fresh = trimTypes(types, source.resources ?? []);
      changes = typeChanges((old ?? []) as BicepType[], fresh as BicepType[], source.resources!);
    } else {
      const schemas = await schemaBundle(reader, source);
      fresh = { schemas };
      changes = bundleChanges(
        (old as { schemas?: Record<string, unknown> })?.schemas ?? {},
        schemas,
      );
      source.also = Object.keys(schemas)
        .slice(1)
        .map((u) => u.replace(`${RAW}${source.repository}/main/`, ''));
    }
    const commit = await reader.commit(source.repository);
    const same = JSON.stringify(old) === JSON.stringify(fresh);
    changed ||= !same;
    process.stdout.write(
      `${key} (${source.repository}@${commit.slice(0, 12)}): ${same ? 'unchanged' : 'CHANGED'}\n` +
        changes.map((c) => `  ${c}\n`).join(''),
    );
    if (write) {
      const options = {
        ...(await (await import('prettier')).resolveConfig(target)),
        parser: 'json',
      };
      writeFileSync(
        target,
        await (await import('prettier')).format(JSON.stringify(fresh), options),
      );
      source.commit = commit;
    }
  }
  return changed;
}
