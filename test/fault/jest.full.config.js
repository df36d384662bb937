// The fault suites (`npx jest -c test/fault/jest.full.config.js`, for `make fault` and CI): whole
// systems of real processes under every fault, a few minutes: the fast subset (fast.test.ts, kept
// out of the main run) and the full one. One file at a time: each starts a whole system, and two
// at once on 2 cores would slow every timeout-bound step.
// Each fault run starts its own database, so jest's shared one (globalSetup) is not needed.
const { globalSetup, globalTeardown, roots, testMatch, testPathIgnorePatterns, ...base } = require("../../jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/fault"],
  testMatch: ["**/fast.test.ts", "**/*.fault.ts"],
  maxWorkers: 1,
  testTimeout: 300_000,
};
