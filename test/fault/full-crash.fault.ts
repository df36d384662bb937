import { createAppClient, withoutTransfer } from "./app-client";
import {
  bankServiceFailpoint, bankServiceKillMidCall, databaseRestartMidLoad, GATEWAY_FAILPOINTS, gatewayFailpoint,
  gatewayGracefulStopUnderLoad, gatewayKillUnderLoad, secondInstanceKilledHoldingLeases,
} from "./crash-scenarios";
import { useFaultRun, type Destination } from "./fault-run";
import { FAULT_TIMINGS } from "./fault-system";
import { summaryLine } from "./ledger-check";
import { faultModesByMagicAccount, plainLoad } from "./scenarios";

// Full fault suite, part 2 of 2 (test/fault/README.md): crashes. kill -9 of a gateway at each
// step of a transfer and under load, SIGTERM under load, kill -9 of bank services mid-call, a
// database restart mid-load, a second gateway instance dying with leases, two instances resolving
// side by side; judged at the end against the sandboxes' own ledgers.

const started = useFaultRun("full-crash");

const FAILPOINT_DESTINATIONS: readonly Destination[] = ["bni", "bca", "mandiri-008"];

describe("fault suite (full): crashes", () => {
  it("plain transfers over every route", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await plainLoad(run, fs.app, 150, { concurrency: 8, expectSuccess: true }))).toEqual([]);
  });

  it.each(GATEWAY_FAILPOINTS)("kill -9 of a gateway at %s (one per partner), restart, the app asks again", async (point) => {
    const { run } = started();
    const results = await Promise.all(FAILPOINT_DESTINATIONS.map((to) => gatewayFailpoint(run, point, to)));
    for (const { died, first, again } of results) {
      expect({ died, first: first.kind }).toEqual({ died: true, first: "none" });
      expect(withoutTransfer([again])).toEqual([]);
    }
  });

  it("kill -9 of the gateway with transfers in flight, restart, the apps ask again", async () => {
    const { run } = started();
    expect(withoutTransfer(await gatewayKillUnderLoad(run, 150))).toEqual([]);
  });

  it("SIGTERM of the gateway with transfers in flight, restart, the apps ask again", async () => {
    const { run } = started();
    expect(withoutTransfer(await gatewayGracefulStopUnderLoad(run, 150))).toEqual([]);
  });

  it("kill -9 of each bank service while its bank holds the call", async () => {
    const { run } = started();
    const answers = [];
    for (const bank of ["bni", "bca", "mandiri"] as const) answers.push(await bankServiceKillMidCall(run, bank));
    expect(withoutTransfer(answers)).toEqual([]);
  });

  it("kill -9 of a bank service after its bank answered (BANK_FAILPOINT)", async () => {
    const { run } = started();
    const { died, answer } = await bankServiceFailpoint(run, "bni");
    expect(died).toBe(true);
    expect(withoutTransfer([answer])).toEqual([]);
  });

  it("the database restarted with transfers in flight, the apps ask again", async () => {
    const { run } = started();
    expect(withoutTransfer(await databaseRestartMidLoad(run, 200, 1_500))).toEqual([]);
  });

  it("a second gateway instance killed while it holds leases on transfers the bank is holding", async () => {
    const { run } = started();
    expect(withoutTransfer(await secondInstanceKilledHoldingLeases(run, 9))).toEqual([]);
  });

  it("two gateway instances taking load and resolving side by side on one database", async () => {
    const { fs, run } = started();
    const second = createAppClient((await fs.spawnGateway("gateway-side-by-side")).origin, FAULT_TIMINGS.appTimeoutMs);
    const answers = await Promise.all([
      plainLoad(run, fs.app, 100, { concurrency: 5, expectSuccess: false }),
      plainLoad(run, second, 100, { concurrency: 5, expectSuccess: false }),
      faultModesByMagicAccount(run, fs.app, ["bni", "bca", "mandiri"]),
      faultModesByMagicAccount(run, second, ["bni", "bca", "mandiri"]),
    ]);
    expect(withoutTransfer(answers.flat())).toEqual([]);
  });

  it("nothing lost, nothing doubled, nothing stuck: the ledger against the banks' own ledgers", async () => {
    const { run } = started();
    const figures = await run.finish();
    expect({ summary: summaryLine(figures), problems: figures.problems })
      .toEqual({ summary: `transfers ${figures.transfers}, faults ${figures.faults}, lost 0, doubled 0, stuck 0`, problems: [] });
  });
});
