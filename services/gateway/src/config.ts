import type convict from "convict";
import { commonConfigSchema, DEFAULT_PORTS, loadConfig } from "@gerbang/shared";
import { bankPoliciesOf, longestDeadlineMs, msList, parseBankPolicyOverrides, policyProblems, timeoutOrderingProblems, type BankPolicyOverrides } from "./bank-policy";
import { FAILPOINTS, type Failpoint } from "./failpoints";
import { createIpMatcher } from "./ip-allowlist";

/** The gateway's settings as convict reads them (lists and JSON still text). */
interface RawGatewayConfig {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  httpPort: number;
  grpcPort: number;
  host: string;
  opsPort: number;
  opsHost: string;
  jwtAudience: string;
  trustedProxies: string[];
  bodyLimitBytes: number;
  requestReadTimeoutMs: number;
  maxRequestsReading: number;
  maxRequestsReadingPerAddress: number;
  maxInFlight: number;
  maxInFlightPerClient: number;
  maxInFlightPerBank: number;
  bankDeadlineMs: number;
  duplicateWaitMs: number;
  registryRefreshMs: number;
  pendingRecheckMs: number;
  resolverBackoffMs: string[];
  resolverBackoffMaxMs: number;
  resendAfterMs: number;
  resendIfMayHaveLeft: boolean;
  manualReviewAfterMs: number;
  reviewCheckMaxMs: number;
  bankPolicies: string;
  resolverEnabled: boolean;
  resolverIntervalMs: number;
  resolverBatchSize: number;
  leaseMs: number;
  breakerErrorPercent: number;
  breakerVolumeThreshold: number;
  breakerResetMs: number;
  breakerWindowMs: number;
  failpoint: string;
  shutdownGraceMs: number;
  shutdownDelayMs: number;
}

/** The gateway's settings, validated; read once in main.ts (env) or passed by tests (overrides). */
export interface GatewayConfig extends Omit<RawGatewayConfig, "resolverBackoffMs" | "bankPolicies" | "failpoint"> {
  resolverBackoffMs: number[];
  /** Per partner bank code, settings that differ from the defaults (deadline, backoff, horizon). */
  bankPolicies: BankPolicyOverrides;
  /** Test-only: SIGKILL the process at this step of a transfer; undefined in any real deployment. */
  failpoint: Failpoint | undefined;
}

export const gatewayConfigSchema: convict.Schema<RawGatewayConfig> = {
  ...commonConfigSchema,
  httpPort: {
    doc: "HTTP/1.1 port: REST, Connect and gRPC-Web, plus /healthz and /readyz.",
    format: "tcp-port",
    default: DEFAULT_PORTS.gatewayHttp,
    env: "GATEWAY_HTTP_PORT",
  },
  grpcPort: {
    doc: "HTTP/2 cleartext port: gRPC and Connect, with gRPC health checking and reflection.",
    format: "tcp-port",
    default: DEFAULT_PORTS.gatewayGrpc,
    env: "GATEWAY_GRPC_PORT",
  },
  host: {
    doc: "Address both ports listen on (loopback only on this machine; empty, which would mean every interface, is refused).",
    format: "non-empty",
    default: "127.0.0.1",
    env: "GATEWAY_HOST",
  },
  opsPort: {
    doc: "HTTP/1.1 port for operators: /metrics (Prometheus), /healthz, /readyz. Apps' ports do not serve /metrics.",
    format: "tcp-port",
    default: DEFAULT_PORTS.gatewayOps,
    env: "GATEWAY_OPS_PORT",
  },
  opsHost: {
    doc: "Address the operators' port listens on: keep it off the apps' network (loopback only on this machine; empty is refused).",
    format: "non-empty",
    default: "127.0.0.1",
    env: "GATEWAY_OPS_HOST",
  },
  jwtAudience: {
    doc: "The `aud` every app token must carry (empty would switch the check off, so it is refused).",
    format: "non-empty",
    default: "gerbang",
    env: "GATEWAY_JWT_AUDIENCE",
  },
  trustedProxies: {
    doc: "Comma-separated IPs or CIDRs of proxies whose X-Forwarded-For is believed; empty: none.",
    format: Array,
    default: [],
    env: "GATEWAY_TRUSTED_PROXIES",
  },
  bodyLimitBytes: {
    doc: "Largest accepted request body, in bytes (REST, Connect and gRPC alike).",
    format: "positive",
    default: 16 * 1024,
    env: "GATEWAY_BODY_LIMIT_BYTES",
  },
  requestReadTimeoutMs: {
    doc: "How long a client may take to send a whole request, headers and body, on either port; a slower one is cut off (HTTP 408, or the HTTP/2 stream cancelled) before anything is checked or recorded.",
    format: "positive",
    default: 30_000,
    env: "GATEWAY_REQUEST_READ_TIMEOUT_MS",
  },
  maxRequestsReading: {
    doc: "Requests whose body is still arriving, on both apps' ports together (nothing is checked before a request is read); more are refused at once with 901 (HTTP 503, or an HTTP/2 REFUSED_STREAM), before anything is checked or recorded, so slow or unfinished requests cannot fill the memory.",
    format: "positive",
    default: 1024,
    env: "GATEWAY_MAX_REQUESTS_READING",
  },
  maxRequestsReadingPerAddress: {
    doc: "Of the requests still arriving, those from one source: the caller's IP (behind a trusted proxy, as X-Forwarded-For names it), an IPv6 caller counted by its /64. More from it are refused at once like the above, so one source of slow or unfinished requests cannot shut out every other app.",
    format: "positive",
    default: 256,
    env: "GATEWAY_MAX_REQUESTS_READING_PER_ADDRESS",
  },
  maxInFlight: {
    doc: "Requests one gateway works on at once; more are refused with 901 UNAVAILABLE (HTTP 503) before anything is recorded, so overload gets a fast answer and memory stays bounded.",
    format: "positive",
    default: 256,
    env: "GATEWAY_MAX_IN_FLIGHT",
  },
  maxInFlightPerClient: {
    doc: "Requests of one app a gateway works on at once; more are refused with 901 before anything is recorded, so one app cannot take every slot from the others.",
    format: "positive",
    default: 128,
    env: "GATEWAY_MAX_IN_FLIGHT_PER_CLIENT",
  },
  maxInFlightPerBank: {
    doc: "Transfers one gateway has at one partner bank at once; more to that bank are refused with 901 before anything is recorded, so a slow or hanging bank cannot hold every slot and stop transfers to the others.",
    format: "positive",
    default: 128,
    env: "GATEWAY_MAX_IN_FLIGHT_PER_BANK",
  },
  bankDeadlineMs: {
    doc: "Deadline of one call to a bank service (default for every bank); no answer within it leaves the transfer PENDING. Must exceed the bank services' BANK_TIMEOUT_MS + DEADLINE_MARGIN_MS.",
    format: "positive",
    default: 15_000,
    env: "GATEWAY_BANK_DEADLINE_MS",
  },
  duplicateWaitMs: {
    doc: "How long a duplicate of an in-flight transfer waits for the first request's answer.",
    format: "whole",
    default: 2_000,
    env: "GATEWAY_DUPLICATE_WAIT_MS",
  },
  registryRefreshMs: {
    doc: "How often partners, routes, clients and the bank directory are reloaded from the database.",
    format: "positive",
    default: 3_000,
    env: "GATEWAY_REGISTRY_REFRESH_MS",
  },
  pendingRecheckMs: {
    doc: "First status inquiry of a transfer the bank left PENDING (or did not answer), after this long.",
    format: "positive",
    default: 1_000,
    env: "GATEWAY_PENDING_RECHECK_MS",
  },
  resolverBackoffMs: {
    doc: "Pauses between later status inquiries, comma-separated ms; the last one repeats.",
    format: Array,
    default: ["1000", "2000", "5000", "15000", "60000"],
    env: "GATEWAY_RESOLVER_BACKOFF_MS",
  },
  resolverBackoffMaxMs: {
    doc: "Cap on any pause between status inquiries before MANUAL_REVIEW, and the shortest pause in it.",
    format: "positive",
    default: 60_000,
    env: "GATEWAY_RESOLVER_BACKOFF_MAX_MS",
  },
  resendAfterMs: {
    doc: "An attempt that may have reached the bank (it answered PENDING, gave no answer after the request left, or has no recorded answer after a crash) but that the bank's status inquiry does not know is re-sent, with the same bank-side id, once this long after it was sent: time for the bank to finish anything it had in flight. At most 3 re-sends, and only before the manual-review horizon. Must exceed every bank deadline and be below the horizon, where such re-sends are on (GATEWAY_RESEND_IF_MAY_HAVE_LEFT).",
    format: "positive",
    default: 60_000,
    env: "GATEWAY_RESEND_AFTER_MS",
  },
  resendIfMayHaveLeft: {
    doc: "Whether that re-send happens. It relies on the bank refusing a bank-side id it has seen (MISSION.md 4; unconfirmed for BNI in bank-apis.md). false: an attempt that may have left is only asked about, and goes to MANUAL_REVIEW at the horizon; one that provably never left is still re-sent. Per bank in GATEWAY_BANK_POLICIES.",
    format: "flag",
    default: true,
    env: "GATEWAY_RESEND_IF_MAY_HAVE_LEFT",
  },
  manualReviewAfterMs: {
    doc: "Horizon: a transfer still unresolved this long after its attempt first went out in a way that may have reached the bank (a re-send does not restart it) goes to MANUAL_REVIEW (alert).",
    format: "positive",
    default: 600_000,
    env: "GATEWAY_MANUAL_REVIEW_AFTER_MS",
  },
  reviewCheckMaxMs: {
    doc: "A transfer in MANUAL_REVIEW is still asked about, in case the bank's answer turns up, after a pause of a tenth of the time since its attempt was last sent, at least GATEWAY_RESOLVER_BACKOFF_MAX_MS (which wins if this is lower) and at most this.",
    format: "positive",
    default: 3_600_000,
    env: "GATEWAY_REVIEW_CHECK_MAX_MS",
  },
  bankPolicies: {
    doc: "Per-bank overrides as JSON, e.g. {\"014\":{\"deadlineMs\":12000,\"backoffMs\":[500,1000],\"manualReviewAfterMs\":300000}}; any of deadlineMs, pendingRecheckMs, backoffMs, backoffMaxMs, resendAfterMs, resendIfMayHaveLeft (true or false), manualReviewAfterMs, reviewCheckMaxMs.",
    format: String,
    default: "{}",
    env: "GATEWAY_BANK_POLICIES",
  },
  resolverEnabled: {
    doc: "Run the resolver (status inquiries of unresolved transfers) in this process.",
    format: "flag",
    default: true,
    env: "GATEWAY_RESOLVER_ENABLED",
  },
  resolverIntervalMs: {
    doc: "Pause between two searches for due transfers when the last found fewer than the resolver had room for.",
    format: "positive",
    default: 1_000,
    env: "GATEWAY_RESOLVER_INTERVAL_MS",
  },
  resolverBatchSize: {
    doc: "Most transfers the resolver works on at once; a place is refilled as soon as its transfer is done.",
    format: "positive",
    default: 20,
    env: "GATEWAY_RESOLVER_BATCH_SIZE",
  },
  leaseMs: {
    doc: "How long an instance holds a transfer it works on; a dead instance's lease simply expires. Must exceed every bank deadline by more than 1 s.",
    format: "positive",
    default: 30_000,
    env: "GATEWAY_LEASE_MS",
  },
  breakerErrorPercent: {
    doc: "Circuit breaker per bank service: opens when more than this percentage (0 to 99) of calls in the window failed (unreachable, no answer).",
    format: "percent-below-100",
    default: 50,
    env: "GATEWAY_BREAKER_ERROR_PERCENT",
  },
  breakerVolumeThreshold: {
    doc: "Circuit breaker: calls in the window before it may open.",
    format: "whole",
    default: 5,
    env: "GATEWAY_BREAKER_VOLUME",
  },
  breakerResetMs: {
    doc: "Circuit breaker: how long it stays open before one probe call is let through (half-open).",
    format: "positive",
    default: 5_000,
    env: "GATEWAY_BREAKER_RESET_MS",
  },
  breakerWindowMs: {
    doc: "Circuit breaker: length of the rolling window its statistics cover, at least 1000 ms: a shorter one holds too few calls to judge a bank by (and under 10 ms, opossum's 10 buckets of whole ms are 0 ms long: the breaker never opens).",
    format: "at-least-1000",
    default: 10_000,
    env: "GATEWAY_BREAKER_WINDOW_MS",
  },
  failpoint: {
    doc: "TEST ONLY: SIGKILL this process at one step of a transfer (after-record, after-sending-mark, after-bank-answer, before-reply; the resolver's resend-recorded, resend-answered). Empty: off.",
    format: ["", ...FAILPOINTS],
    default: "",
    env: "GATEWAY_FAILPOINT",
  },
  shutdownGraceMs: {
    doc: "On SIGTERM, how long requests in flight may take to finish before their connections are closed.",
    format: "positive",
    default: 20_000,
    env: "GATEWAY_SHUTDOWN_GRACE_MS",
  },
  shutdownDelayMs: {
    doc: "On SIGTERM, how long the apps' ports keep taking requests while /readyz already answers 503, so a load balancer probing it stops sending first (set it above the probe's period times its failure threshold behind one; 0 closes them at once).",
    format: "whole",
    default: 0,
    env: "GATEWAY_SHUTDOWN_DELAY_MS",
  },
};

/** Validated settings (env, then overrides); strict, so a misspelt key is an error, and so is a bad timeout ordering. */
export function loadGatewayConfig(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const raw = loadConfig(gatewayConfigSchema, overrides, env).getProperties();
  const config: GatewayConfig = {
    ...raw,
    trustedProxies: trustedProxiesOf(raw.trustedProxies),
    resolverBackoffMs: msList(raw.resolverBackoffMs, "GATEWAY_RESOLVER_BACKOFF_MS"),
    bankPolicies: parseBankPolicyOverrides(raw.bankPolicies),
    failpoint: raw.failpoint === "" ? undefined : (raw.failpoint as Failpoint),
  };
  const policies = bankPoliciesOf(config);
  const problems = timeoutOrderingProblems({ gatewayDeadlineMs: longestDeadlineMs(policies), leaseMs: config.leaseMs });
  problems.push(...policyProblems(policies));
  if (problems.length > 0) throw new Error(`gateway timeouts: ${problems.join("; ")}`);
  return config;
}

/**
 * The longest a SIGTERM'd gateway takes to stop, after which it exits anyway: the delay, then the
 * grace for requests in flight or a resolver's bank call on its way (its deadline), whichever is
 * longer, and 10 s to hand leases back and close. The ledger is consistent at every step, so a
 * late exit loses nothing; `make run` waits at least this long (and 5 s) before it kills the process.
 */
export function shutdownBudgetMs(config: GatewayConfig): number {
  return config.shutdownDelayMs + Math.max(config.shutdownGraceMs, longestDeadlineMs(bankPoliciesOf(config))) + 10_000;
}

/** GATEWAY_TRUSTED_PROXIES as entries (empty: none), each an IP or CIDR, checked here so a typo stops the start naming the variable. */
function trustedProxiesOf(entries: string[]): string[] {
  const list = entries.map((e) => e.trim()).filter((e) => e !== "");
  try {
    createIpMatcher(list);
  } catch (error) {
    throw new Error(`GATEWAY_TRUSTED_PROXIES: ${error instanceof Error ? error.message : String(error)}`);
  }
  return list;
}
