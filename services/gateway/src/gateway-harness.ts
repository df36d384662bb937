import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { createLogger, jakartaDate, createRegistryStore, signHs256, transferRequestClaim, type Connection, type TransferCriticalFields } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { BANK_DIRECTORY, CLIENTS, partners, ROUTES } from "../../../scripts/seed-data";
import { createBankDirectoryStore } from "./bank-directory-store";
import { createClientStore, type Client } from "./client-store";
import { startFakeBank, type FakeBank } from "./fake-bank";
import { loadGatewayConfig } from "./config";
import { startGateway, type Gateway, type GatewaySettings } from "./gateway";
import type { TransferRecord } from "./transfer-store";

/**
 * A whole gateway for integration tests: a fresh database of its own, seeded with the real seed
 * rows (partners pointing at three fake bank services on loopback ports), and the gateway's real
 * HTTP and HTTP/2 servers on free ports. Everything is stopped by close().
 */

function seededClient(clientId: string): Client {
  const client = CLIENTS.find((c) => c.clientId === clientId);
  if (client === undefined) throw new Error(`the seed has no client ${clientId}`);
  return client;
}

export const LOCAL = seededClient("3");
export const MODAL = seededClient("2");
/** A second app allowed from loopback, to show apps cannot see each other's transfers. */
export const OTHER: Client = { ...LOCAL, clientId: "4", serviceName: "Other Local App", keyToken: "other-local-key-0000000000000004" };

export interface Harness {
  connection: Connection;
  gateway: Gateway;
  banks: Record<"009" | "014" | "800", FakeBank>;
  logs: string[];
  baseUrl: string;
  /** The first gateway's operators' port: /metrics, /healthz, /readyz. */
  opsUrl: string;
  /** The first gateway's /metrics, as text. */
  metrics(): Promise<string>;
  /** Starts one more gateway instance on the same database (several instances share jtis and the ledger). */
  startAnother(settings?: Partial<GatewaySettings>): Promise<Gateway>;
  /** Every fake bank back to booking and answering SUCCESS, and to answering inquiries from its ledger at once. */
  resetBanks(): void;
  /** Transfers in the ledger, optionally only one app's reference. */
  countTransfers(filter?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface TokenOptions {
  client?: Client;
  aud?: string;
  iat?: number;
  exp?: number;
  jti?: string;
  req?: TransferCriticalFields | string;
  key?: string;
  omit?: ("jti" | "sub")[];
}

/** An app token as the README tells apps to make one; options bend it for the failure cases. */
export function appToken(options: TokenOptions = {}): string {
  const client = options.client ?? LOCAL;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub: client.clientId, aud: options.aud ?? "gerbang", iat: options.iat ?? now, exp: options.exp ?? now + 120, jti: options.jti ?? randomUUID(),
  };
  if (options.req !== undefined) claims.req = typeof options.req === "string" ? options.req : transferRequestClaim(options.req);
  for (const key of options.omit ?? []) Reflect.deleteProperty(claims, key);
  return signHs256(claims, options.key ?? client.keyToken);
}

/**
 * Gateway settings for tests: the config's defaults with short timings, and the resolver loop off
 * (tests call gateway.resolver.runOnce() themselves, so nothing happens behind their back). The
 * lease leaves 3 s beyond the call and its 1 s margin for the writes before a call (jti claim,
 * insert): a lease left shorter than that is a refused call (bank-policy.ts leaseCoversCall), and a
 * loaded machine must not turn a test's ordinary transfer into one.
 */
export function testSettings(): GatewaySettings {
  return loadGatewayConfig({
    httpPort: 0, grpcPort: 0, opsPort: 0, bankDeadlineMs: 2_000, leaseMs: 6_000, duplicateWaitMs: 2_000, registryRefreshMs: 60_000,
    pendingRecheckMs: 30_000, resolverEnabled: false, shutdownGraceMs: 3_000,
  });
}

export async function startHarness(label: string, settings: Partial<GatewaySettings> = {}): Promise<Harness> {
  const connection = await connectTestDatabase(label);
  const seeded = partners({ bankBni: 0, bankBca: 0, bankMandiri: 0 });
  const keyOf = (code: string) => seeded.find((p) => p.bankCode === code)?.keyToken ?? "";
  const banks = { "009": await startFakeBank("009", keyOf("009")), "014": await startFakeBank("014", keyOf("014")), "800": await startFakeBank("800", keyOf("800")) };
  const registry = createRegistryStore(connection);
  for (const partner of partners({ bankBni: banks["009"].port, bankBca: banks["014"].port, bankMandiri: banks["800"].port })) await registry.upsertPartner(partner);
  for (const route of ROUTES) await registry.upsertRoute(route);
  const clients = await createClientStore(connection);
  for (const client of [...CLIENTS, OTHER]) await clients.upsertClient(client);
  const directory = await createBankDirectoryStore(connection);
  for (const bank of BANK_DIRECTORY) await directory.upsertBank(bank);

  const logs: string[] = [];
  const logger = createLogger("gateway", "debug", new Writable({ write(chunk: Buffer, _enc, done) { logs.push(chunk.toString()); done(); } }));
  const base: GatewaySettings = { ...testSettings(), ...settings };
  const gateways: Gateway[] = [];
  const start = async (more: Partial<GatewaySettings> = {}) => {
    const g = await startGateway({ connection, settings: { ...base, ...more }, logger });
    gateways.push(g);
    return g;
  };
  const gateway = await start();
  return {
    connection, gateway, banks, logs, baseUrl: `http://127.0.0.1:${gateway.httpPort}`,
    opsUrl: `http://127.0.0.1:${gateway.opsPort}`,
    metrics: async () => (await fetch(`http://127.0.0.1:${gateway.opsPort}/metrics`)).text(),
    startAnother: start,
    resetBanks: () => {
      for (const bank of Object.values(banks)) {
        bank.setMode("SUCCESS");
        bank.setStatusMode("ledger");
      }
    },
    countTransfers: async (filter = {}) => {
      const db = connection.db;
      if (db === undefined) throw new Error("no database");
      return db.collection("transfers").countDocuments(filter);
    },
    close: async () => {
      for (const g of gateways) await g.close();
      for (const bank of Object.values(banks)) await bank.stop();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** A moment longer ago than the tests' GATEWAY_RESEND_AFTER_MS: an attempt sent then may be re-sent on "not found". */
export function pastResendWait(): Date {
  return new Date(Date.now() - testSettings().resendAfterMs - 1_000);
}

/** Polls until `condition` holds: a slow machine only waits longer, and a condition that never comes fails after `ms`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * For test files whose transfers a resolver sends after they were recorded: an attempt that never
 * left, sent after Jakarta midnight (17:00Z), goes out as a new attempt dated the new day, so a
 * test running across midnight would see attempt 2.
 */
export { keepClearOfJakartaMidnight } from "@gerbang/shared/src/bank/testing";

/**
 * A transfer of LOCAL's to 014 as the request path records it (SENDING, attempt 1, leased), with
 * no answer recorded: what a crash between the ledger write and the bank's answer leaves behind.
 * Dated today in Jakarta unless told (an attempt of an earlier day that never left is not re-sent
 * but followed by a new one).
 */
export function crashedTransfer(o: { referenceNumber: string; clientReferenceNo: string; amount: string; sentAt: Date; leaseOwner: string; leaseUntil: Date; nextCheckAt: Date; transactionDate?: string }): TransferRecord {
  return {
    referenceNumber: o.referenceNumber, clientId: "3", clientReferenceNo: o.clientReferenceNo, fingerprint: "f",
    beneficiaryBankCode: "014", beneficiaryBankName: "BCA", beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK",
    amount: o.amount, currency: "IDR", remark: "", sourceAccountNumber: "0201240003", sourceAccountName: "GERBANG LOCAL",
    route: { bankCode: "014", usage: "TRANSFER", reason: "test" }, state: "SENDING",
    attempts: [{ attempt: 1, partnerBankCode: "014", usage: "TRANSFER", transactionDate: o.transactionDate ?? jakartaDate(new Date()), sentAt: o.sentAt }],
    bankReference: "", bankResponseCode: "", bankResponseMessage: "",
    leaseOwner: o.leaseOwner, leaseUntil: o.leaseUntil, nextCheckAt: o.nextCheckAt, createdAt: o.sentAt, updatedAt: o.sentAt,
  };
}

/** The ledger's calls a test can put a database fault on. */
type LedgerCall = "insertOne" | "findOneAndUpdate" | "findOne";

/**
 * A database fault for one test: while `work` runs, every `method` call on the transfers
 * collection goes through `fault`, which gets the call's arguments and the real call to make (or
 * not: throw, stall, hold the answer). Put back however `work` ends.
 */
export async function withLedgerFault<T>(
  connection: Connection, method: LedgerCall, fault: (args: unknown[], call: () => Promise<unknown>) => Promise<unknown>, work: () => Promise<T>,
): Promise<T> {
  const model = connection.models.Transfer;
  if (model === undefined) throw new Error("no Transfer model on this connection: create the transfer store first");
  const collection = model.collection as unknown as Record<LedgerCall, (...args: unknown[]) => Promise<unknown>>;
  const original = collection[method];
  collection[method] = (...args: unknown[]) => fault(args, () => original.apply(collection, args));
  try {
    return await work();
  } finally {
    collection[method] = original;
  }
}

/** Whether a write's update document (its second argument) mentions `text`: which write a fault is for. */
export const updateMentions = (args: unknown[], text: string): boolean => JSON.stringify(args[1]).includes(text);
