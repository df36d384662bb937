import { loadGatewayConfig, parseReconcileInstant, reconcileLedger } from "@gerbang/gateway";
import { closeLedger, commandLogger, connectLedger, exitWith, flagPairs } from "./ledger";

/**
 * `npx tsx scripts/reconcile.ts --from <ISO> --to <ISO>`: compares the gateway's ledger with the
 * banks' status answers for transfers created in [from, to) and lists every mismatch, one line
 * each, then a summary. Exit 0: all agree; 1: at least one mismatch (or transfers not final);
 * 2: bad arguments, or the check could not run (database unreachable, or holding no ledger, or no
 * bank service answered a single inquiry: the lines are printed, but nothing was compared).
 * Reads MONGODB_URI (default: `make run`'s embedded database) / MONGODB_DATABASE and the
 * gateway's bank settings.
 */
const USAGE = "usage: npx tsx scripts/reconcile.ts --from <time> --to <time>\n" +
  "  <time>: an ISO date-time with Z or an offset (2026-11-26T00:00:00+07:00), or a date (2026-11-26: that day's start in Jakarta)";

type Args = { ok: true; from: Date; to: Date } | { ok: false; error: string };

function parseArgs(argv: string[]): Args {
  const pairs = flagPairs(argv, ["--from", "--to"]);
  if (!pairs.ok) return pairs;
  const { values } = pairs;
  const from = parseReconcileInstant(values.get("--from") ?? "");
  const to = parseReconcileInstant(values.get("--to") ?? "");
  if (from === undefined || to === undefined) return { ok: false, error: "--from and --to must both be given, each an ISO date-time with Z or an offset, or a date" };
  if (from.getTime() >= to.getTime()) return { ok: false, error: "--from must be before --to" };
  return { ok: true, from, to };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.ok) {
    console.error(`${args.error}\n${USAGE}`);
    return 2;
  }
  const config = loadGatewayConfig();
  // Its date-range read scans the whole ledger on the embedded database: minutes on a large one, not the services' 20 s.
  const { connection, source } = await connectLedger(config, { commandTimeoutMs: 30 * 60_000 });
  console.error(`ledger: ${source}`);
  try {
    const report = await reconcileLedger(connection, config, commandLogger("reconcile", config), args.from, args.to);
    for (const m of report.mismatches) {
      console.log(`MISMATCH ${m.referenceNumber} client-ref ${m.clientReferenceNo} ledger ${m.state} bank [${m.bank.join(", ")}]: ${m.problem}`);
    }
    if (report.truncated) console.log(`only the first ${report.transfers} transfers of the range were checked; narrow the range`);
    console.log(`reconcile ${args.from.toISOString()} .. ${args.to.toISOString()}: transfers ${report.transfers}, attempts asked ${report.asked}, mismatches ${report.mismatches.length}`);
    if (report.asked > 0 && report.answered === 0) {
      console.error(`no bank service answered any of the ${report.asked} inquiries, so nothing was compared: are the bank services running (make run)?`);
      return 2;
    }
    return report.mismatches.length > 0 || report.truncated ? 1 : 0;
  } finally {
    await closeLedger(connection);
  }
}

exitWith(main);
