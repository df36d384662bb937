import { createTransferStore, loadGatewayConfig } from "@gerbang/gateway";
import { closeLedger, connectLedger, exitWith } from "./ledger";

/**
 * `npx tsx scripts/show.ts GRB...`: one transfer as the ledger holds it, as JSON: its state and
 * route, every attempt with each send it made (earlierSends) and what came back, the review
 * reason, who settled it. What a person reads before `make settle`, without a MongoDB shell. Exit
 * 0: printed; 1: no such transfer; 2: bad arguments, or the database could not be reached or holds
 * no ledger. Reads MONGODB_URI (default: `make run`'s embedded database) and MONGODB_DATABASE.
 */
const USAGE = "usage: npx tsx scripts/show.ts <referenceNumber, GRB...>";

async function main(): Promise<number> {
  const [given, ...rest] = process.argv.slice(2);
  const referenceNumber = given?.trim() ?? "";
  if (referenceNumber === "" || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const { connection } = await connectLedger(loadGatewayConfig());
  try {
    const record = await (await createTransferStore(connection)).findByReferenceNumber(referenceNumber);
    if (record === undefined) {
      console.error(`no transfer ${referenceNumber} in the ledger`);
      return 1;
    }
    console.log(JSON.stringify(record, null, 2));
    return 0;
  } finally {
    await closeLedger(connection);
  }
}

exitWith(main);
