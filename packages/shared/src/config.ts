import convict from "convict";

/**
 * Strict number formats. convict's own "nat" reads an environment value with parseInt, so
 * GATEWAY_BANK_DEADLINE_MS=15s started the gateway with a 15 ms deadline and 600_000 became 600:
 * a typo quietly changed what happens to every transfer. These take digits only, and "positive"
 * refuses 0 where 0 would switch the thing off (a 0 batch size read as "no limit", a 0 deadline).
 */
const wholeNumber = (min: number) => ({
  coerce: (value: unknown) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
  validate: (value: unknown) => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw new Error(`must be a whole number${min > 0 ? " above 0" : ""}, digits only (e.g. 15000 for milliseconds); got ${JSON.stringify(value)}`);
    }
  },
});
convict.addFormat({ name: "positive", ...wholeNumber(1) });
convict.addFormat({ name: "whole", ...wholeNumber(0) });
convict.addFormat({
  name: "non-empty",
  validate: (value: unknown) => { if (typeof value !== "string" || value.trim() === "") throw new Error("must not be empty"); },
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
    doc: "MongoDB URI. Empty: use the embedded FerretDB started by the run command or the tests.",
    format: String,
    default: "",
    env: "MONGODB_URI",
    sensitive: true,
  },
  mongodbDatabase: {
    doc: "Database name inside the MongoDB server.",
    format: String,
    default: "gerbang",
    env: "MONGODB_DATABASE",
  },
};

/** Builds and strictly validates a convict config; overrides win over env (tests pass them). */
export function loadConfig<T>(schema: convict.Schema<T>, overrides: Record<string, unknown> = {}): convict.Config<T> {
  const config = convict(schema);
  config.load(overrides);
  config.validate({ allowed: "strict" });
  return config;
}
