import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/**
 * One JSON line per event. Secrets never reach the log: authorization headers, tokens and keys
 * are redacted by path, and account numbers are masked with maskAccount() before logging.
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: {
      paths: ["authorization", "*.authorization", "headers.authorization", "token", "*.token", "keyToken", "*.keyToken", "secret", "*.secret"],
      censor: "[redacted]",
    },
  });
}

/** Shows at most the last 4 digits of an account number: "0115476119" -> "******6119". */
export function maskAccount(accountNumber: string): string {
  if (accountNumber.length <= 4) return "*".repeat(accountNumber.length);
  return "*".repeat(accountNumber.length - 4) + accountNumber.slice(-4);
}
