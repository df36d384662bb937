import {
  askAboutAttempts, checkSettlement, createTransferStore, describeAnswer, loadGatewayConfig, openBankInquiries, overBankAnswersNote, settleByOperator, SettlementInDoubt, SettlementRefused,
  type AttemptAnswer, type OperatorSettleDeps, type OperatorSettlement,
} from "@gerbang/gateway";
import { closeLedger, commandLogger, connectLedger, exitWith, flagPairs } from "./ledger";

/**
 * `npx tsx scripts/settle.ts --reference GRB... --state FAILED --by <who> --reason <text>` (SUCCESS
 * also takes `--bank-reference <the bank's reference of the booking>`; FAILED `--never-booked yes`,
 * once the bank confirmed by other means what its inquiry cannot say): a person's settlement of a
 * transfer in MANUAL_REVIEW, after checking with the bank (services/gateway/src/operator-settle.ts
 * says what is allowed). Just before writing it asks the bank services about every attempt, as
 * reconcile does (`make run` up, or the deployment's services), and refuses a decision the banks'
 * answers do not allow (checkWithBank); it prints what they said either way. Exit 0: settled, or already settled so by an earlier run (the same state,
 * operator, reason and bank reference: a re-run after exit 3); 1: refused by the ledger (not in MANUAL_REVIEW, being
 * asked about, changed meanwhile) or by the banks' answers, nothing changed; 2: bad or missing arguments (nothing read), or
 * the database could not be reached or holds no ledger, nothing changed; 3: the database failed
 * during the write itself, so the settlement may or may not be recorded (`make show` says). Reads MONGODB_URI (default: `make run`'s
 * embedded database) and MONGODB_DATABASE.
 */
const USAGE = "usage: npx tsx scripts/settle.ts --reference <GRB...> --state SUCCESS|FAILED --by <who> --reason <what the bank said> [--bank-reference <ref>] [--never-booked yes]";
const FLAGS = { "--reference": "referenceNumber", "--state": "state", "--by": "operator", "--reason": "reason", "--bank-reference": "bankReference", "--never-booked": "neverBooked" } as const;
type Field = (typeof FLAGS)[keyof typeof FLAGS];

function parseArgs(argv: string[]): { ok: true; values: Partial<Record<Field, string>> } | { ok: false; error: string } {
  const pairs = flagPairs(argv, Object.keys(FLAGS));
  if (!pairs.ok) return pairs;
  const values: Partial<Record<Field, string>> = {};
  for (const [flag, value] of pairs.values) values[FLAGS[flag as keyof typeof FLAGS]] = value;
  const missing = (["--reference", "--state", "--by", "--reason"] as const).filter((flag) => values[FLAGS[flag]] === undefined);
  if (missing.length > 0) return { ok: false, error: `missing ${missing.join(", ")}` };
  if (values.neverBooked !== undefined && values.neverBooked !== "yes") return { ok: false, error: `--never-booked takes yes, not "${values.neverBooked}"` };
  return { ok: true, values };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.ok) {
    console.error(`${args.error}\n${USAGE}`);
    return 2;
  }
  const { referenceNumber = "", state = "", operator = "", reason = "", bankReference, neverBooked } = args.values;
  const settlement: OperatorSettlement = { referenceNumber, state, operator, reason, ...(bankReference === undefined ? {} : { bankReference }), neverBooked: neverBooked === "yes" };
  try {
    checkSettlement(settlement); // before the database: what the arguments alone refuse is a usage error
  } catch (error) {
    if (!(error instanceof SettlementRefused)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const config = loadGatewayConfig();
  const { connection } = await connectLedger(config);
  let bankSaid: AttemptAnswer[] | undefined;
  // Opened only for a settlement that gets as far as asking, and closed once it has.
  const askBank: OperatorSettleDeps["askBank"] = async (t) => {
    const inquiries = await openBankInquiries(connection, config, commandLogger("settle", config));
    try {
      bankSaid = await askAboutAttempts(inquiries, t);
      return bankSaid;
    } finally {
      inquiries.close();
    }
  };
  const printBankSaid = (print: (line: string) => void) => {
    if (bankSaid !== undefined) print(`the banks said just before: ${bankSaid.map(describeAnswer).join(", ")}`);
  };
  try {
    const now = new Date();
    const settled = await settleByOperator({ ledger: await createTransferStore(connection), askBank }, settlement, now);
    const by = settled.settledBy;
    const already = by !== undefined && by.at.getTime() !== now.getTime(); // the same decision, recorded by an earlier run
    const done = already ? `already settled at ${by.at.toISOString()}:` : "settled";
    const over = by === undefined ? "" : overBankAnswersNote(by);
    console.log(`${done} ${settled.referenceNumber} (client ${settled.clientId}, ${settled.clientReferenceNo}, ${settled.amount} to ${settled.beneficiaryBankCode}/${settled.beneficiaryAccountNumber}) as ${settled.state}, by ${by?.operator ?? ""}${over}: ${by?.reason ?? ""}`);
    printBankSaid(console.log);
    return 0;
  } catch (error) {
    if (error instanceof SettlementInDoubt) {
      console.error(`outcome unknown: ${error.message} (make show REF=${referenceNumber.trim()})`);
      return 3;
    }
    if (!(error instanceof SettlementRefused)) throw error;
    console.error(`refused, nothing changed: ${error.message}`);
    printBankSaid(console.error);
    return 1;
  } finally {
    await closeLedger(connection);
  }
}

exitWith(main);
