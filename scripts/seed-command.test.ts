import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createRegistryStore, repoRoot } from "@gerbang/shared";
import { createBankDirectoryStore, createClientStore } from "@gerbang/gateway";
import { connectTestDatabase, testDatabaseUri } from "../test/database";
import { COMMANDS_MS } from "../test/ledger-command";
import { BANK_DIRECTORY, LOCAL_CLIENT_KEY } from "./seed-data";

const run = promisify(execFile);
const seed = (dbName: string, args: string[], ports?: object, env: Record<string, string> = {}) => run(path.join(repoRoot, "node_modules/.bin/tsx"), [path.join(repoRoot, "scripts/seed.ts"), ...args], {
  env: { ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DATABASE: dbName, PORTS_JSON: ports === undefined ? "" : JSON.stringify(ports), ...env },
  timeout: 60_000,
});

describe("scripts/seed.ts", () => {
  it("loads Tables 1-3, the local client, escrows and the directory; --if-empty then leaves it alone", async () => {
    const connection = await connectTestDatabase("seed");
    const dbName = connection.name;
    try {
      // Every port of the system, as scripts/system.ts passes them: the seed takes the bank services'.
      const { stdout } = await seed(dbName, ["--if-empty"], { gatewayHttp: 3080, bankBni: 3002, bankBca: 3004, bankMandiri: 3003, database: 3117 });
      expect(stdout).toContain("3 partners, 7 routes, 3 clients");
      const registry = createRegistryStore(connection);
      const partners = await registry.listPartners();
      expect(partners.map((p) => [p.bankCode, p.priority, p.serviceUrl, p.aliases])).toEqual(expect.arrayContaining([
        ["009", 1, "127.0.0.1:3002", []], ["014", 2, "127.0.0.1:3004", []], ["800", 3, "127.0.0.1:3003", ["008"]],
      ]));
      expect((await registry.listRoutes()).map((r) => `${r.bankCode} ${r.usage}`).sort((a, b) => a.localeCompare(b))).toEqual([
        "009 STATUS_INQUIRY", "009 TRANSFER", "009 TRANSFER_INTERBANK", "014 STATUS_INQUIRY", "014 TRANSFER", "800 STATUS_INQUIRY", "800 TRANSFER",
      ]);
      // The paper's rows as MISSION.md copies them (Tables 1-3), typed out here rather than read from
      // seed-data.ts, so a slip in a key, an address or a name fails.
      expect(partners.map((p) => [p.bankCode, p.bankName, p.priority, p.keyToken])).toEqual(expect.arrayContaining([
        ["009", "PT Bank Negara Indonesia Tbk", 1, "e3c05ef5-8f9d-43d4-bd3e-8c0fecd50715"],
        ["014", "PT Bank Central Asia Tbk", 2, "4923e7a5-1e20-4a0d-a684-ec74ed00baa3"],
        ["800", "PT Bank Mandiri Tbk", 3, "8ceacc82-c957-417a-8311-6c5254431746"],
      ]));
      expect((await registry.listRoutes()).map((r) => [r.bankCode, r.usage, r.method, r.localEndpoint, r.externalEndpoint])).toEqual(expect.arrayContaining([
        ["009", "TRANSFER", "POST", "/api/bni/transfer", "https://{{hostBNI}}/p2pl/payment/transfer"],
        ["009", "TRANSFER_INTERBANK", "POST", "/api/bni/transferInterbank", "https://{{hostBNI}}/p2pl/payment/interbank"],
        ["014", "TRANSFER", "POST", "/api/bca/transfer", "https://{{hostBCA}}/banking/corporates/transfers"],
        ["800", "TRANSFER", "POST", "/api/mandiri/transfer", "https://{{hostMandiri}}/gateway/TbwPayment/1.0/doPayment"],
      ]));
      const clients = await (await createClientStore(connection)).listClients();
      expect(clients.map((c) => [c.clientId, c.serviceName, c.allowedIps, c.keyToken])).toEqual(expect.arrayContaining([
        ["1", "IKI PPOB", ["139.99.60.117"], "09ec79db-a383-48c9-aee6-1ea516b64f50"],
        ["2", "IKI Modal", ["103.74.212.111"], "7c51d6b6-6b99-4896-9fc5-4425522ed2ce"],
      ]));
      const local = clients.find((c) => c.clientId === "3");
      expect(local).toMatchObject({ serviceName: "Gerbang Local", keyToken: LOCAL_CLIENT_KEY, allowedIps: ["127.0.0.1", "::1"] });
      expect(local?.escrowAccounts.map((e) => e.bankCode)).toEqual(["009", "014", "800"]);
      const directory = await createBankDirectoryStore(connection);
      expect(await directory.listBanks()).toHaveLength(BANK_DIRECTORY.length);
      // A name longer than a bank transfer carries would fail every transfer to that bank: refused when written.
      await expect(directory.upsertBank({ bankCode: "998", bankName: "x".repeat(51) })).rejects.toThrow(/longer than the maximum allowed length \(50\)/);
      expect(await directory.listBanks()).toHaveLength(BANK_DIRECTORY.length);

      await registry.upsertPartner({ ...partners[0]!, priority: 9 });
      const again = await seed(dbName, ["--if-empty"]);
      expect(again.stdout).toContain("nothing to do");
      expect((await registry.listPartners()).find((p) => p.bankCode === partners[0]!.bankCode)?.priority).toBe(9);

      // A first seed cut off after the partners: the next start completes it, and changes nothing
      // in the collections that have rows: an operator's rotated key stays, a deleted client stays
      // deleted (before, the completion put both back as the seed has them).
      await connection.collection("routes").deleteMany({});
      await connection.collection("clients").updateOne({ clientId: "3" }, { $set: { keyToken: "rotated-by-an-operator-000000000003" } });
      await connection.collection("clients").deleteOne({ clientId: "2" });
      const completed = await seed(dbName, ["--if-empty"]);
      expect(completed.stdout).toContain("0 partners, 7 routes, 0 clients, 0 bank codes (empty collections only, --if-empty)");
      const clientsLeft = await (await createClientStore(connection)).listClients();
      expect(clientsLeft.map((c) => c.clientId).sort((a, b) => a.localeCompare(b))).toEqual(["1", "3"]);
      expect(await registry.listRoutes()).toHaveLength(7);
      expect(clientsLeft.find((c) => c.clientId === "3")?.keyToken).toBe("rotated-by-an-operator-000000000003");
      expect((await registry.listPartners()).find((p) => p.bankCode === partners[0]!.bankCode)?.priority).toBe(9);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  }, COMMANDS_MS);

  it.each([
    ["another machine", "mongodb://192.0.2.10:27017"],
    ["one loopback host of two", "mongodb://127.0.0.1:27017,192.0.2.10:27017/?replicaSet=rs0"],
    ["a DNS seed list", "mongodb+srv://cluster0.example.net"],
    ["credentials naming localhost", "mongodb://localhost:pw@192.0.2.10"],
  ])("refuses a database not on this machine (%s) before connecting: the seed's keys are published", async (_what, uri) => {
    const failed = run(path.join(repoRoot, "node_modules/.bin/tsx"), [path.join(repoRoot, "scripts/seed.ts")], { env: { ...process.env, MONGODB_URI: uri }, timeout: 60_000 });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining("MONGODB_URI is not on this machine") as string });
  }, 60_000);

  it.each([
    ["--help", ["--help"], undefined, {}, 'unknown argument "--help"'],
    ["a mistyped flag", ["--ifempty"], undefined, {}, 'unknown argument "--ifempty"'],
    ["a PORTS_JSON missing a port", ["--if-empty"], { bankBni: 3002, bankBca: 3004 }, {}, "PORTS_JSON must give bankBni, bankBca, bankMandiri"],
    ["a PORTS_JSON port out of range", [], { bankBni: 3002, bankBca: 3004, bankMandiri: 70000 }, {}, "PORTS_JSON must give"],
    ["an empty MONGODB_DATABASE (the driver would write to \"test\")", [], undefined, { MONGODB_DATABASE: "" }, "MONGODB_DATABASE is empty"],
  ])("refuses %s with exit 2 and the usage, writing nothing (a full seed puts rotated keys back)", async (_what, args, ports, env, message) => {
    const connection = await connectTestDatabase("seed_usage");
    try {
      const failed = seed(connection.name, args, ports, env);
      await expect(failed).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(message) as string });
      await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining("usage: npx tsx scripts/seed.ts") as string });
      expect(await connection.db!.listCollections().toArray()).toEqual([]);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  }, COMMANDS_MS);

  it("fails clearly without MONGODB_URI", async () => {
    const failed = run(path.join(repoRoot, "node_modules/.bin/tsx"), [path.join(repoRoot, "scripts/seed.ts")], { env: { ...process.env, MONGODB_URI: "" }, timeout: 60_000 });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining("MONGODB_URI is not set") as string });
  }, 60_000);
});
