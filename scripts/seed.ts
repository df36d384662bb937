import { connectDatabase, createRegistryStore } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { BANK_DIRECTORY, CLIENTS, DEFAULT_BANK_PORTS, partners, ROUTES, type BankServicePorts } from "./seed-data";

/**
 * `npx tsx scripts/seed.ts [--if-empty]`: upserts partners, routes, clients (with escrow accounts)
 * and the bank directory into MONGODB_URI / MONGODB_DATABASE. Re-running is idempotent (upserts by
 * key), and puts every seeded row back as the seed has it. --if-empty does nothing when every one of
 * those collections has rows (scripts/system.ts uses it on every start), so a first seed cut off
 * half-way is completed on the next start rather than left without routes or clients.
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
    const clients = await createClientStore(connection);
    const directory = await createBankDirectoryStore(connection);
    if (ifEmpty) {
      const counts = [(await registry.listPartners()).length, (await registry.listRoutes()).length, (await clients.listClients()).length, (await directory.listBanks()).length];
      if (counts.every((n) => n > 0)) {
        console.log("seed: partners, routes, clients and bank codes exist, nothing to do (--if-empty)");
        return;
      }
    }
    for (const partner of partners(ports)) await registry.upsertPartner(partner);
    for (const route of ROUTES) await registry.upsertRoute(route);
    for (const client of CLIENTS) await clients.upsertClient(client);
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
