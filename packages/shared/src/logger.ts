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

/**
 * Masks every run of 6 or more digits in free text, as maskAccount does: error messages can quote
 * what a caller sent ("expected string, got 1234567890123" for an account number sent as a JSON
 * number), and such a message goes to the log as it is.
 */
export function maskAccountsIn(text: string): string {
  return text.replace(/\d{6,}/g, maskAccount);
}
