import { createAppClient, withoutTransfer } from "./app-client";
import { ALL_BANKS, useFaultRun } from "./fault-run";
import { FAULT_TIMINGS } from "./fault-system";
import { summaryLine } from "./ledger-check";
import { bankOutage, bankProcessOutage, bankServiceOutage, fallbackRouting } from "./outage-scenarios";
import { duplicateStorm, faultModesByAdminRule, faultModesByMagicAccount, plainLoad, referencesOf, statusInquiryFaults } from "./scenarios";

// Full fault suite, part 1 of 2 (test/fault/README.md): sandbox faults, duplicate storms,
// outages and fallback routing on one system of real processes, judged at the end against the
// sandboxes' own ledgers. Runs only under test/fault/jest.full.config.js.

const started = useFaultRun("full-faults");

describe("fault suite (full): faults, storms, outages", () => {
  it("every fault mode at every bank through admin rules", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await faultModesByAdminRule(run, fs.app, ALL_BANKS, true))).toEqual([]);
  });

  it("plain transfers over every route", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await plainLoad(run, fs.app, 300, { concurrency: 8, expectSuccess: true }))).toEqual([]);
  });

  it("every fault mode at every bank by magic account, four times, mixed into plain load", async () => {
    const { fs, run } = started();
    const answers = await Promise.all([
      faultModesByMagicAccount(run, fs.app, ALL_BANKS, 4),
      plainLoad(run, fs.app, 250, { concurrency: 6, expectSuccess: false }),
    ]);
    expect(withoutTransfer(answers.flat())).toEqual([]);
  });

  it("status inquiries failing at each bank while transfers wait for them", async () => {
    const { fs, run } = started();
    const answers = await Promise.all(ALL_BANKS.map((bank) => statusInquiryFaults(run, fs.app, bank, 3)));
    expect(withoutTransfer(answers.flat())).toEqual([]);
  });

  it("duplicate storms, one after the other: 50 on one gateway, 50 across two while the bank holds the first, 50 interbank across two", async () => {
    const { fs, run } = started();
    const second = createAppClient((await fs.spawnGateway("gateway-second")).origin, FAULT_TIMINGS.appTimeoutMs);
    const storms = [
      await duplicateStorm(run, [fs.app], 50, "bni"),
      await duplicateStorm(run, [fs.app, second], 50, "mandiri", "latency"),
      await duplicateStorm(run, [second, fs.app], 50, "interbank"),
    ];
    for (const answers of storms) {
      expect(withoutTransfer(answers)).toEqual([]);
      expect(referencesOf(answers)).toHaveLength(1);
    }
  });

  it("a bank service stopped for a while, then back", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await bankServiceOutage(run, fs.app, "bca", 10))).toEqual([]);
  });

  it("a bank answering 5xx on every endpoint for a while, then back; another dropping every connection", async () => {
    const { fs, run } = started();
    const answers = await Promise.all([bankOutage(run, fs.app, "mandiri", 10, "error-before"), bankOutage(run, fs.app, "bni", 10, "reset")]);
    expect(withoutTransfer(answers.flat())).toEqual([]);
  });

  it("a bank's process stopped for a while, then restarted", async () => {
    const { fs, run } = started();
    expect(withoutTransfer(await bankProcessOutage(run, fs.app, "bca", 10))).toEqual([]);
  });

  it("fallback routing: interbank through BNI when BCA's service is unreachable, never after an ambiguous call", async () => {
    const { fs, run } = started();
    const { unreachable, ambiguous } = await fallbackRouting(run, fs.app, 8);
    for (const t of unreachable) {
      expect(t.route).toMatchObject({ bankCode: "009", usage: "TRANSFER_INTERBANK" });
      expect(t.routing?.[0]?.reason).toMatch(/\S/);
    }
    expect(ambiguous[0]?.route).toMatchObject({ bankCode: "014", usage: "TRANSFER" });
    expect(ambiguous[0]?.routing ?? []).toEqual([]);
    expect(ambiguous[0]?.attempts?.map((a) => a.partnerBankCode)).toEqual(["014"]);
  });

  it("nothing lost, nothing doubled, nothing stuck: the ledger against the banks' own ledgers", async () => {
    const { run } = started();
    const figures = await run.finish();
    expect({ summary: summaryLine(figures), problems: figures.problems })
      .toEqual({ summary: `transfers ${figures.transfers}, faults ${figures.faults}, lost 0, doubled 0, stuck 0`, problems: [] });
  });
});
