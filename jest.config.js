/**
 * Two projects: `unit` (every *.test.ts that is not *.int.test.ts: pure code, the stand-in and the
 * bench's rules; no PostgreSQL or Redis, `npm run test:unit`) and `integration` (*.int.test.ts:
 * real PostgreSQL and Redis, one migrated template database per run). `npm test` runs both.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  // Type checking is done once by `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
