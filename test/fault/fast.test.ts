import { createAppClient, withoutTransfer } from "./app-client";
import { gatewayFailpoint } from "./crash-scenarios";
import { ALL_BANKS, useFaultRun } from "./fault-run";
import { FAULT_TIMINGS } from "./fault-system";
import { summaryLine, type RunFigures } from "./ledger-check";
import { bankOutage } from "./outage-scenarios";
import { duplicateStorm, faultModesByAdminRule, faultModesByMagicAccount, plainLoad, referencesOf } from "./scenarios";

// The fast subset of the fault suite, part of every `make test`: one system of real processes,
// a few hundred transfers, every sandbox fault mode (magic account and admin rule), duplicate
// storms on one and on two gateway instances, one kill -9, one bank outage. Every scenario only
// sends; the last test judges them all against the sandboxes' ledgers. The full suite:
// test/fault/README.md. The storms run while the ledger is still small: on the embedded database
// a replay's lookup grows with the ledger (FINDINGS.md), and the full suite is where that shows.

jest.setTimeout(120_000);

const started = useFaultRun("fast");

describe("fault suite (fast subset)", () => {
  // Each scenario's own check is that every request was recorded and answered with its transfer
  // (whatever its outcome); what became of the money is judged at the end.
  it("every fault mode through the sandboxes' admin rules, one request each", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await faultModesByAdminRule(run, fs.app, ALL_BANKS))).toEqual([]);
  });

  it("50 concurrent requests with one clientReferenceNo: one transfer, every duplicate answered with it", async () => {
    const { fs, run } = started();
    const answers = await duplicateStorm(run, [fs.app], 50, "bni");
    expect(withoutTransfer(answers)).toEqual([]);
    expect(referencesOf(answers)).toHaveLength(1);
  });

  it("50 concurrent duplicates across two gateway instances while the bank holds the first", async () => {
    const { fs, run } = started();
    const second = await fs.spawnGateway("gateway-second");
    const answers = await duplicateStorm(run, [fs.app, createAppClient(second.origin, FAULT_TIMINGS.appTimeoutMs)], 50, "bca", "latency");
    expect(withoutTransfer(answers)).toEqual([]);
    expect(referencesOf(answers)).toHaveLength(1);
  });

  it("plain transfers over every route", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await plainLoad(run, fs.app, 100, { concurrency: 8, expectSuccess: true }))).toEqual([]);
  });

  it("every fault mode at every bank by magic account, mixed into plain load", async () => {
    const { fs, run } = started();
    const answers = await Promise.all([
      faultModesByMagicAccount(run, fs.app, ALL_BANKS),
      plainLoad(run, fs.app, 100, { concurrency: 6, expectSuccess: false }),
    ]);
    expect(withoutTransfer(answers.flat())).toEqual([]);
  });

  it("kill -9 of a gateway after the bank answered (GATEWAY_FAILPOINT), then a restart and the app asks again", async () => {
    const { run } = started();
    const { died, first, again } = await gatewayFailpoint(run, "after-bank-answer", "mandiri");
    expect({ died, first: first.kind }).toEqual({ died: true, first: "none" });
    expect(withoutTransfer([again])).toEqual([]);
  });

  it("a bank down for a while (every endpoint answers 5xx), then back", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await bankOutage(run, fs.app, "mandiri", 5))).toEqual([]);
  });

  it("nothing lost, nothing doubled, nothing stuck: the ledger against the banks' own ledgers", async () => {
    const { run } = started();
    const figures: RunFigures = await run.finish();
    expect({ summary: summaryLine(figures), problems: figures.problems })
      .toEqual({ summary: `transfers ${figures.transfers}, faults ${figures.faults}, lost 0, doubled 0, stuck 0`, problems: [] });
    expect(figures.transfers).toBeGreaterThan(200);
  });
});
