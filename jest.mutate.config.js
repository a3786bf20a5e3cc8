/**
 * Jest configuration of the mutation run (`npm run mutate`, stryker.config.mjs): only the fast
 * tests that exercise src/domain and src/link through their public functions (unit tests on fake
 * ports), not the dialog tests that boot the whole
 * app over HTTP, so that a run stays well under 30 minutes on two cores.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testMatch: [
    '<rootDir>/test/unit/{eligibility,inventory,keyVaults,csv,approval,approvalJob,moveJob,names,restore,restorePlan,rules,stageSchemas,writeRecorder,notifyOnce,linkJobs,impact,access,preflight,move,restoreRecord,domainModel,linkProcedure,writeRecorderAnswers,approvalJobCard}.test.ts',
  ],
  // esbuild, not ts-jest: see test/mutation/esbuildTransform.js.
  transform: { '^.+\\.ts$': '<rootDir>/test/mutation/esbuildTransform.js' },
  // The tests take only MemoryStorage from botbuilder (the same class, which botbuilder re-exports
  // from botbuilder-core): loading all of botbuilder costs seconds per test file and mutant.
  moduleNameMapper: { '^botbuilder$': 'botbuilder-core/lib/memoryStorage' },
  // Far above the slowest of these tests (about 200 ms): a mutant that makes a test wait for
  // what never comes (a wake, a record's status) fails it after 5 s instead of 30 s, which on
  // two shared cores decides whether a run takes one hour or several.
  testTimeout: 5000,
  // Logs are silent (no TENANTLINK_TEST_LOG_DIR: the log scan is the ordinary suite's job).
  setupFiles: ['<rootDir>/test/setup/logging.ts'],
  // A wait on state stops when its test ends (a timed-out test leaves no polling behind).
  setupFilesAfterEnv: ['<rootDir>/test/setup/untilStop.ts'],
};
