import type { Config } from 'jest';

/**
 * NestJS 12 ships as ES modules only, which Jest on Node 20 can load only in its native ESM
 * mode (`npm test` passes --experimental-vm-modules). ts-jest compiles our TypeScript to
 * ES modules for the tests, transpile-only: `npm run typecheck` checks the types.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', useESM: true }] as [string, object],
};
const esm = { extensionsToTreatAsEsm: ['.ts'], transform };

/**
 * unit: pure code, next to it in src/. e2e: the real application over HTTP against a real
 * PostgreSQL (DATABASE_URL, else an embedded one), with the real migrations and seed data.
 */
const config: Config = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      ...esm,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      ...esm,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // A guard against a test that hangs, not a measure of speed: tests wait for events (a
  // log line, a status) however long a slow or busy machine takes, and speed is measured
  // by the benchmarks. (A root option: Jest ignores it inside a project.)
  testTimeout: 600_000,
};

export default config;
