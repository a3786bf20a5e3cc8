import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The layer rules of README's "Architecture", as the lint enforces them (eslint.config.mjs;
 * issues 18 and 28): each of the twelve rules fires on a file of the lower layer importing the
 * upper one, for every folder of both layers; the imports a layer may make do not fire; and every
 * folder and file of src/ is in a layer (only the host, which composes them all, has no rule).
 * The code is linted with ESLint's Node API and the project's own configuration, as if it were
 * the file named, in one child process (test/helpers/lintWithProjectConfig.mjs: the flat config
 * is an ES module, which Jest cannot import).
 */

const ROOT = join(__dirname, '..', '..');
const HELPER = join(ROOT, 'test', 'helpers', 'lintWithProjectConfig.mjs');

/** One import linted as if it were `file`. */
interface Case {
  readonly file: string;
  readonly from: string;
}

/** What the helper reports: each case's messages, each file's `no-restricted-imports` severity. */
interface Linted {
  readonly lint: { ruleId: string | null; message: string }[][];
  readonly configFor: number[];
}

/** Runs the helper once for all cases and files. */
function lintAll(cases: readonly Case[], configFor: readonly string[]): Promise<Linted> {
  const lint = cases.map(({ file, from }) => ({
    filePath: file,
    code: `import { y } from '${from}';\nexport const x = y;\n`,
  }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Linted) : reject(new Error(err)),
    );
    child.stdin.end(JSON.stringify({ root: ROOT, lint, configFor }));
  });
}

/** The folders of each layer (README, Architecture). */
const CLIENTS = ['graph', 'azure', 'auth', 'cloud'];
const PRESENT = ['cards', 'i18n'];

/** A module of each upper layer to import, by folder. */
const MODULE: Readonly<Record<string, string>> = {
  link: 'link/procedure',
  dialogs: 'dialogs/linkDialog',
  sandbox: 'sandbox/seed',
  graph: 'graph/graphClient',
  azure: 'azure/armClient',
  auth: 'auth/signIn',
  cloud: 'cloud/http',
  bot: 'bot/compose',
  dev: 'dev/localMode',
  doctor: 'doctor/runner',
  app: 'app',
  index: 'index',
};

/** The twelve rules: the lower layer's folders, the upper layer's folders (or host files). */
const RULES: readonly [string, readonly string[], readonly string[]][] = [
  ['1 Domain↛Link', ['domain'], ['link']],
  ['2 Domain↛Clients', ['domain'], CLIENTS],
  ['3 State↛Link', ['state'], ['link']],
  ['4 Link↛Dialogs', ['link'], ['dialogs']],
  ['5 Link↛Host', ['link'], ['bot', 'dev', 'doctor', 'app', 'index']],
  ['6 Clients↛Dialogs', CLIENTS, ['dialogs']],
  ['7 Dialogs↛Twin', ['dialogs'], ['sandbox']],
  ['8 Link↛Twin', ['link'], ['sandbox']],
  ['9 Clients↛Twin', CLIENTS, ['sandbox']],
  ['10 Present↛Dialogs', PRESENT, ['dialogs']],
  ['11 Twin↛Link', ['sandbox'], ['link']],
  ['12 Twin↛Dialogs', ['sandbox'], ['dialogs']],
];

/** Every (rule, lower file, upper module) of the twelve rules. */
const REFUSED: readonly (Case & { readonly rule: string })[] = RULES.flatMap(
  ([rule, lower, upper]) =>
    lower.flatMap((l) =>
      upper.map((u) => ({ rule, file: `src/${l}/x.ts`, from: `../${MODULE[u]}` })),
    ),
);

/** Other imports the lint refuses (issue 18's rules, the kernel, a nested file, a package). */
const REFUSED_TOO: readonly Case[] = [
  { file: 'src/domain/x.ts', from: '../state/changeRecords' },
  { file: 'src/i18n/x.ts', from: '../cards/render' },
  { file: 'src/link/x.ts', from: 'botbuilder' },
  { file: 'src/azure/x.ts', from: '../state/changeRecords' },
  // Configuration knows no client (issue 28), nor does telemetry.
  { file: 'src/config.ts', from: './auth/signIn' },
  { file: 'src/telemetry/x.ts', from: '../azure/armClient' },
  // A file deeper in its layer's folder.
  { file: 'src/sandbox/sub/x.ts', from: '../../link/move' },
];

/** Imports a layer may make: none of these fires. */
const ALLOWED: readonly Case[] = [
  { file: 'src/dialogs/x.ts', from: '../link/procedure' },
  { file: 'src/link/x.ts', from: '../domain/model' },
  { file: 'src/link/x.ts', from: '../auth/signIn' },
  { file: 'src/state/x.ts', from: '../domain/restorePlan' },
  { file: 'src/auth/x.ts', from: '../state/createOnly' },
  { file: 'src/graph/x.ts', from: '../telemetry/cloudSpans' },
  // The sandbox's own module whose name is a layer's (src/sandbox/state.ts), and the permission
  // map its token service shares.
  { file: 'src/sandbox/x.ts', from: './state' },
  { file: 'src/sandbox/x.ts', from: '../auth/permissions' },
  // The host composes every layer, the twin included.
  { file: 'src/app.ts', from: './sandbox' },
  { file: 'src/dev/x.ts', from: '../dialogs/sandboxSignInDialog' },
];

/** The host (no layer rule): it composes every layer. */
const HOST = ['src/bot/x.ts', 'src/dev/x.ts', 'src/doctor/x.ts', 'src/app.ts', 'src/index.ts'];
/** Every folder and root file of src/, as a file of it. */
const SRC_FILES = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((e) =>
  e.isDirectory() ? `src/${e.name}/x.ts` : `src/${e.name}`,
);

let linted: Linted;
const refusedTooAt = REFUSED.length;
const allowedAt = refusedTooAt + REFUSED_TOO.length;

beforeAll(async () => {
  linted = await lintAll([...REFUSED, ...REFUSED_TOO, ...ALLOWED], SRC_FILES);
});

/** The layer rule's messages among a case's. */
const layerMessages = (i: number): string[] =>
  linted.lint[i]!.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

it('covers each of the twelve rules', () => {
  expect(new Set(REFUSED.map((c) => c.rule)).size).toBe(12);
});

it.each(REFUSED.map((c, i) => [c.rule, c.file, c.from, i] as const))(
  'rule %s fires: %s imports %s',
  (_rule, _file, _from, i) => {
    expect(layerMessages(i)).toEqual([expect.stringMatching(/README, Architecture|bot framework/)]);
  },
);

it.each(REFUSED_TOO.map((c, i) => [c.file, c.from, refusedTooAt + i] as const))(
  'also refused: %s imports %s',
  (_file, _from, i) => {
    expect(layerMessages(i)).toHaveLength(1);
  },
);

it.each(ALLOWED.map((c, i) => [c.file, c.from, allowedAt + i] as const))(
  'allowed: %s imports %s',
  (_file, _from, i) => {
    expect(layerMessages(i)).toEqual([]);
  },
);

it('puts every folder and root file of src/ in a layer; only the host has no rule', () => {
  const unruled = SRC_FILES.filter((_, i) => linted.configFor[i] !== 2);
  expect(unruled.sort()).toEqual(HOST.sort());
});
