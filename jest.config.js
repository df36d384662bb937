// One jest configuration for every package. Tests live beside the code (src/**/*.test.ts) plus the
// whole-system suites in test/. globalSetup starts the embedded database once for the run.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/packages", "<rootDir>/services", "<rootDir>/sandbox", "<rootDir>/test", "<rootDir>/scripts"],
  testMatch: ["**/*.test.ts"],
  // The fast fault suite starts a whole system of processes: beside another worker's tests on 2
  // cores it would squeeze their timing. It runs alone, in the fault config's serial run.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/fault/fast.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // A developer's exported service settings never reach a test (test/ignore-service-settings.ts).
  setupFiles: ["<rootDir>/test/ignore-service-settings.ts"],
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  testTimeout: 30000,
  maxWorkers: 2,
  coveragePathIgnorePatterns: ["/node_modules/", "/gen/"],
};
