import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARM_CONTRACTS, type Contract } from '../test/contracts/operations';

/**
 * `npm run contracts:update`: fetches the ARM specifications named in test/contracts/provenance.json
 * again from GitHub (the default branch, or `--ref <commit>`), compares them with the transcribed
 * contracts (every operation's path, its success status codes, the api-version of its file) and
 * prints what differs. With `--write`, records the fetched commit in provenance.json when nothing
 * differs. Needs network access to GitHub; the tests never call it. Exit code 1 when a contract
 * no longer matches its specification (update test/contracts/operations.ts, then run it again).
 */

interface Source {
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
  const ref = args.includes('--ref') ? args[args.indexOf('--ref') + 1]! : 'main';
  const provenance = JSON.parse(readFileSync(PROVENANCE, 'utf8')) as Record<string, Source>;
  let failed = false;
  for (const [key, source] of Object.entries(provenance)) {
    if (!source.repository || !source.path) continue;
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
  if (args.includes('--write'))
    writeFileSync(PROVENANCE, `${JSON.stringify(provenance, null, 2)}\n`);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) void main();
