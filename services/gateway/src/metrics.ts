import type { DescMethod } from "@bufbuild/protobuf";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { raceSignal } from "@gerbang/shared";

/** The `route` label of an RPC, e.g. "payment.v1.PaymentGatewayService/Transfer" (never a raw path). */
export const routeLabel = (method: DescMethod): string => `${method.parent.typeName}/${method.name}`;

/** Prometheus metrics of one gateway, on a registry of its own (several gateways can share a process in tests). */
export interface GatewayMetrics {
  registry: Registry;
  /** Requests by route (RPC or REST path), transport and our statusCode. */
  requests: Counter<"route" | "transport" | "statusCode">;
  /** Bank service call durations by partner bank and outcome. */
  bankCalls: Histogram<"bank" | "outcome">;
  /** Transfers that entered MANUAL_REVIEW (an alert: each one needs a person). */
  manualReviews: Counter<"bank">;
  /** Circuit breaker per bank service: 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge<"bank">;
  /** Status inquiries by bank and what they learnt. */
  inquiries: Counter<"bank" | "status">;
  /** Attempts re-sent with the same bank-side id after the bank said it had never seen them. */
  resends: Counter<"bank">;
  /** This host's clock minus the database server's, last measured (clock-check.ts). */
  clockOffset: Gauge;
  /** Unresolved transfers by state, counted in the ledger at each scrape (absent without a count function). */
  unresolved?: Gauge<"state">;
}

export interface MetricsOptions {
  defaultMetrics: boolean;
  /** Counts unresolved transfers by state when scraped (a gauge that is always current). */
  unresolved?: () => Promise<Partial<Record<string, number>>>;
  /** Longest a scrape waits for that count (default 2 s). */
  unresolvedTimeoutMs?: number;
}

/** How long a scrape waits for the ledger's count before leaving the gauge out. */
const UNRESOLVED_TIMEOUT_MS = 2_000;

export function createMetrics(options: MetricsOptions): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const count = options.unresolved;
  const timeoutMs = options.unresolvedTimeoutMs ?? UNRESOLVED_TIMEOUT_MS;
  const unresolved = count === undefined ? undefined : new Gauge({
      name: "gerbang_gateway_unresolved_transfers", help: "Transfers not final, by state (MANUAL_REVIEW waits for a person); absent while the ledger cannot be counted.",
      labelNames: ["state"], registers: [registry],
      // prom-client collects every metric together: a count that failed or hung would fail or hang the
      // whole scrape, and the manual-review counter and breaker gauges would go stale exactly when the
      // database is in trouble. The gauge is left out instead (alert on its absence), never stale.
      async collect() {
        const counts = await raceSignal(count(), AbortSignal.timeout(timeoutMs), "no count in time").catch(() => undefined);
        this.reset();
        for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n ?? 0);
      },
    });
  return {
    registry,
    ...(unresolved === undefined ? {} : { unresolved }),
    requests: new Counter({
      name: "gerbang_gateway_requests_total", help: "Requests by route, transport and statusCode.",
      labelNames: ["route", "transport", "statusCode"], registers: [registry],
    }),
    bankCalls: new Histogram({
      name: "gerbang_gateway_bank_call_seconds", help: "Bank service call durations by bank and outcome.",
      labelNames: ["bank", "outcome"], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
    manualReviews: new Counter({
      name: "gerbang_gateway_manual_review_total", help: "Transfers that went to MANUAL_REVIEW, by partner bank (alert on any increase).",
      labelNames: ["bank"], registers: [registry],
    }),
    breakerState: new Gauge({
      name: "gerbang_gateway_bank_breaker_state", help: "Circuit breaker of each bank service: 0 closed, 1 half-open, 2 open.",
      labelNames: ["bank"], registers: [registry],
    }),
    inquiries: new Counter({
      name: "gerbang_gateway_status_inquiries_total", help: "Status inquiries by bank and answer.",
      labelNames: ["bank", "status"], registers: [registry],
    }),
    resends: new Counter({
      name: "gerbang_gateway_resends_total", help: "Attempts re-sent with the same bank-side id after a NOT_FOUND.",
      labelNames: ["bank"], registers: [registry],
    }),
    clockOffset: new Gauge({
      name: "gerbang_gateway_clock_offset_seconds", help: "This host's clock minus the database server's, last measured (leases allow 0.5 s either way).",
      registers: [registry],
    }),
  };
}

