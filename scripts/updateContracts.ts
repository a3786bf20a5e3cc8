import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARM_CONTRACTS, type Contract } from '../test/contracts/operations';
import { sourceReader, updateInfraSources } from './updateInfraContracts';

/**
 * `npm run contracts:update`: fetches the ARM specifications named in test/contracts/provenance.json
 * again from GitHub (the default branch, or `--ref <commit>`), compares them with the transcribed
 * contracts (every operation's path, its success status codes, the api-version of its file) and
 * prints what differs. With `--write`, records the fetched commit in provenance.json when nothing
 * differs. Then the infrastructure sources (Bicep types, azd's schema; see
 * scripts/updateInfraContracts.ts for `--ref owner/name=<commit>`, `--git-dir owner/name=<dir>`
 * and `--infra-only`). Needs network access to GitHub; the tests never call it. Exit code 1 when a
 * contract no longer matches its specification (update test/contracts/operations.ts, then run it
 * again) or a vendored infrastructure source changed (check infra/ and azure.yaml against it).
 */

interface Source {
  readonly kind?: string;
  readonly repository?: string;
  readonly path?: string;
  readonly also?: string;
  commit?: string;
}

interface Swagger {
  readonly info?: { readonly version?: string };
  readonly paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

const PROVENANCE = join(__dirname, '..', 'test', 'contracts', 'provenance.json');

async function fetchJson(repository: string, ref: string, path: string): Promise<Swagger> {
  const url = `https://raw.githubusercontent.com/${repository}/${ref}/${path}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as Swagger;
}

/** The swagger path key of a contract template (`{scope}` and other parameters as the spec names them). */
function swaggerKey(c: Contract): string {
  return c.template.replace(/^\{scope\}/, '/{scope}');
}

/** What differs between one contract and the swagger that defines it. */
export function differences(c: Contract, swagger: Swagger): string[] {
  const out: string[] = [];
  if (c.apiVersion && swagger.info?.version !== c.apiVersion)
    out.push(`api-version ${swagger.info?.version} in the spec, ${c.apiVersion} in the contract`);
  const paths = swagger.paths ?? {};
  const key = Object.keys(paths).find((k) => k.toLowerCase() === swaggerKey(c).toLowerCase());
  const op = key ? paths[key]?.[c.method.toLowerCase()] : undefined;
  if (!op) return [...out, `${c.method} ${swaggerKey(c)} is not in the spec`];
  const specStatuses = Object.keys(op.responses ?? {})
    .filter((s) => /^2\d\d$/.test(s))
    .sort();
  const ours = Object.keys(c.responses).sort();
  if (specStatuses.join() !== ours.join())
    out.push(`success statuses: spec ${specStatuses.join('/')}, contract ${ours.join('/')}`);
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `--ref <commit>`: the specifications' commit; `--ref owner/name=<commit>`: an infra source's.
  const ref = args.find((a, i) => args[i - 1] === '--ref' && !a.includes('=')) ?? 'main';
  const provenance = JSON.parse(readFileSync(PROVENANCE, 'utf8')) as Record<string, Source>;
  let failed = false;
  for (const [key, source] of Object.entries(provenance)) {
    if (!source.repository || !source.path || source.kind || args.includes('--infra-only'))
      continue;
    const specs = await Promise.all(
      [source.path, source.also]
        .filter((p): p is string => !!p)
        .map((p) => fetchJson(source.repository!, ref, p)),
    );
    const merged: Swagger = {
      info: specs[0]?.info,
      paths: Object.assign({}, ...specs.map((s) => s.paths ?? {})),
    };
    const problems = ARM_CONTRACTS.filter((c) => c.source === key).flatMap((c) =>
      differences(c, merged).map((d) => `${c.id}: ${d}`),
    );
    if (problems.length > 0) {
      failed = true;
      process.stdout.write(`${key} (${ref}):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    } else {
      process.stdout.write(`${key} (${ref}): the contracts match the specification\n`);
      if (args.includes('--write') && ref !== 'main') source.commit = ref;
    }
  }
  // The bicep-types and azd-schema entries (infra/ and azure.yaml): scripts/updateInfraContracts.ts.
  const infraChanged = await updateInfraSources(
    provenance,
    sourceReader(args),
    args.includes('--write'),
  );
  if (args.includes('--write'))
    writeFileSync(
      PROVENANCE,
      await (
        await import('prettier')
      ).format(JSON.stringify(provenance, null, 2), {
        ...(await (await import('prettier')).resolveConfig(PROVENANCE)),
        parser: 'json',
      }),
    );
  process.exit(failed || infraChanged ? 1 : 0);
}

if (require.main === module) void main();
