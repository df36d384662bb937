import { connectDatabase, createRegistryStore, isLoopbackHost } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { BANK_DIRECTORY, CLIENTS, DEFAULT_BANK_PORTS, partners, ROUTES, type BankServicePorts } from "./seed-data";

/**
 * `npx tsx scripts/seed.ts [--if-empty] [--not-loopback]`: upserts partners, routes, clients (with escrow accounts)
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
 *
 * Anything else on the command line (`--help`, a mistyped flag) or a PORTS_JSON that does not
 * name the three ports is refused with exit 2 before any connection: a full seed puts rotated keys
 * back to the published ones, so it must never run by accident.
 */
const FLAGS = ["--if-empty", "--not-loopback"];
const USAGE = "usage: npx tsx scripts/seed.ts [--if-empty] [--not-loopback] (MONGODB_URI, MONGODB_DATABASE; PORTS_JSON={\"bankBni\":2002,\"bankBca\":2004,\"bankMandiri\":2003})";

class UsageError extends Error {}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !FLAGS.includes(arg));
  if (unknown.length > 0) throw new UsageError(`unknown argument ${unknown.map((arg) => JSON.stringify(arg)).join(", ")}: nothing was written`);
  const ports = portsFrom(process.env.PORTS_JSON ?? "");
  const uri = process.env.MONGODB_URI ?? "";
  if (uri === "") throw new Error("MONGODB_URI is not set");
  if (!onLoopback(uri) && !args.includes("--not-loopback")) {
    throw new Error("MONGODB_URI is not on this machine (127.0.0.1, ::1, localhost), and the seed's keys are published demo values: nothing was written. Pass --not-loopback if that database is meant to hold them");
  }
  const dbName = process.env.MONGODB_DATABASE ?? "gerbang";
  if (dbName.trim() === "") throw new UsageError("MONGODB_DATABASE is empty: the driver would write to its fallback database (\"test\"); nothing was written");
  const ifEmpty = args.includes("--if-empty");
  const connection = await connectDatabase({ uri, dbName });
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

/** The bank services' ports from PORTS_JSON (scripts/system.ts sets it), or `make run`'s. */
function portsFrom(json: string): BankServicePorts {
  if (json === "") return DEFAULT_BANK_PORTS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const ports = (parsed ?? {}) as Record<string, unknown>;
  const names = Object.keys(DEFAULT_BANK_PORTS);
  const valid = typeof parsed === "object" && parsed !== null && names.every((name) => Number.isInteger(ports[name]) && (ports[name] as number) > 0 && (ports[name] as number) <= 65535);
  if (!valid) throw new UsageError(`PORTS_JSON must give ${names.join(", ")}, each a port from 1 to 65535; got ${json}: nothing was written`);
  return parsed as BankServicePorts; // scripts/system.ts passes every port of the system: the others are not the seed's
}

/** Whether every host of a mongodb:// URI is a loopback address (mongodb+srv never is). */
function onLoopback(uri: string): boolean {
  const hosts = /^mongodb:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri)?.[1]?.split(",") ?? [];
  return hosts.length > 0 && hosts.every((host) => isLoopbackHost(host.replace(/:\d+$/, "")));
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error(USAGE);
  process.exit(error instanceof UsageError ? 2 : 1);
});
