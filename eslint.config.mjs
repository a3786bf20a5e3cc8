// ESLint flat config: typescript-eslint recommended, no `any`, Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * The layers of README's "Architecture", top to bottom, each with the folders (or, for the host,
 * also the files) of src/ that belong to it. A layer imports only the layers its rule below allows.
 * - Host composes everything: src/bot/, src/dev/ (local mode), src/app.ts, src/index.ts, and
 *   src/doctor/ (`npm run doctor`: an entry point that runs the bot's own clients and factories).
 * - Telemetry (src/telemetry/) is infrastructure beside src/log.ts: any layer may call it (the
 *   Graph and ARM clients' spans), so it imports no layer.
 * - The kernel (src/config.ts, configFormats.ts, errors.ts, log.ts, paths.ts: every other file at
 *   the root of src/) imports no layer either (configuration knows no client, issue 28).
 */
const LAYERS = {
  host: ['bot', 'dev', 'doctor', 'app', 'index'],
  twin: ['sandbox'],
  dialogs: ['dialogs'],
  link: ['link'],
  clients: ['graph', 'azure', 'auth', 'cloud'],
  state: ['state'],
  present: ['cards', 'i18n'],
  domain: ['domain'],
  telemetry: ['telemetry'],
};
const ALL = Object.values(LAYERS).flat();
const MESSAGE =
  'A layer imports only the layers its rule allows (README, Architecture; eslint.config.mjs).';

/** The names of the folders (and host files) of the given layers. */
function of(...layers) {
  return layers.flatMap((l) => {
    if (!LAYERS[l]) throw new Error(`no layer ${l}`);
    return LAYERS[l];
  });
}

/** The names of every layer's folders but `own`'s. */
function allBut(own) {
  return ALL.filter((n) => !LAYERS[own].includes(n));
}

/**
 * `no-restricted-imports` for the files matched by `dirs` (folders of src/, or root files given
 * as `*.ts` globs): no relative import of the `denied` folders or host files, nor of `packages`.
 * A relative import is matched from where the file is (one config per depth below src/), so
 * `./state` inside src/sandbox/ is the sandbox's own module and `../state` is the State layer.
 * ESLint applies the last config of a rule for a file, so each file gets exactly one.
 */
function layer(dirs, denied, packages = [], ignores = []) {
  const names = denied.join('|');
  const depths = dirs.some((d) => d.endsWith('.ts')) ? [0] : [1, 2, 3];
  return depths.map((depth) => ({
    files: dirs.map((d) => (depth === 0 ? `src/${d}` : `src/${d}/${'*/'.repeat(depth - 1)}*.ts`)),
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${depth === 0 ? '\\./' : '(\\.\\./)'.concat(`{${depth}}`)}(${names})(/.*)?$`,
              message: MESSAGE,
            },
            ...(packages.length
              ? [{ group: packages, message: 'The link procedure knows no bot framework.' }]
              : []),
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'appPackage/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // Layers (README "Architecture"). The twelve rules of issue 28 are numbered 1–12 below (each has
  // a case in test/unit/layerRules.test.ts); the rest keeps each layer below the ones it serves.
  // Host (bot, dev, doctor, app.ts, index.ts) has no rule: it composes them all.
  // Domain: pure rules, imports no layer (1 Domain↛Link, 2 Domain↛Clients).
  ...layer(LAYERS.domain, allBut('domain')),
  // Present (cards, i18n): renders; never the dialogs (10 Present↛Dialogs), nor what it shows.
  ...layer(['i18n'], of('host', 'twin', 'dialogs', 'link', 'clients', 'state').concat('cards')),
  ...layer(['cards'], of('host', 'twin', 'dialogs', 'link', 'clients', 'state')),
  // State: stores records of domain shapes (3 State↛Link).
  ...layer(LAYERS.state, of('host', 'twin', 'dialogs', 'link', 'clients', 'present')),
  // Clients: the clouds' HTTP clients and sign-ins (6 Clients↛Dialogs, 9 Clients↛Twin). The sign-in
  // stores (auth) keep their records in State; Graph, ARM and the HTTP options do not.
  ...layer(['auth'], of('host', 'twin', 'dialogs', 'link', 'present')),
  ...layer(['graph', 'azure', 'cloud'], of('host', 'twin', 'dialogs', 'link', 'present', 'state')),
  // Link: the botbuilder-free procedure (4 Link↛Dialogs, 5 Link↛Host, 8 Link↛Twin).
  ...layer(LAYERS.link, of('host', 'twin', 'dialogs', 'present'), ['botbuilder', 'botbuilder-*']),
  // Dialogs: reach the clouds through ports, never the twin (7 Dialogs↛Twin).
  ...layer(LAYERS.dialogs, of('host', 'twin')),
  // Twin: the sandbox cloud is reached only through its endpoints and knows no tenantlink layer
  // (11 Twin↛Link, 12 Twin↛Dialogs); it shares only the permission map of src/auth/permissions.ts
  // (the scopes its token service grants), so Clients' graph/azure/cloud stay closed to it.
  ...layer(
    LAYERS.twin,
    of('host', 'dialogs', 'link', 'present', 'state', 'telemetry').concat(
      'graph',
      'azure',
      'cloud',
    ),
  ),
  // Telemetry and the kernel: called from every layer, so they import none.
  ...layer(LAYERS.telemetry, allBut('telemetry')),
  ...layer(['*.ts'], ALL, [], ['src/app.ts', 'src/index.ts']),
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
  prettier,
);
