import { BANK_CODE, MAX_SETTING } from "@gerbang/shared";
import type { GatewayConfig } from "./config";
/**
 * Per-bank timing: how long one call to a bank service may take, when an unresolved transfer is
 * asked about again, and when asking stops being automatic (manual review). Defaults come from
 * config; GATEWAY_BANK_POLICIES overrides any of them per partner bank code.
 */
export interface BankPolicy {
  /** Deadline of one call to the bank service (Transfer or GetTransferStatus). */
  deadlineMs: number;
  /** First status inquiry after a PENDING answer or no answer. */
  pendingRecheckMs: number;
  /** Pauses between later inquiries: the n-th pause is backoffMs[n] (the last one repeats). */
  backoffMs: number[];
  /** No pause is longer than this. */
  backoffMaxMs: number;
  /**
   * Since the current attempt was sent: an attempt that reached the bank but that the bank does
   * not know (NOT_FOUND) is re-sent, same bank-side id, once this long has passed, time for the
   * bank to finish whatever it had in flight (more than deadlineMs).
   */
  resendAfterMs: number;
  /**
   * Whether that re-send happens at all. It is safe only if the bank never books one bank-side id
   * twice (MISSION.md 4), which the sandboxes do but bank-apis.md leaves unconfirmed for BNI. Off,
   * such an attempt is only asked about, and goes to MANUAL_REVIEW at the horizon; one that
   * provably never left ("not sent") is still re-sent.
   */
  resendIfMayHaveLeft: boolean;
  /** Since the current attempt was sent: past this, an unresolved transfer goes to MANUAL_REVIEW. */
  manualReviewAfterMs: number;
  /** Longest pause between inquiries of a transfer in MANUAL_REVIEW (see reviewCheckDelay). */
  reviewCheckMaxMs: number;
}

export type BankPolicyOverrides = Readonly<Record<string, Partial<BankPolicy>>>;

export interface BankPolicies {
  readonly defaults: BankPolicy;
  readonly overrides: BankPolicyOverrides;
}

export function policyFor(policies: BankPolicies, bankCode: string): BankPolicy {
  return { ...policies.defaults, ...policies.overrides[bankCode] };
}

/**
 * The GATEWAY_BANK_POLICIES codes that name no partner, each with why: policies are looked up by
 * the partner's own code, so one under a typo (090) or an alias (008 for 800) applies to nothing,
 * and that bank keeps the defaults without a word. resendIfMayHaveLeft=false is a money-safety
 * setting: the gateway refuses to start instead (gateway.ts).
 */
export function overridesWithoutPartner(overrides: BankPolicyOverrides, partners: readonly { bankCode: string; aliases: readonly string[] }[]): string[] {
  return Object.keys(overrides).filter((code) => !partners.some((p) => p.bankCode === code)).map((code) => {
    const aliasOf = partners.find((p) => p.aliases.includes(code));
    return aliasOf === undefined ? `${code} is no partner's code` : `${code} is an alias: use the partner's code ${aliasOf.bankCode}`;
  });
}

/** The gateway settings policies come from (GATEWAY_* defaults, GATEWAY_BANK_POLICIES per bank). */
export type PolicySettings = Pick<GatewayConfig, "bankDeadlineMs" | "pendingRecheckMs" | "resolverBackoffMs" | "resolverBackoffMaxMs" | "resendAfterMs" | "resendIfMayHaveLeft" | "manualReviewAfterMs" | "reviewCheckMaxMs" | "bankPolicies">;

export function bankPoliciesOf(s: PolicySettings): BankPolicies {
  return {
    defaults: {
      deadlineMs: s.bankDeadlineMs, pendingRecheckMs: s.pendingRecheckMs, backoffMs: s.resolverBackoffMs, backoffMaxMs: s.resolverBackoffMaxMs,
      resendAfterMs: s.resendAfterMs, resendIfMayHaveLeft: s.resendIfMayHaveLeft, manualReviewAfterMs: s.manualReviewAfterMs, reviewCheckMaxMs: s.reviewCheckMaxMs,
    },
    overrides: s.bankPolicies,
  };
}

/** The longest deadline of any bank: what a lease, or a process on its way out, must outlast. */
export function longestDeadlineMs(policies: BankPolicies): number {
  return Math.max(policies.defaults.deadlineMs, ...Object.values(policies.overrides).map((p) => p.deadlineMs ?? 0));
}

/**
 * Settings that contradict each other for some bank (empty: fine): a re-send of an attempt that
 * may have left must come after the bank call it repeats has ended, and before the horizon, past
 * which it is never re-sent (it would wait for a person instead of ever being sent).
 */
export function policyProblems(policies: BankPolicies): string[] {
  return ["", ...Object.keys(policies.overrides)].flatMap((bankCode) => {
    const p = bankCode === "" ? policies.defaults : policyFor(policies, bankCode);
    const which = bankCode === "" ? "default" : `bank ${bankCode}`;
    if (!p.resendIfMayHaveLeft) return [];
    return [
      ...(p.resendAfterMs > p.deadlineMs ? [] : [`${which}: resendAfterMs (${p.resendAfterMs} ms) must exceed deadlineMs (${p.deadlineMs} ms)`]),
      ...(p.resendAfterMs < p.manualReviewAfterMs ? [] : [`${which}: resendAfterMs (${p.resendAfterMs} ms) must be below manualReviewAfterMs (${p.manualReviewAfterMs} ms)`]),
    ];
  });
}

/** How much longer than a bank call's deadline a lease must run when the call starts: the answer is recorded before anyone else may take the transfer. */
export const LEASE_MARGIN_MS = 1_000;

/**
 * Whether a lease still covers a whole bank call from `now`. A lease is set before the write that
 * records it; a write that landed late (a database stall) can leave too little of it, and another
 * instance's resolver could then send the same attempt while this call is on its way. Such a call
 * is not made, and is recorded "not sent": the lease runs out and the resolver asks the bank, and
 * sends (settle.ts leaseForCall, recordNotCalled).
 */
export function leaseCoversCall(leaseUntil: Date | undefined, policy: BankPolicy, now: Date): leaseUntil is Date {
  return leaseUntil !== undefined && leaseUntil.getTime() - now.getTime() > policy.deadlineMs + LEASE_MARGIN_MS;
}

/** Pause before the next inquiry, after `checks` inquiries of the current send (0: none yet). */
export function nextCheckDelay(policy: BankPolicy, checks: number): number {
  if (checks <= 0) return Math.min(policy.pendingRecheckMs, policy.backoffMaxMs);
  const steps = policy.backoffMs;
  const step = steps[Math.min(checks - 1, steps.length - 1)] ?? policy.backoffMaxMs;
  return Math.min(step, policy.backoffMaxMs);
}

/**
 * Pause before a transfer in MANUAL_REVIEW is asked about again. A person has been told; the
 * resolver goes on asking only in case the bank's answer turns up, so the pause grows with the
 * time since the attempt was last sent: a tenth of it, never shorter than backoffMaxMs nor longer than
 * reviewCheckMaxMs. A transfer awaiting a person for days is then asked about ~24 times a day
 * (at the 1 h default), not 1,440, and the many an outage sent to review do not keep hammering
 * the bank's status endpoint once it is back.
 */
export function reviewCheckDelay(policy: BankPolicy, sentAt: Date | undefined, now: Date): number {
  const sinceSent = sentAt === undefined ? 0 : now.getTime() - sentAt.getTime();
  return Math.max(policy.backoffMaxMs, Math.min(policy.reviewCheckMaxMs, Math.round(sinceSent / 10)));
}

const KEYS: readonly (keyof BankPolicy)[] = ["deadlineMs", "pendingRecheckMs", "backoffMs", "backoffMaxMs", "resendAfterMs", "resendIfMayHaveLeft", "manualReviewAfterMs", "reviewCheckMaxMs"];

/**
 * Parses GATEWAY_BANK_POLICIES, e.g. `{"014":{"deadlineMs":12000,"backoffMs":[500,1000]}}`.
 * Anything unexpected is an error at start-up (a typo must not silently keep a default).
 */
export function parseBankPolicyOverrides(json: string): BankPolicyOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json === "" ? "{}" : json);
  } catch (error) {
    throw new Error(`GATEWAY_BANK_POLICIES is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("GATEWAY_BANK_POLICIES must be an object keyed by bank code");
  const result: Record<string, Partial<BankPolicy>> = {};
  for (const [bankCode, value] of Object.entries(parsed as Record<string, unknown>)) result[bankCode] = parsePolicy(bankCode, value);
  return result;
}

function parsePolicy(bankCode: string, value: unknown): Partial<BankPolicy> {
  if (!BANK_CODE.test(bankCode)) throw new Error(`GATEWAY_BANK_POLICIES: "${bankCode}" is not a 3-digit bank code`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`GATEWAY_BANK_POLICIES.${bankCode} must be an object`);
  const policy: Partial<BankPolicy> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new Error(`GATEWAY_BANK_POLICIES.${bankCode}: unknown setting "${key}" (known: ${KEYS.join(", ")})`);
    if (key === "backoffMs") policy.backoffMs = msList(v, `GATEWAY_BANK_POLICIES.${bankCode}.backoffMs`);
    else if (key === "resendIfMayHaveLeft") policy.resendIfMayHaveLeft = flag(v, `GATEWAY_BANK_POLICIES.${bankCode}.${key}`);
    else policy[key as Exclude<keyof BankPolicy, "backoffMs" | "resendIfMayHaveLeft">] = positiveMs(v, `GATEWAY_BANK_POLICIES.${bankCode}.${key}`);
  }
  return policy;
}

export function msList(value: unknown, name: string): number[] {
  const items = typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : value;
  if (!Array.isArray(items) || items.length === 0) throw new Error(`${name} must be a non-empty list of milliseconds`);
  return items.map((item: unknown) => positiveMs(typeof item === "string" && /^\d+$/.test(item) ? Number(item) : item, name));
}

function flag(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** 1 to MAX_SETTING: beyond it Node fires a timer after 1 ms. */
function positiveMs(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_SETTING) {
    throw new Error(`${name} must be a whole number of milliseconds from 1 to ${MAX_SETTING}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The ordering every hop must respect so that no layer answers after the one above gave up:
 * the bank service spends at most BANK_TIMEOUT_MS at the bank and answers DEADLINE_MARGIN_MS
 * before the gateway's deadline; the gateway's lease on a transfer outlives its own call.
 * Returns the violations (empty: fine).
 */
export function timeoutOrderingProblems(t: { gatewayDeadlineMs: number; leaseMs: number; bankTimeoutMs?: number; deadlineMarginMs?: number }): string[] {
  const problems: string[] = [];
  if (t.leaseMs <= t.gatewayDeadlineMs + LEASE_MARGIN_MS) {
    problems.push(`lease (${t.leaseMs} ms) must exceed the bank deadline (${t.gatewayDeadlineMs} ms) by more than 1 s, or a live call loses its transfer to another instance`);
  }
  if (t.bankTimeoutMs !== undefined && t.bankTimeoutMs + (t.deadlineMarginMs ?? 0) >= t.gatewayDeadlineMs) {
    problems.push(`bank service timeout (${t.bankTimeoutMs} ms) plus margin (${t.deadlineMarginMs ?? 0} ms) must be shorter than the gateway's deadline (${t.gatewayDeadlineMs} ms)`);
  }
  return problems;
}
