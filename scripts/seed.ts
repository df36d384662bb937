import { connectDatabase, createRegistryStore } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { BANK_DIRECTORY, CLIENTS, DEFAULT_BANK_PORTS, partners, ROUTES, type BankServicePorts } from "./seed-data";

/**
 * `npx tsx scripts/seed.ts [--if-empty]`: upserts partners, routes, clients (with escrow accounts)
 * and the bank directory into MONGODB_URI / MONGODB_DATABASE. Re-running is idempotent (upserts by
 * key), and puts every seeded row back as the seed has it. --if-empty (scripts/system.ts uses it on
 * every start) only adds the rows that are missing and never changes one that exists, so a first
 * seed cut off half-way is completed on the next start, and a key or priority an operator changed
 * is never put back to the demo value by a restart.
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
    // With --if-empty, the rows already there (by key) are left as they are.
    const have = ifEmpty
      ? {
          partners: new Set((await registry.listPartners()).map((p) => p.bankCode)),
          routes: new Set((await registry.listRoutes()).map((r) => `${r.bankCode} ${r.usage}`)),
          clients: new Set((await clients.listClients()).map((c) => c.clientId)),
          banks: new Set((await directory.listBanks()).map((b) => b.bankCode)),
        }
      : { partners: new Set<string>(), routes: new Set<string>(), clients: new Set<string>(), banks: new Set<string>() };
    const rows = {
      partners: partners(ports).filter((p) => !have.partners.has(p.bankCode)),
      routes: ROUTES.filter((r) => !have.routes.has(`${r.bankCode} ${r.usage}`)),
      clients: CLIENTS.filter((c) => !have.clients.has(c.clientId)),
      banks: BANK_DIRECTORY.filter((b) => !have.banks.has(b.bankCode)),
    };
    const added = rows.partners.length + rows.routes.length + rows.clients.length + rows.banks.length;
    if (ifEmpty && added === 0) {
      console.log("seed: partners, routes, clients and bank codes exist, nothing to do (--if-empty)");
      return;
    }
    for (const partner of rows.partners) await registry.upsertPartner(partner);
    for (const route of rows.routes) await registry.upsertRoute(route);
    for (const client of rows.clients) await clients.upsertClient(client);
    for (const bank of rows.banks) await directory.upsertBank(bank);
    console.log(`seed: ${rows.partners.length} partners, ${rows.routes.length} routes, ${rows.clients.length} clients, ${rows.banks.length} bank codes${ifEmpty ? " (missing ones only, --if-empty)" : ""}`);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
