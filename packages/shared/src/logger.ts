import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Fields of the database driver's errors that quote documents: a failed grouped insert's
 * MongoBulkWriteError carries every document of the batch (writeErrors[].op, result), other apps'
 * accounts and names included, and the server's reply (errorResponse, keyValue). A logged error
 * keeps its name, code and message, never these, at any depth (its causes included).
 */
const DOCUMENT_QUOTING_FIELDS = new Set(["writeErrors", "result", "errorResponse", "keyValue", "op", "insertedIds"]);

function withoutDocuments(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > 5) return "[truncated]"; // deeper than any error we log: nothing unfiltered passes
  if (Array.isArray(value)) return value.map((item) => withoutDocuments(item, depth + 1));
  return Object.fromEntries(Object.entries(value).filter(([key]) => !DOCUMENT_QUOTING_FIELDS.has(key)).map(([key, item]) => [key, withoutDocuments(item, depth + 1)]));
}

/**
 * One JSON line per event. Secrets never reach the log: authorization headers, tokens and keys
 * are redacted by path, errors lose the fields that quote documents, and account numbers are
 * masked with maskAccount() before logging.
 */
export function createLogger(name: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    redact: {
      paths: ["authorization", "*.authorization", "headers.authorization", "token", "*.token", "keyToken", "*.keyToken", "secret", "*.secret"],
      censor: "[redacted]",
    },
    serializers: { err: (error: Error) => withoutDocuments(pino.stdSerializers.err(error)) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * Shows at most the last 4 digits of an account number, and never more than it hides:
 * "0115476119" -> "******6119", a 6-digit one "****19".
 */
export function maskAccount(accountNumber: string): string {
  const shown = Math.max(0, Math.min(4, accountNumber.length - 4));
  return "*".repeat(accountNumber.length - shown) + accountNumber.slice(accountNumber.length - shown);
}

/**
 * Masks every run of 6 or more digits in free text, as maskAccount does: error messages can quote
 * what a caller sent ("expected string, got 1234567890123" for an account number sent as a JSON
 * number), and such a message goes to the log as it is.
 */
export function maskAccountsIn(text: string): string {
  return text.replace(/\d{6,}/g, maskAccount);
}
