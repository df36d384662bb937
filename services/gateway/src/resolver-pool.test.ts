import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { partners } from "../../../scripts/seed-data";
import type { BankCaller } from "./bank-client";
import { bankPoliciesOf } from "./bank-policy";
import { crashedTransfer, testSettings, until } from "./gateway-harness";
import type { RegistrySnapshot } from "./registry";
import { createFailpoints } from "./failpoints";
import { createResolver } from "./resolver";
import type { TransferRecord, TransferStore } from "./transfer-store";

// The resolver's pool alone, on an in-memory ledger and bank (unit test): how many transfers it
// works on at once and what it starts once stopping. What the ledger guarantees (leases,
// compare-and-set) is tested against the real database in resolver.test.ts.

function pool(o: { due: number; batchSize: number; inquiryMs: number; claimMs: number }) {
  const past = new Date(Date.now() - 5_000);
  const due: TransferRecord[] = Array.from({ length: o.due }, (_, i) => ({
    ...crashedTransfer({ referenceNumber: `POOL${i}`, clientReferenceNo: `POOL-${i}`, amount: "10000", sentAt: past, leaseOwner: "x", leaseUntil: past, nextCheckAt: past }),
    state: "PENDING",
  }));
  const leased = new Set<string>();
  const seen: { searches: number; inquiries: number[]; inFlight: number; most: number; onSearch: () => void } = {
    searches: 0, inquiries: [], inFlight: 0, most: 0, onSearch: () => { /* set by a test */ },
  };
  const ledger = {
    claimDue: async (_owner: string, _leaseMs: number, _now: Date, limit: number) => {
      seen.searches += 1;
      seen.onSearch();
      await sleep(o.claimMs);
      const claimed = due.filter((t) => !leased.has(t.referenceNumber)).slice(0, limit);
      for (const t of claimed) leased.add(t.referenceNumber);
      return claimed;
    },
    // The inquiry said PENDING: asked again later (here: never, it leaves the due list).
    amend: (record: TransferRecord) => {
      due.splice(due.indexOf(record), 1);
      return Promise.resolve(record);
    },
  } as unknown as TransferStore;
  const bank = {
    status: async () => {
      seen.inquiries.push(Date.now());
      seen.inFlight += 1;
      seen.most = Math.max(seen.most, seen.inFlight);
      await sleep(o.inquiryMs);
      seen.inFlight -= 1;
      return { status: "PENDING" as const, bankCode: "02", bankMessage: "in progress" };
    },
  } as unknown as BankCaller;
  const settings = testSettings();
  const resolver = createResolver({
    ledger, bank, clock: () => new Date(), instanceId: "pool-test", policies: bankPoliciesOf(settings), leaseMs: settings.leaseMs,
    registry: () => ({ partners: partners({ bankBni: 1, bankBca: 1, bankMandiri: 1 }) }) as unknown as RegistrySnapshot,
    batchSize: o.batchSize, intervalMs: 50, onManualReview: () => undefined, logger: pino({ level: "silent" }), failpoints: createFailpoints(undefined),
  });
  return { resolver, due, seen };
}

describe("resolver pool", () => {
  it("never works on more than its batch at once, also with runOnce() called beside the loop", async () => {
    const { resolver, due, seen } = pool({ due: 40, batchSize: 5, inquiryMs: 30, claimMs: 5 });
    resolver.start();
    await Promise.all([resolver.runOnce(), resolver.runOnce()]);
    await until("every due transfer was asked about", () => due.length === 0);
    await resolver.stop();
    expect(seen.inquiries).toHaveLength(40);
    expect(seen.most).toBeLessThanOrEqual(5);
  });

  it("starts nothing once stopping, not even what a search still out brings back, and stop() waits for what runs", async () => {
    const { resolver, seen } = pool({ due: 20, batchSize: 5, inquiryMs: 100, claimMs: 40 });
    let stopAt = Number.POSITIVE_INFINITY;
    let stopped: Promise<void> | undefined;
    resolver.start();
    seen.onSearch = () => {
      // The search that refills the first freed places: stop while it is still out.
      if (seen.searches === 2) setImmediate(() => { stopAt = Date.now(); stopped = resolver.stop(); });
    };
    await until("stop() was called during the second search", () => stopped !== undefined);
    await stopped;
    expect(seen.inFlight).toBe(0); // stop() waited for what was under way
    await sleep(300); // longer than the search still out and an inquiry it could have started
    expect(seen.inquiries.filter((at) => at >= stopAt)).toEqual([]);
    expect(seen.inquiries).toHaveLength(5); // the first search's, before stop()
  });
});
