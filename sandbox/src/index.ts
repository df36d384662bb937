/** The bank sandboxes, for tests and suites that run them in-process. */
export { createSandbox, type Sandbox, type SandboxOptions } from "./server";
export { sandboxConfigSchema, type SandboxConfig } from "./config";
export type { BcaCredentials, BniCredentials, MandiriCredentials } from "./credentials";
