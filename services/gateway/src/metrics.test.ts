import { createMetrics } from "./metrics";

// The ledger's count of unresolved transfers runs inside each scrape: when the database fails or
// stalls, the scrape must still answer, with every other metric, and without that gauge.
describe("gateway metrics", () => {
  it("reports the unresolved count when the ledger answers", async () => {
    const metrics = createMetrics({ defaultMetrics: false, unresolved: () => Promise.resolve({ PENDING: 2, MANUAL_REVIEW: 1 }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gerbang_gateway_unresolved_transfers{state="PENDING"} 2');
    expect(text).toContain('gerbang_gateway_unresolved_transfers{state="MANUAL_REVIEW"} 1');
  });

  it("still answers every other metric when the count fails, or hangs past its time, and leaves the gauge out (never stale)", async () => {
    let answer: () => Promise<Partial<Record<string, number>>> = () => Promise.resolve({ PENDING: 2 });
    const metrics = createMetrics({ defaultMetrics: false, unresolved: () => answer(), unresolvedTimeoutMs: 50 });
    metrics.manualReviews.inc({ bank: "014" });
    expect(await metrics.registry.metrics()).toContain('gerbang_gateway_unresolved_transfers{state="PENDING"} 2');
    for (const failing of [() => Promise.reject(new Error("database down")), () => new Promise<never>(() => undefined)]) {
      answer = failing;
      const text = await metrics.registry.metrics();
      expect(text).toContain('gerbang_gateway_manual_review_total{bank="014"} 1');
      expect(text).not.toMatch(/gerbang_gateway_unresolved_transfers\{/);
    }
  });
});
