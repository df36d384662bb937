import convict from "convict";
import { assertNonEmpty, loadConfig, settingsOf } from "../config";
import { isLoopbackHost } from "../loopback";
import { hasScheme } from "./bank-registry";

/**
 * Convict schema entries every bank service has. Each service's config.ts spreads these next to
 * commonConfigSchema and its own credentials; only config.ts/main.ts see the environment.
 */
export interface BankServiceSettings {
  port: number;
  bindHost: string;
  /** Origin of the bank (HOST_BNI etc.), the value of the `{{hostX}}` route variable. */
  bankHost: string;
  bankTimeoutMs: number;
  deadlineMarginMs: number;
  registryRefreshMs: number;
  /** TEST ONLY (BANK_FAILPOINT): "after-bank-answer" SIGKILLs the process after the bank answered, before the gateway gets the reply. "" = off. */
  failpoint: string;
}

export function bankServiceConfigSchema(defaults: { port: number; hostEnv: string; host: string }) {
  return {
    port: { doc: "gRPC port of this bank service.", format: "tcp-port", default: defaults.port, env: "PORT" },
    bindHost: { doc: "Address the gRPC server binds (an IP, IPv6 unbracketed, or a host name).", format: "bind-host", default: "127.0.0.1", env: "BIND_HOST" },
    bankHost: {
      doc: "The bank's origin for {{host}} in route endpoints: https://host[:port] or host[:port]; http:// only to this machine (the sandboxes, e.g. http://127.0.0.1:7002).",
      format: "bank-origin",
      default: defaults.host,
      env: defaults.hostEnv,
      sensitive: true, // convict quotes a refused value otherwise, and a mistaken one may hold a password
    },
    bankTimeoutMs: { doc: "Longest time one call may spend at the bank, in ms.", format: "positive", default: 10_000, env: "BANK_TIMEOUT_MS" },
    deadlineMarginMs: {
      doc: "Time kept free before the caller's gRPC deadline so our answer reaches it, in ms.",
      format: "whole",
      default: 250,
      env: "DEADLINE_MARGIN_MS",
    },
    registryRefreshMs: { doc: "How often partner and route rows are reloaded, in ms.", format: "positive", default: 5_000, env: "REGISTRY_REFRESH_MS" },
    failpoint: {
      doc: "TEST ONLY: after-bank-answer kills this process (SIGKILL) after the bank answered a Transfer, before replying to the gateway. Empty: off.",
      format: ["", "after-bank-answer"],
      default: "",
      env: "BANK_FAILPOINT",
    },
  };
}

/**
 * A credential's setting, read from `env` and defaulting to the local sandbox's demo value.
 * Refused when empty, unless the bank's API marks the field optional (`optional`: empty is then
 * sent as absent), and when longer than the bank's documented length (`maxLength`), which the bank
 * would refuse on every transfer. A `secret` is masked wherever convict prints the settings.
 */
export function credentialSetting(doc: string, env: string, demo: string, options: { secret?: boolean; optional?: boolean; maxLength?: number } = {}) {
  const validate = (value: unknown) => {
    if (typeof value !== "string") throw new Error("must be a string");
    if (options.optional !== true) assertNonEmpty(value);
    if (options.maxLength !== undefined && value.length > options.maxLength) throw new Error(`at most ${options.maxLength} characters, as the bank takes it`);
  };
  return { doc, format: validate, default: demo, env, sensitive: options.secret === true };
}

/**
 * Loads a bank service's settings. Refused besides what each format refuses (credentials: see
 * credentialSetting): when the bank is not on this machine, any credential still at its default,
 * the local sandbox's demo value, and any other setting named in `demoSettings` still at its
 * default, a demo value too (BCA's Origin): a deployment that forgot one would send published
 * values to the real bank and fail every transfer while looking healthy.
 */
export function loadBankConfig<T extends BankServiceSettings & { credentials: object }>(
  schema: convict.Schema<T>, overrides: Record<string, unknown>, demoSettings: readonly string[] = [],
): T {
  const loaded = loadConfig(schema, overrides);
  const config = loaded.getProperties();
  if (isLoopbackOrigin(config.bankHost)) return config;
  const settings = settingsOf(schema);
  const demoLeft = [
    ...settings.filter(({ key }) => key.startsWith("credentials.")),
    ...settings.filter(({ key }) => demoSettings.includes(key)),
  ].filter((setting) => loaded.get(setting.key as never) === setting.default).map(({ key, env }) => env ?? key);
  if (demoLeft.length > 0) throw new Error(`${demoLeft.join(", ")}: still the local sandbox's demo values, but the bank is at ${config.bankHost}; set the bank's own values`);
  return config;
}

/** Whether a configured bank host is on this machine (a sandbox), where demo values are fine. */
function isLoopbackOrigin(origin: string): boolean {
  return isLoopbackHost(bankOriginUrl(origin)?.hostname ?? "");
}

/** A configured bank host as a URL (a bare host:port is https, as resolveEndpoint reads it); undefined when it does not parse. */
function bankOriginUrl(value: string): URL | undefined {
  try {
    return new URL(hasScheme(value) ? value : `https://${value}`);
  } catch {
    return undefined;
  }
}

// A bank's origin: https://host[:port], or host[:port] (https then), or http:// to this machine
// only (the sandboxes). The bank's OAuth secret, signatures and every transfer travel in it: over
// plain HTTP to anywhere else they could be read and replayed, and an unparseable value would
// only fail at the first call, as "not sent", naming no variable.
convict.addFormat({
  name: "bank-origin",
  validate: (value: unknown) => {
    const url = bankOriginUrl(typeof value === "string" ? value : "");
    const origin = url !== undefined && url.hostname !== "" && url.username === "" && url.password === "" && url.pathname === "/" && url.search === "" && url.hash === "";
    const secure = url?.protocol === "https:" || (url?.protocol === "http:" && isLoopbackHost(url.hostname));
    if (!origin || !secure) {
      // A value with user info is not quoted: it holds a password.
      const authority = (typeof value === "string" ? value : "").replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0] ?? "";
      const got = authority.includes("@") ? "a URL with user info (user:password@), which is never sent" : JSON.stringify(value);
      throw new Error(`must be the bank's origin: https://host[:port] (or host[:port]), or http:// to this machine only; got ${got}`);
    }
  },
});
