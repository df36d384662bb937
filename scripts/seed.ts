import { connectDatabase, createRegistryStore, isLoopbackHost } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { BANK_DIRECTORY, CLIENTS, DEFAULT_BANK_PORTS, partners, ROUTES, type BankServicePorts } from "./seed-data";

/**
 * `npx tsx scripts/seed.ts [--if-empty]`: upserts partners, routes, clients (with escrow accounts)
 * and the bank directory into MONGODB_URI / MONGODB_DATABASE. Re-running is idempotent (upserts by
 * key), and puts every seeded row back as the seed has it. --if-empty (scripts/system.ts uses it on
 * every start) seeds only the collections that are empty and leaves the others exactly as they are:
 * a first seed cut off between collections is completed on the next start, and an operator's
 * rotated key or deleted row is never undone by a restart.
 *
 * The keys it writes are published (the paper's partner keys, the local client's): a database that
 * is not on this machine is refused, before any connection, unless --not-loopback says it is meant
 * (a shared test database). Written elsewhere by mistake, they would let anyone who read the paper
 * or this repository sign transfers.
 */
async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI ?? "";
  if (uri === "") throw new Error("MONGODB_URI is not set");
  if (!onLoopback(uri) && !process.argv.includes("--not-loopback")) {
    throw new Error("MONGODB_URI is not on this machine (127.0.0.1, ::1, localhost), and the seed's keys are published demo values: nothing was written. Pass --not-loopback if that database is meant to hold them");
  }
  const ifEmpty = process.argv.includes("--if-empty");
  const ports: BankServicePorts = process.env.PORTS_JSON !== undefined && process.env.PORTS_JSON !== ""
    ? (JSON.parse(process.env.PORTS_JSON) as BankServicePorts)
    : DEFAULT_BANK_PORTS;
  const connection = await connectDatabase({ uri, dbName: process.env.MONGODB_DATABASE ?? "gerbang" });
  try {
    const registry = createRegistryStore(connection);
    const clients = await createClientStore(connection);
    const directory = await createBankDirectoryStore(connection);
    // With --if-empty, a collection that has rows is left exactly as it is: a rotated key is not
    // put back, and a row an operator deleted (a demo client whose key is public) does not return.
    const seedUnless = async <T>(existing: () => Promise<unknown[]>, seeded: T[]) => (ifEmpty && (await existing()).length > 0 ? [] : seeded);
    const rows = {
      partners: await seedUnless(() => registry.listPartners(), partners(ports)),
      routes: await seedUnless(() => registry.listRoutes(), ROUTES),
      clients: await seedUnless(() => clients.listClients(), CLIENTS),
      banks: await seedUnless(() => directory.listBanks(), BANK_DIRECTORY),
    };
    if (Object.values(rows).every((list) => list.length === 0)) {
      console.log("seed: partners, routes, clients and bank codes exist, nothing to do (--if-empty)");
      return;
    }
    for (const partner of rows.partners) await registry.upsertPartner(partner);
    for (const route of rows.routes) await registry.upsertRoute(route);
    for (const client of rows.clients) await clients.upsertClient(client);
    for (const bank of rows.banks) await directory.upsertBank(bank);
    console.log(`seed: ${rows.partners.length} partners, ${rows.routes.length} routes, ${rows.clients.length} clients, ${rows.banks.length} bank codes${ifEmpty ? " (empty collections only, --if-empty)" : ""}`);
  } finally {
    await connection.close();
  }
}

/** Whether every host of a mongodb:// URI is a loopback address (mongodb+srv never is). */
function onLoopback(uri: string): boolean {
  const hosts = /^mongodb:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri)?.[1]?.split(",") ?? [];
  return hosts.length > 0 && hosts.every((host) => isLoopbackHost(host.replace(/:\d+$/, "")));
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
