import { fail, type Reply } from "./http";

export type FieldProblem = "missing" | "invalid";

/** Maps a field problem to the bank's own error (BCA has a code per field, BNI one per kind). */
export type FieldError = (field: string, problem: FieldProblem, rule: string) => Reply;

/** The JSON object at `value`, or the bank's error naming `name`. */
export function objectField(value: unknown, name: string, onError: FieldError): Record<string, unknown> {
  if (value === undefined) fail(onError(name, "missing", "an object"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(onError(name, "invalid", "an object"));
  return value as Record<string, unknown>;
}

/**
 * Reads string fields of one JSON object: a field must be a string matching its pattern; a
 * missing required field and a malformed field are distinct problems (some banks tell them apart).
 */
export function fieldReader(source: Record<string, unknown>, onError: FieldError) {
  const read = (name: string, pattern: RegExp, rule: string, required: boolean): string | undefined => {
    const value = source[name];
    if (value === undefined || value === null || value === "") {
      if (required) fail(onError(name, "missing", rule));
      return undefined;
    }
    if (typeof value !== "string" || !pattern.test(value)) fail(onError(name, "invalid", rule));
    return value;
  };
  return {
    required: (name: string, pattern: RegExp, rule: string): string => read(name, pattern, rule, true) ?? "",
    optional: (name: string, pattern: RegExp, rule: string): string | undefined => read(name, pattern, rule, false),
  };
}

/** Common field shapes. */
export const ACCOUNT = /^\d{1,34}$/;
export const DIGITS = /^\d+$/;
export const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const UUID16 = /^[0-9A-Z]{16}$/;
export const upTo = (max: number): RegExp => new RegExp(`^[\\s\\S]{1,${max}}$`);

