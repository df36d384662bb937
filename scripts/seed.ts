import { connectDatabase, createRegistryStore } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { BANK_DIRECTORY, CLIENTS, DEFAULT_BANK_PORTS, partners, ROUTES, type BankServicePorts } from "./seed-data";

/**
 * `npx tsx scripts/seed.ts [--if-empty]`: upserts partners, routes, clients (with escrow accounts)
 * and the bank directory into MONGODB_URI / MONGODB_DATABASE. Re-running is safe (upserts by key).
 * --if-empty does nothing when partners already exist (scripts/system.ts uses it on every start).
 */
async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI ?? "";
  if (uri === "") throw new Error("MONGODB_URI is not set");
  const ifEmpty = process.argv.includes("--if-empty");
  const ports: BankServicePorts = process.env.PORTS_JSON !== undefined && process.env.PORTS_JSON !== ""
    ? (JSON.parse(process.env.PORTS_JSON) as BankServicePorts)
    : DEFAULT_BANK_PORTS;
  const connection = await connectDatabase({ uri, dbName: process.env.MONGODB_DATABASE ?? "gerbang" });
  try {
    const registry = createRegistryStore(connection);
    if (ifEmpty && (await registry.listPartners()).length > 0) {
      console.log("seed: partners exist, nothing to do (--if-empty)");
      return;
    }
    for (const partner of partners(ports)) await registry.upsertPartner(partner);
    for (const route of ROUTES) await registry.upsertRoute(route);
    const clients = await createClientStore(connection);
    for (const client of CLIENTS) await clients.upsertClient(client);
    const directory = await createBankDirectoryStore(connection);
    for (const bank of BANK_DIRECTORY) await directory.upsertBank(bank);
    console.log(`seed: ${partners(ports).length} partners, ${ROUTES.length} routes, ${CLIENTS.length} clients, ${BANK_DIRECTORY.length} bank codes`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
