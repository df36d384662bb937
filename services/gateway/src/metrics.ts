import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one gateway, on a registry of its own (several gateways can share a process in tests). */
export interface GatewayMetrics {
  registry: Registry;
  /** Requests by route (RPC or REST path), transport and our statusCode. */
  requests: Counter<"route" | "transport" | "statusCode">;
  /** Bank service call durations by partner bank and outcome. */
  bankCalls: Histogram<"bank" | "outcome">;
}

export function createMetrics(options: { defaultMetrics: boolean }): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "gerbang_gateway_requests_total", help: "Requests by route, transport and statusCode.",
      labelNames: ["route", "transport", "statusCode"], registers: [registry],
    }),
    bankCalls: new Histogram({
      name: "gerbang_gateway_bank_call_seconds", help: "Bank service call durations by bank and outcome.",
      labelNames: ["bank", "outcome"], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
  };
}
