import { nextCheckDelay, parseBankPolicyOverrides, policyFor, reviewCheckDelay, timeoutOrderingProblems, type BankPolicy } from "./bank-policy";
import { loadGatewayConfig } from "./config";
import { createFailpoints, SENDING_MARK_SETTLE_MS } from "./failpoints";
import { chooseFallback } from "./fallback";
import { createIpMatcher } from "./ip-allowlist";
import type { RegisteredClient } from "./registry";
import { decide, MAX_RESENDS, neverLeft } from "./resolver-decision";
import type { ChosenRoute, RoutingTables } from "./routing";
import { resendOf, type Attempt } from "./transfer-store";

// Unit tests of the pure reliability rules: backoff and horizons, the resolver's decisions,
// fallback choice, failpoints and the start-up checks of the config.

/** The gateway's lease in these decisions: with the token check's 5 s of tolerance still under the policy's re-send wait. */
const LEASE_MS = 10_000;
const policy: BankPolicy = { deadlineMs: 1000, pendingRecheckMs: 100, backoffMs: [200, 500, 2000], backoffMaxMs: 1000, resendAfterMs: 30_000, resendIfMayHaveLeft: true, manualReviewAfterMs: 60_000, reviewCheckMaxMs: 60_000 };

describe("bank policy", () => {
  it("pauses pendingRecheck first, then along the schedule, the last step repeating, capped", () => {
    expect([0, 1, 2, 3, 9].map((checks) => nextCheckDelay(policy, checks))).toEqual([100, 200, 500, 1000, 1000]);
  });

  it("asks a transfer in manual review after a tenth of the time since it was sent, between backoffMax and reviewCheckMax", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    const sentAgo = (ms: number) => new Date(now.getTime() - ms);
    expect([5_000, 100_000, 300_000, 3_600_000].map((ms) => reviewCheckDelay(policy, sentAgo(ms), now))).toEqual([1_000, 10_000, 30_000, 60_000]);
    expect(reviewCheckDelay(policy, undefined, now)).toBe(1_000); // no attempt: the shortest pause
    expect(reviewCheckDelay({ ...policy, reviewCheckMaxMs: 500 }, sentAgo(3_600_000), now)).toBe(1_000); // a cap below backoffMax: backoffMax
  });

  it("overrides the defaults per bank from GATEWAY_BANK_POLICIES", () => {
    const overrides = parseBankPolicyOverrides('{"014":{"deadlineMs":500,"backoffMs":[50,60]}}');
    expect(policyFor({ defaults: policy, overrides }, "014")).toEqual({ ...policy, deadlineMs: 500, backoffMs: [50, 60] });
    expect(policyFor({ defaults: policy, overrides }, "009")).toEqual(policy);
    expect(parseBankPolicyOverrides('{"002":{"reviewCheckMaxMs":1800000}}')).toEqual({ "002": { reviewCheckMaxMs: 1_800_000 } });
    expect(parseBankPolicyOverrides('{"009":{"resendIfMayHaveLeft":false}}')).toEqual({ "009": { resendIfMayHaveLeft: false } });
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["not a bank code", '{"14":{}}', /3-digit/],
    ["unknown setting (a typo keeps no default silently)", '{"014":{"deadline":5}}', /unknown setting "deadline"/],
    ["negative", '{"014":{"deadlineMs":-1}}', /whole number of milliseconds from 1 to 2147483647/],
    ["beyond a timer's limit (Node would fire it after 1 ms)", '{"014":{"manualReviewAfterMs":2147483648}}', /manualReviewAfterMs must be a whole number of milliseconds from 1 to 2147483647/],
    ["empty schedule", '{"014":{"backoffMs":[]}}', /non-empty list/],
    ["a flag that is not a boolean", '{"009":{"resendIfMayHaveLeft":"no"}}', /GATEWAY_BANK_POLICIES.009.resendIfMayHaveLeft must be true or false, got "no"/],
    ["a flag given as milliseconds", '{"009":{"resendIfMayHaveLeft":0}}', /must be true or false/],
    ["milliseconds given as a flag", '{"009":{"resendAfterMs":true}}', /whole number of milliseconds/],
  ])("refuses %s", (_label, json, message) => {
    expect(() => parseBankPolicyOverrides(json)).toThrow(message);
  });

  it("checks the ordering of timeouts across hops", () => {
    expect(timeoutOrderingProblems({ gatewayDeadlineMs: 15_000, leaseMs: 30_000, bankTimeoutMs: 10_000, deadlineMarginMs: 250 })).toEqual([]);
    expect(timeoutOrderingProblems({ gatewayDeadlineMs: 15_000, leaseMs: 15_500 })).toEqual([expect.stringMatching(/lease/)]);
    expect(timeoutOrderingProblems({ gatewayDeadlineMs: 10_000, leaseMs: 30_000, bankTimeoutMs: 10_000, deadlineMarginMs: 250 })).toEqual([expect.stringMatching(/shorter than the gateway's deadline/)]);
  });
});

describe("gateway config", () => {
  it("defaults: deadline 15 s inside a 30 s lease, resolver on, no failpoint", () => {
    expect(loadGatewayConfig()).toMatchObject({ bankDeadlineMs: 15_000, leaseMs: 30_000, resolverEnabled: true, failpoint: undefined, resolverBackoffMs: [1000, 2000, 5000, 15000, 60000] });
  });

  it("refuses a lease that a call could outlive, an unknown failpoint and bad per-bank JSON at start-up", () => {
    expect(() => loadGatewayConfig({ bankDeadlineMs: 20_000, leaseMs: 10_000 })).toThrow(/lease/);
    expect(() => loadGatewayConfig({ bankPolicies: '{"014":{"deadlineMs":40000}}' })).toThrow(/lease/);
    expect(() => loadGatewayConfig({ failpoint: "after-lunch" })).toThrow(/failpoint/);
    // Values convict's own formats read loosely: refused, naming the variable.
    expect(() => loadGatewayConfig({ httpPort: "1e3" })).toThrow(/httpPort \(GATEWAY_HTTP_PORT\): must be a port, 0 to 65535, digits only/);
    expect(() => loadGatewayConfig({ grpcPort: "8080abc" })).toThrow(/GATEWAY_GRPC_PORT/);
    expect(() => loadGatewayConfig({ resolverEnabled: "0" })).toThrow(/resolverEnabled \(GATEWAY_RESOLVER_ENABLED\): must be true or false/);
    expect(() => loadGatewayConfig({ host: "" })).toThrow(/host \(GATEWAY_HOST\): must not be empty/); // "" would listen on every interface
    expect(() => loadGatewayConfig({ opsHost: " " })).toThrow(/GATEWAY_OPS_HOST/);
    expect(() => loadGatewayConfig({ trustedProxies: ["10.0.0.0/33"] })).toThrow(/GATEWAY_TRUSTED_PROXIES: bad CIDR prefix/);
    expect(loadGatewayConfig({ trustedProxies: [""], resolverEnabled: "false" })).toMatchObject({ trustedProxies: [], resolverEnabled: false }); // empty: none
    // A re-send must come after the call it repeats has ended, for every bank.
    expect(() => loadGatewayConfig({ resendAfterMs: 15_000 })).toThrow(/default: resendAfterMs \(15000 ms\) must exceed deadlineMs \(15000 ms\)/);
    expect(() => loadGatewayConfig({ bankPolicies: '{"014":{"resendAfterMs":5000}}' })).toThrow(/bank 014: resendAfterMs/);
    // Past the horizon an attempt that may have left is never re-sent: a re-send wait beyond it would never come.
    expect(() => loadGatewayConfig({ bankPolicies: '{"009":{"manualReviewAfterMs":60000}}' })).toThrow(/bank 009: resendAfterMs \(60000 ms\) must be below manualReviewAfterMs \(60000 ms\)/);
    // ...which only matters where such re-sends happen at all.
    expect(loadGatewayConfig({ bankPolicies: '{"009":{"manualReviewAfterMs":60000,"resendIfMayHaveLeft":false}}' }).bankPolicies).toEqual({ "009": { manualReviewAfterMs: 60_000, resendIfMayHaveLeft: false } });
    expect(() => loadGatewayConfig({ resendIfMayHaveLeft: "no" })).toThrow(/GATEWAY_RESEND_IF_MAY_HAVE_LEFT/);
    expect(() => loadGatewayConfig({ resolverBackoffMs: ["10", "x"] })).toThrow(/GATEWAY_RESOLVER_BACKOFF_MS/);
    expect(loadGatewayConfig({ failpoint: "before-reply" }).failpoint).toBe("before-reply");
  });
});

describe("resolver decisions", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const attempt = (over: Partial<Attempt> = {}): Attempt => ({ attempt: 1, partnerBankCode: "014", usage: "TRANSFER", transactionDate: "2026-11-26", sentAt: new Date(now.getTime() - 5_000), ...over });
  const old = attempt({ sentAt: new Date(now.getTime() - 120_000) });

  it("is final only on the bank's explicit answer, from any unresolved state", () => {
    expect(decide("PENDING", attempt(), { status: "SUCCESS" }, policy, now, LEASE_MS)).toEqual({ kind: "final", state: "SUCCESS" });
    expect(decide("MANUAL_REVIEW", old, { status: "FAILED" }, policy, now, LEASE_MS)).toEqual({ kind: "final", state: "FAILED" });
  });

  it("re-sends on NOT_FOUND an attempt that never left at once, one that may have left after resendAfterMs and before the horizon; never from MANUAL_REVIEW", () => {
    expect(decide("PENDING", attempt({ outcome: "NOT_SENT" }), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("resend");
    // Left 5 s ago, or may have (no outcome: the process died before or after the send): the bank may still be booking it.
    expect(decide("PENDING", attempt({ outcome: "NO_ANSWER" }), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", attempt({ outcome: "PENDING" }), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("SENDING", attempt(), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    // A re-send the bank declined (a rotated key) says nothing about the send it repeated.
    expect(decide("PENDING", attempt({ outcome: "FAILED", resends: 1 }), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    // Sent 30 s ago (resendAfterMs): the bank has finished; it does not have it, so it never got it.
    const settled = attempt({ outcome: "NO_ANSWER", sentAt: new Date(now.getTime() - 30_000) });
    expect(decide("PENDING", settled, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("resend");
    expect(decide("SENDING", attempt({ sentAt: settled.sentAt }), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("resend");
    // After the last re-send, a person, but only once that send can no longer land: a sender stalled
    // before it may still reach the bank until its lease ends (10 s), with 5 s of clock tolerance,
    // and the bank may take the re-send wait (30 s) to book it from there.
    const lastResend = { ...settled, resends: MAX_RESENDS };
    expect(decide("PENDING", lastResend, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", { ...lastResend, sentAt: new Date(now.getTime() - 46_000) }, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("review");
    // The last re-send refused "not sent": what may still land is the send it repeated.
    const sends = (...agoMs: number[]) => agoMs.map((ago, i) => ({ sentAt: new Date(now.getTime() - ago), outcome: i === 1 ? "NOT_SENT" as const : "NO_ANSWER" as const }));
    const refusedLast = { ...lastResend, outcome: "NOT_SENT" as const, earlierSends: sends(50_000, 48_000, 40_000) };
    expect(decide("PENDING", refusedLast, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", { ...refusedLast, earlierSends: sends(56_000, 50_000, 46_000) }, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("review");
    // Only sends that may have left count: a refused one inside the window keeps nothing alive.
    const oldLeft = { ...refusedLast, sentAt: new Date(now.getTime() - 31_000), earlierSends: sends(58_000, 50_000, 40_000).map((send, i) => (i === 0 ? send : { ...send, outcome: "NOT_SENT" as const })) };
    expect(decide("PENDING", oldLeft, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("review");
    // Its history missing (recorded before earlierSends): the repeated send counts from the re-send's own time.
    expect(decide("PENDING", { ...refusedLast, earlierSends: [] }, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", settled, { status: "UNKNOWN" }, policy, now, LEASE_MS).kind).toBe("wait"); // only NOT_FOUND says it never arrived
    expect(decide("MANUAL_REVIEW", attempt(), { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
  });

  it("takes an attempt as never left only if every send of it was \"not sent\"", () => {
    const notSent = { sentAt: new Date(now.getTime() - 40_000), outcome: "NOT_SENT" as const };
    expect(neverLeft(attempt({ outcome: "NOT_SENT" }))).toBe(true);
    expect(neverLeft(attempt({ outcome: "NOT_SENT", resends: 2, earlierSends: [notSent, notSent] }))).toBe(true);
    // A re-send refused "not sent" after a send that may have left (no answer, a timeout): it may have left.
    const repeatedTimeout = attempt({ outcome: "NOT_SENT", resends: 1, earlierSends: [{ sentAt: notSent.sentAt, outcome: "NO_ANSWER" }] });
    expect(neverLeft(repeatedTimeout)).toBe(false);
    expect(neverLeft(attempt({ outcome: "NOT_SENT", resends: 1, earlierSends: [{ sentAt: notSent.sentAt }] }))).toBe(false);
    // Re-sent before earlierSends was recorded: no history, so it may have left.
    expect(neverLeft(attempt({ outcome: "NOT_SENT", resends: 1 }))).toBe(false);
    // So NOT_FOUND re-sends it only after resendAfterMs, and never where such re-sends are off.
    expect(decide("PENDING", repeatedTimeout, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", repeatedTimeout, { status: "NOT_FOUND" }, { ...policy, resendIfMayHaveLeft: false }, now, LEASE_MS).kind).toBe("wait");
  });

  it("counts the horizon from the first send that may have reached the bank, not from the latest re-send", () => {
    const timedOut = { sentAt: new Date(now.getTime() - 70_000), outcome: "NO_ANSWER" as const };
    // Re-sent 31 s ago and refused "not sent": past the re-send wait, but 70 s after the send that may have left (horizon 60 s).
    const refusedResend = attempt({ sentAt: new Date(now.getTime() - 31_000), outcome: "NOT_SENT", resends: 1, earlierSends: [timedOut] });
    expect(decide("PENDING", refusedResend, { status: "NOT_FOUND" }, policy, now, LEASE_MS))
      .toEqual({ kind: "review", reason: expect.stringMatching(/^attempt 1 at bank 014 unresolved 70 s after it was sent \(horizon 60 s\)/) as string });
    // Sends that never left do not start it: the horizon counts from the first that may have.
    const notSentFirst = attempt({ sentAt: new Date(now.getTime() - 31_000), outcome: "NO_ANSWER", resends: 1, earlierSends: [{ sentAt: new Date(now.getTime() - 90_000), outcome: "NOT_SENT" }] });
    expect(decide("PENDING", notSentFirst, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("resend");
  });

  it("does not hand a person an attempt whose latest re-send may still land, even past the horizon", () => {
    const timedOut = { sentAt: new Date(now.getTime() - 70_000), outcome: "NO_ANSWER" as const };
    // Re-sent 10 s ago without an answer (re-send wait 30 s): the bank may still book it.
    const recent = attempt({ sentAt: new Date(now.getTime() - 10_000), outcome: "NO_ANSWER", resends: 1, earlierSends: [timedOut] });
    for (const status of ["NOT_FOUND", "UNKNOWN", "PENDING", "NO_ANSWER"] as const) {
      expect(decide("PENDING", recent, { status }, policy, now, LEASE_MS).kind).toBe("wait");
    }
    // A sender stalled before its call can make it until its token expires with the lease (10 s),
    // 5 s of clock tolerance after, and the bank may take the re-send wait (30 s) to book it from
    // there: 45 s. Re-sent 31 s ago, it may still land.
    expect(decide("PENDING", { ...recent, sentAt: new Date(now.getTime() - 31_000) }, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("wait");
    // Once that has passed since it, the bank's "no record" goes to a person.
    const settledDown = { ...recent, sentAt: new Date(now.getTime() - 46_000) };
    expect(decide("PENDING", settledDown, { status: "NOT_FOUND" }, policy, now, LEASE_MS))
      .toEqual({ kind: "review", reason: expect.stringMatching(/^attempt 1 at bank 014 unresolved 70 s after it was sent/) as string });
    // A re-send refused "not sent" left nothing behind it: no wait.
    expect(decide("PENDING", { ...recent, outcome: "NOT_SENT" }, { status: "NOT_FOUND" }, policy, now, LEASE_MS).kind).toBe("review");
    // A longer lease, longer: 40 + 5 + 30 s.
    expect(decide("PENDING", settledDown, { status: "NOT_FOUND" }, policy, now, 40_000).kind).toBe("wait");
    expect(decide("PENDING", { ...recent, sentAt: new Date(now.getTime() - 76_000) }, { status: "NOT_FOUND" }, policy, now, 40_000).kind).toBe("review");
  });

  it("keeps the send a re-send repeats, with its answer, in earlierSends (resendOf)", () => {
    const first = attempt({ sentAt: new Date(now.getTime() - 90_000), answeredAt: new Date(now.getTime() - 80_000), outcome: "PENDING", bankCode: "03", bankMessage: "in progress", bankRequestId: "R1" });
    const once = resendOf(first, now);
    expect(once).toEqual({ attempt: 1, sentAt: now, resends: 1, earlierSends: [{ sentAt: first.sentAt, answeredAt: first.answeredAt, outcome: "PENDING", bankCode: "03", bankMessage: "in progress" }] });
    const later = new Date(now.getTime() + 60_000);
    const twice = resendOf(attempt({ sentAt: now, resends: 1, earlierSends: once.earlierSends, outcome: "NO_ANSWER", error: "DEADLINE_EXCEEDED", bankRequestId: "R1" }), later);
    expect(twice.resends).toBe(2);
    expect(twice.earlierSends).toEqual([...once.earlierSends, { sentAt: now, outcome: "NO_ANSWER", error: "DEADLINE_EXCEEDED" }]);
  });

  it("re-sends only what never left where the bank's refusal of a seen id is not trusted (resendIfMayHaveLeft: false)", () => {
    const untrusting = { ...policy, resendIfMayHaveLeft: false };
    const settled = attempt({ outcome: "NO_ANSWER", sentAt: new Date(now.getTime() - 30_000) });
    expect(decide("PENDING", settled, { status: "NOT_FOUND" }, untrusting, now, LEASE_MS).kind).toBe("wait");
    expect(decide("SENDING", attempt({ sentAt: settled.sentAt }), { status: "NOT_FOUND" }, untrusting, now, LEASE_MS).kind).toBe("wait");
    expect(decide("PENDING", { ...old, outcome: "NO_ANSWER" }, { status: "NOT_FOUND" }, untrusting, now, LEASE_MS).kind).toBe("review");
    expect(decide("PENDING", attempt({ outcome: "NOT_SENT" }), { status: "NOT_FOUND" }, untrusting, now, LEASE_MS).kind).toBe("resend");
  });

  it("goes to MANUAL_REVIEW past the horizon (never FAILED), and at once on a BCA collision", () => {
    expect(decide("PENDING", { ...old, outcome: "NO_ANSWER" }, { status: "NOT_FOUND", bankCode: "ESB-82-027" }, policy, now, LEASE_MS))
      .toEqual({ kind: "review", reason: expect.stringMatching(/unresolved 120 s after it was sent \(horizon 60 s\).*no record/) as string });
    expect(decide("PENDING", old, { status: "NO_ANSWER", error: "DEADLINE_EXCEEDED" }, policy, now, LEASE_MS).kind).toBe("review");
    expect(decide("PENDING", attempt(), { status: "PENDING", bankCode: "ESB-82-003", bankMessage: "collides with another transfer booked at BCA today" }, policy, now, LEASE_MS).kind).toBe("review");
    expect(decide("PENDING", attempt(), { status: "PENDING", bankCode: "ESB-82-003", bankMessage: "duplicate of our earlier send" }, policy, now, LEASE_MS).kind).toBe("wait");
  });
});

describe("fallback routing", () => {
  const partner = (bankCode: string, priority: number) => ({ bankCode, bankName: bankCode, priority, keyToken: "k", serviceUrl: "127.0.0.1:1", aliases: bankCode === "800" ? ["008"] : [] });
  const tables: RoutingTables = {
    partners: [partner("009", 1), partner("014", 2), partner("800", 3)],
    routes: [
      { bankCode: "009", usage: "TRANSFER_INTERBANK", method: "POST", localEndpoint: "", externalEndpoint: "" },
      { bankCode: "800", usage: "TRANSFER_INTERBANK", method: "POST", localEndpoint: "", externalEndpoint: "" },
    ],
    directory: new Map(),
  };
  const client = (over: Partial<RegisteredClient> = {}): RegisteredClient => ({
    clientId: "9", serviceName: "t", keyToken: "k", allowedIps: [], active: true, allow: createIpMatcher([]), fallbackRouting: true,
    escrowAccounts: [{ bankCode: "009", accountNumber: "E009", accountName: "ESC" }, { bankCode: "800", accountNumber: "E800", accountName: "ESC" }], ...over,
  });
  const failed = (bankCode: string): ChosenRoute => ({ partner: partner(bankCode, 2), bankCode, usage: "TRANSFER", reason: "", beneficiaryBankName: "BCA" });
  const transfer = { beneficiaryBankCode: "014", beneficiaryAccountName: "KEN AROK" };

  it("takes the smallest priority number with an interbank route and an escrow, and says why", () => {
    const choice = chooseFallback(tables, client(), failed("014"), transfer);
    expect(choice).toMatchObject({ route: { bankCode: "009", usage: "TRANSFER_INTERBANK", reason: expect.stringMatching(/014 unreachable/) as string }, escrow: { accountNumber: "E009" } });
    expect(chooseFallback(tables, client({ escrowAccounts: [{ bankCode: "800", accountNumber: "E800", accountName: "E" }] }), failed("014"), transfer))
      .toMatchObject({ route: { bankCode: "800" } });
  });

  it("offers none when the app has not opted in, without a beneficiary name, or when only the destination itself is left", () => {
    expect(chooseFallback(tables, client({ fallbackRouting: false }), failed("014"), transfer)).toEqual({ none: expect.stringMatching(/off/) as string });
    expect(chooseFallback(tables, client(), failed("014"), { ...transfer, beneficiaryAccountName: " " })).toEqual({ none: expect.stringMatching(/name/) as string });
    expect(chooseFallback(tables, client(), failed("009"), { beneficiaryBankCode: "008", beneficiaryAccountName: "X" })).toEqual({ none: expect.stringMatching(/no other partner/) as string });
  });
});

describe("failpoints", () => {
  it("kill only at the configured step, and never when off", async () => {
    const kills: string[] = [];
    const fp = createFailpoints("after-bank-answer", () => { kills.push("killed"); });
    fp.hit("after-record");
    fp.hit("before-reply");
    expect(kills).toEqual([]);
    fp.hit("after-bank-answer");
    expect(kills).toEqual(["killed"]);
    const off = createFailpoints(undefined, () => { kills.push("wrong"); });
    off.hit("after-record");
    expect(await off.afterDispatch(Promise.resolve(7))).toBe(7);
    expect(kills).toEqual(["killed"]);
  });

  it("after-sending-mark kills once the call has been in flight briefly, before its answer is used", async () => {
    const events: string[] = [];
    const fp = createFailpoints("after-sending-mark", () => { events.push("killed"); });
    const never = new Promise<string>(() => undefined);
    void fp.afterDispatch(never);
    await new Promise((resolve) => setTimeout(resolve, SENDING_MARK_SETTLE_MS + 100));
    expect(events).toEqual(["killed"]);
    const quick = await fp.afterDispatch(Promise.resolve("answer"));
    expect([quick, events]).toEqual(["answer", ["killed", "killed"]]);
  });
});
