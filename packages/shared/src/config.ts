import { isIP } from "node:net";
import convict from "convict";

/**
 * Strict number formats. convict's own "nat" reads an environment value with parseInt, so
 * GATEWAY_BANK_DEADLINE_MS=15s started the gateway with a 15 ms deadline and 600_000 became 600:
 * a typo quietly changed what happens to every transfer. These take digits only, and "positive"
 * refuses 0 where 0 would switch the thing off (a 0 batch size read as "no limit", a 0 deadline).
 * Every setting is at most MAX_SETTING: Node runs a timer set beyond it after 1 ms, so a shutdown
 * grace of 2^31 ms would have been no grace at all.
 */
export const MAX_SETTING = 2_147_483_647;
const wholeNumber = (min: number, max = MAX_SETTING) => ({
  coerce: (value: unknown) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
  validate: (value: unknown) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}, digits only (e.g. 15000 for milliseconds); got ${JSON.stringify(value)}`);
    }
  },
});
convict.addFormat({ name: "positive", ...wholeNumber(1) });
convict.addFormat({ name: "whole", ...wholeNumber(0) });
convict.addFormat({ name: "at-least-1000", ...wholeNumber(1000) });
// A percentage a rate must exceed (the circuit breaker's): 100 could never be exceeded, which
// would switch the breaker off.
convict.addFormat({ name: "percent-below-100", ...wholeNumber(0, 99) });
// convict's "port" reads with parseInt too (1e3 became port 1, 8080abc port 8080): digits only,
// 0 to 65535 (0: any free port, for tests).
convict.addFormat({
  name: "tcp-port",
  coerce: wholeNumber(0).coerce,
  validate: (value: unknown) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`must be a port, 0 to 65535, digits only; got ${JSON.stringify(value)}`);
  },
});
// convict's Boolean reads every value but "false" as true (0, no, off switched a thing on).
convict.addFormat({
  name: "flag",
  coerce: (value: unknown) => {
    if (value === "true") return true;
    if (value === "false") return false;
    return value;
  },
  validate: (value: unknown) => { if (typeof value !== "boolean") throw new Error(`must be true or false; got ${JSON.stringify(value)}`); },
});
/** The "non-empty" format's check: a string with more than spaces in it. */
export function assertNonEmpty(value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") throw new Error("must not be empty");
}
convict.addFormat({ name: "non-empty", validate: assertNonEmpty });
// An address a server binds: an IP (v4 or v6, unbracketed: the port is added with brackets) or a
// host name. Empty would bind every interface on some stacks and fail on others.
convict.addFormat({
  name: "bind-host",
  validate: (value: unknown) => {
    if (typeof value !== "string" || (isIP(value) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(value))) {
      throw new Error(`must be an IP address (IPv6 without brackets) or a host name; got ${JSON.stringify(value)}`);
    }
  },
});

/**
 * Settings every process shares. Each service's config.ts spreads these into its own convict
 * schema; config is read once in main.ts, validated strictly, and passed down typed.
 */
export const commonConfigSchema = {
  logLevel: {
    doc: "pino log level.",
    format: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    default: "info",
    env: "LOG_LEVEL",
  },
  mongodbUri: {
    doc: "MongoDB URI (required by the gateway and the bank services; make run and the tests start the embedded FerretDB and set it).",
    format: String,
    default: "",
    env: "MONGODB_URI",
    sensitive: true,
  },
  mongodbDatabase: {
    doc: "Database name inside the MongoDB server.",
    format: "non-empty", // empty: the driver falls back to the URI's database, or "test"
    default: "gerbang",
    env: "MONGODB_DATABASE",
  },
};

/** Builds and strictly validates a convict config; overrides win over env (tests pass them). */
export function loadConfig<T>(schema: convict.Schema<T>, overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): convict.Config<T> {
  const config = convict(schema, { env });
  config.load(overrides);
  try {
    config.validate({ allowed: "strict" });
  } catch (error) {
    // convict names the schema key ("httpPort: must be ...", "credentials.apiKey: ..."); say which variable that is.
    const envOf = new Map(settingsOf(schema).map(({ key, env }) => [key, env]));
    const message = (error instanceof Error ? error.message : String(error))
      .split("\n").map((line) => line.replace(/^([\w.]+):/, (whole, key: string) => (envOf.get(key) === undefined ? whole : `${key} (${envOf.get(key) ?? ""}):`))).join("\n");
    throw new Error(message, { cause: error });
  }
  return config;
}

/** Every setting of a schema, by dotted key, with its variable and default: a setting has `default`, anything else is a group of them. */
export function settingsOf(schema: object, prefix = ""): { key: string; env: string | undefined; default: unknown }[] {
  return Object.entries(schema).flatMap(([key, entry]: [string, unknown]) => {
    if (typeof entry !== "object" || entry === null) return [];
    if ("default" in entry) return [{ key: `${prefix}${key}`, env: (entry as { env?: string }).env, default: entry.default }];
    return settingsOf(entry, `${prefix}${key}.`);
  });
}
