import convict from "convict";

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
