/**
 * StrykerJS mutation testing of the pure domain and the link procedure (issue 27): `npm run mutate`.
 * Each mutant runs only the tests that cover it (perTest coverage) from jest.mutate.config.js;
 * `incremental` reuses the committed test/mutation/stryker-incremental.json so that a run re-tests
 * only the mutants whose code or tests changed (`npm run mutate -- --force` runs them all).
 * Equivalent mutants are listed in test/mutation/EQUIVALENT.md or disabled in place with a reason.
 * Reports go to reports/ (gitignored): clear text and progress on the console, JSON in
 * reports/mutation/mutation.json.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  // A mutant of a module-level constant (a table such as KIND_SEVERITY) is "static": no test's
  // coverage narrows it, so Stryker would run every test for it. Those are ignored (reported as
  // Ignored, outside the score); the tables are checked by value in the unit tests instead.
  ignoreStatic: true,
  mutate: ['src/domain/**/*.ts', 'src/link/**/*.ts'],
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  concurrency: 2,
  // Generous: on a loaded machine a fresh worker's first run can take minutes, and a timeout
  // restarts the worker (whose first run then times out again).
  timeoutMS: 180000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
