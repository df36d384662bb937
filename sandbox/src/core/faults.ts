import { FAULT_MODES, faultModeOfAccount, type FaultMode } from "@gerbang/shared";

/**
 * Switchable faults (README "Faults"; the modes, in the order of their magic accounts, are shared's
 * FAULT_MODES): chosen per request by the X-Sandbox-Fault header, by a magic beneficiary account
 * (999...01 onwards), or for the next requests by admin rules.
 * Precedence: header, then account, then the first admin rule that matches the endpoint.
 */

/** Modes that are a bank decline: they only make sense on a transfer. */
export const DECLINE_MODES: readonly FaultMode[] = ["insufficient-funds", "invalid-account", "cutoff"];
/** Modes that answer (or cut) at once and book later: their latency is how much later. */
const LATE_BOOKING_MODES: readonly FaultMode[] = ["book-late", "in-progress"];
/** Modes that only make sense on a transfer: the declines, the bookings committed late (out of sight, or after an "in progress"), and a booking never answered. */
const TRANSFER_ONLY_MODES: readonly FaultMode[] = [...DECLINE_MODES, ...LATE_BOOKING_MODES, "timeout-after"];

export type Endpoint = "transfer" | "status" | "token";
export interface Fault {
  mode: FaultMode;
  latencyMs: number;
}

export const DEFAULT_LATENCY_MS = 3000;
/**
 * How long `book-late` works out of sight by default. The connection is cut at once, so in the
 * fault suite the gateway asks within about a second and hears "not found"; the booking lands well
 * under its re-send wait (4.5 s after the send there), as GATEWAY_RESEND_AFTER_MS must be above a
 * bank's longest commit.
 */
export const DEFAULT_LATE_BOOKING_MS = 1500;
const defaultLatency = (mode: FaultMode) => (LATE_BOOKING_MODES.includes(mode) ? DEFAULT_LATE_BOOKING_MS : DEFAULT_LATENCY_MS);
/** Bounded so that no request can be held longer than a held timeout socket. */
export const MAX_LATENCY_MS = 120_000;

function isMode(value: unknown): value is FaultMode {
  return typeof value === "string" && (FAULT_MODES as readonly string[]).includes(value);
}

/** A parse result: the value, or a message saying what is wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const bad = (error: string): { ok: false; error: string } => ({ ok: false, error });

function parseLatency(value: unknown, mode: FaultMode): Parsed<number> {
  if (value === undefined) return { ok: true, value: defaultLatency(mode) };
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_LATENCY_MS) {
    return bad(`latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
  return { ok: true, value: n };
}

/** "mode" or "mode;latencyMs=500". Returns an error message for anything else. */
export function parseFaultHeader(value: string, endpoint: Endpoint): Parsed<Fault> {
  const [mode, ...params] = value.split(";").map((part) => part.trim());
  if (!isMode(mode)) return bad(`X-Sandbox-Fault: unknown mode "${mode ?? ""}"; one of ${FAULT_MODES.join(", ")}`);
  if (endpoint !== "transfer" && TRANSFER_ONLY_MODES.includes(mode)) return bad(`X-Sandbox-Fault: ${mode} applies to transfers only`);
  let latency: unknown;
  for (const param of params) {
    const [name, raw] = param.split("=");
    if (name !== "latencyMs" || raw === undefined) return bad(`X-Sandbox-Fault: unknown parameter "${param}"`);
    latency = raw;
  }
  const latencyMs = parseLatency(latency, mode);
  return latencyMs.ok ? { ok: true, value: { mode, latencyMs: latencyMs.value } } : bad(`X-Sandbox-Fault: ${latencyMs.error}`);
}

/** The fault a magic beneficiary account stands for (faultModeOfAccount), with its mode's default latency. */
export function faultForAccount(accountNumber: string): Fault | undefined {
  const mode = faultModeOfAccount(accountNumber);
  return mode === undefined ? undefined : { mode, latencyMs: defaultLatency(mode) };
}

/**
 * An admin rule: applies to the next `times` requests of `endpoint` (undefined times: until
 * cleared); with `account`, only to requests about a transfer to that beneficiary account (the
 * transfer itself, or a status inquiry of one the bank has), so other traffic cannot use it up.
 */
export interface FaultRule extends Fault {
  endpoint: Endpoint | "all";
  times: number | undefined;
  account?: string;
}

const ENDPOINTS = ["transfer", "status", "token", "all"] as const;
const MAX_RULES = 100;

/** Validates the body of POST /_sandbox/faults; an error message for bad input. */
export function parseFaultRule(body: unknown): Parsed<FaultRule> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return bad("body must be a JSON object");
  const { mode, times, latencyMs, endpoint = "transfer", account, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return bad(`unknown field(s): ${unknown.join(", ")}`);
  if (!isMode(mode)) return bad(`mode must be one of ${FAULT_MODES.join(", ")}`);
  if (!(ENDPOINTS as readonly unknown[]).includes(endpoint)) return bad(`endpoint must be one of ${ENDPOINTS.join(", ")}`);
  if (endpoint !== "transfer" && TRANSFER_ONLY_MODES.includes(mode)) return bad(`${mode} applies to endpoint "transfer" only`);
  if (times !== undefined && (typeof times !== "number" || !Number.isInteger(times) || times < 1 || times > 1_000_000)) {
    return bad("times must be an integer from 1 to 1000000 (omit it for until cleared)");
  }
  if (account !== undefined && (typeof account !== "string" || !/^\d{1,34}$/.test(account))) return bad("account must be a string of 1 to 34 digits");
  const latency = parseLatency(latencyMs, mode);
  if (!latency.ok) return latency;
  return { ok: true, value: { mode, latencyMs: latency.value, endpoint: endpoint as FaultRule["endpoint"], times, ...(account === undefined ? {} : { account }) } };
}

export interface FaultRules {
  /** Adds a rule after the existing ones; false when the list is full. */
  add(rule: FaultRule): boolean;
  clear(): void;
  list(): FaultRule[];
  /** Takes the fault for one request of `endpoint` (about `account`, when known), counting it against the rule's `times`. */
  take(endpoint: Endpoint, account?: string): Fault | undefined;
}

export function createFaultRules(): FaultRules {
  let rules: FaultRule[] = [];
  return {
    add(rule) {
      if (rules.length >= MAX_RULES) return false;
      rules.push({ ...rule });
      return true;
    },
    clear() {
      rules = [];
    },
    list: () => rules.map((r) => ({ ...r })),
    take(endpoint, account) {
      const rule = rules.find((r) => (r.endpoint === endpoint || r.endpoint === "all") && (r.account === undefined || r.account === account));
      if (rule === undefined) return undefined;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times === 0) rules = rules.filter((r) => r !== rule);
      }
      return { mode: rule.mode, latencyMs: rule.latencyMs };
    },
  };
}
