import { bankServiceConfigSchema, loadConfig } from "@gerbang/shared";
import { loadGatewayConfig, shutdownBudgetMs } from "./config";

// A typo in the environment must stop the process at start with the variable named, never run
// with a value it did not mean (convict's "nat" read GATEWAY_BANK_DEADLINE_MS=15s as 15 ms).
function withEnv<T>(env: Record<string, string>, load: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return load();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

describe("gateway configuration from the environment", () => {
  it("reads digits as numbers", () => {
    expect(withEnv({ GATEWAY_BANK_DEADLINE_MS: "16000", GATEWAY_RESOLVER_BATCH_SIZE: "50" }, () => loadGatewayConfig())).toMatchObject({ bankDeadlineMs: 16000, resolverBatchSize: 50 });
  });

  it.each([
    ["GATEWAY_BANK_DEADLINE_MS", "15s"],
    ["GATEWAY_MANUAL_REVIEW_AFTER_MS", "600_000"],
    ["GATEWAY_LEASE_MS", "1e5"],
    ["GATEWAY_RESOLVER_BATCH_SIZE", "0"],
    ["GATEWAY_MAX_IN_FLIGHT", "-1"],
    ["GATEWAY_DUPLICATE_WAIT_MS", "2 s"],
    // Beyond a timer's limit Node fires it after 1 ms: a grace this long would be none.
    ["GATEWAY_SHUTDOWN_GRACE_MS", "2147483648"],
    // 100 could never be exceeded: the breaker would never open.
    ["GATEWAY_BREAKER_ERROR_PERCENT", "100"],
    // Under a second the window holds too few calls to judge a bank by (under 10 ms it never opens).
    ["GATEWAY_BREAKER_WINDOW_MS", "999"],
  ])("refuses %s=%s at start with a clear error", (name, value) => {
    expect(() => withEnv({ [name]: value }, () => loadGatewayConfig())).toThrow(/must be a whole number from \d+ to \d+/);
  });

  it("takes the largest setting a timer can hold, and a breaker percentage of 99", () => {
    expect(withEnv({ GATEWAY_SHUTDOWN_GRACE_MS: "2147483647", GATEWAY_BREAKER_ERROR_PERCENT: "99" }, () => loadGatewayConfig())).toMatchObject({ shutdownGraceMs: 2147483647, breakerErrorPercent: 99 });
  });

  it("refuses an empty MONGODB_DATABASE (the driver would fall back to the URI's database, or \"test\")", () => {
    expect(() => withEnv({ MONGODB_DATABASE: "" }, () => loadGatewayConfig())).toThrow(/mongodbDatabase \(MONGODB_DATABASE\): must not be empty/);
  });

  it("refuses an empty GATEWAY_JWT_AUDIENCE (it would switch the audience check off)", () => {
    expect(() => withEnv({ GATEWAY_JWT_AUDIENCE: "" }, () => loadGatewayConfig())).toThrow(/jwtAudience \(GATEWAY_JWT_AUDIENCE\): must not be empty/);
  });

  it("refuses BANK_TIMEOUT_MS=10s and =0 for a bank service (the skeleton's shared entries)", () => {
    const schema = bankServiceConfigSchema({ port: 0, hostEnv: "HOST_TEST", host: "http://127.0.0.1:9" });
    for (const value of ["10s", "0"]) {
      expect(() => withEnv({ BANK_TIMEOUT_MS: value }, () => loadConfig(schema))).toThrow(/bankTimeoutMs \(BANK_TIMEOUT_MS\): must be a whole number from 1 to 2147483647/);
    }
  });

  it("reads an environment it is given instead of the process's, and bounds a stop by the settings that make it long", () => {
    const config = loadGatewayConfig({}, { GATEWAY_SHUTDOWN_DELAY_MS: "40000", GATEWAY_SHUTDOWN_GRACE_MS: "5000", GATEWAY_BANK_POLICIES: '{"014":{"deadlineMs":25000}}', GATEWAY_LEASE_MS: "60000" });
    expect(config).toMatchObject({ shutdownDelayMs: 40_000, shutdownGraceMs: 5_000 });
    // The delay, then the longer of the grace and the longest bank deadline (a resolver's call on its way), then 10 s to hand leases back.
    expect(shutdownBudgetMs(config)).toBe(40_000 + 25_000 + 10_000);
    expect(shutdownBudgetMs(loadGatewayConfig({}, {}))).toBe(0 + 20_000 + 10_000); // the defaults: grace 20 s over the 15 s deadline
  });
});
