/** Jest configuration: TypeScript through ts-jest, tests under test/. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // A safety net, not a bound a test relies on (tests wait on state): generous so that a loaded
  // machine makes the whole-link tests slower, never failed.
  testTimeout: 120000,
  maxWorkers: 2,
  // Every log line of the run goes to files that the teardown scans for tokens and secrets.
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  // Every sandbox records the Graph and ARM calls it answers (checked against test/contracts).
  setupFiles: ['<rootDir>/test/setup/logging.ts', '<rootDir>/test/setup/contracts.ts'],
  // A wait on state stops when its test ends (a timed-out test leaves no polling behind).
  setupFilesAfterEnv: ['<rootDir>/test/setup/untilStop.ts'],
};
