// ESLint flat config: typescript-eslint recommended, no `any`, Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * `no-restricted-imports` for one layer: no relative import of the named source folders, nor of
 * the named packages.
 */
function layer(files, folders, packages = []) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: folders.flatMap((f) => [`../${f}`, `../${f}/*`, `../../${f}/*`]),
                message: 'A layer imports only layers below it (README, Architecture).',
              },
              ...(packages.length
                ? [{ group: packages, message: 'The link procedure knows no bot framework.' }]
                : []),
            ],
          },
        ],
      },
    },
  ];
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
  // Layers (README "Architecture"): a layer never imports one above it. Top to bottom: bot →
  // dialogs → cards → link → graph/azure/auth/state → i18n → domain. The link procedure knows no
  // bot (no botbuilder); the sandbox cloud is reached only through its endpoints.
  ...layer('src/domain/**', [
    'link',
    'state',
    'dialogs',
    'bot',
    'cards',
    'graph',
    'azure',
    'auth',
    'i18n',
    'sandbox',
  ]),
  ...layer('src/i18n/**', [
    'link',
    'state',
    'dialogs',
    'bot',
    'cards',
    'graph',
    'azure',
    'sandbox',
  ]),
  ...layer('src/state/**', ['link', 'dialogs', 'bot', 'cards', 'sandbox']),
  ...layer('src/{graph,azure}/**', ['link', 'state', 'dialogs', 'bot', 'cards', 'sandbox']),
  ...layer('src/link/**', ['dialogs', 'bot', 'cards', 'sandbox'], ['botbuilder', 'botbuilder-*']),
  ...layer('src/cards/**', ['dialogs', 'bot', 'link', 'state', 'sandbox']),
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
