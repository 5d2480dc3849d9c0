// Two projects: fast unit specs (colocated *.spec.ts) and integration specs (*.int-spec.ts) that talk to
// the fleet lab, Postgres and Redis. All-ESM: run with NODE_OPTIONS=--experimental-vm-modules.
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@fleetqry/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@fleetqry/([a-z-]+)/([a-z-]+)$': '<rootDir>/libs/$1/src/$2/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: '<rootDir>/tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
    ],
  },
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/tools'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

export default {
  // Integration specs drive real daemons and whole CLI runs.
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['**/*.int-spec.ts'], slowTestThreshold: 30 },
  ],
};
