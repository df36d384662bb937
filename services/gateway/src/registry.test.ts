import { MIN_KEY_TOKEN_LENGTH, type Partner, type RegistryStore } from "@gerbang/shared";
import type { BankDirectoryStore } from "./bank-directory-store";
import type { Client, ClientStore } from "./client-store";
import { createRegistry } from "./registry";

// The registry's judgement of each app row, on in-memory stores: a bad row shuts out that app only.
const app = (clientId: string, over: Partial<Client> = {}): Client => ({
  clientId, serviceName: `app ${clientId}`, keyToken: `key-${clientId}-`.padEnd(MIN_KEY_TOKEN_LENGTH, "0"), allowedIps: ["127.0.0.1"], escrowAccounts: [], active: true, ...over,
});

async function snapshotOf(clients: Client[], partners: Partner[] = []) {
  const errors: string[] = [];
  const registry = await createRegistry({
    registryStore: { listPartners: () => Promise.resolve(partners), listRoutes: () => Promise.resolve([]) } as unknown as RegistryStore,
    clientStore: { listClients: () => Promise.resolve(clients) } as unknown as ClientStore,
    directoryStore: { listBanks: () => Promise.resolve([]) } as unknown as BankDirectoryStore,
    refreshMs: 60_000,
    onError: (error) => { errors.push(`reload failed: ${String(error)}`); }, // never, here: the rows load
    onRowProblem: (problem) => { errors.push(problem.message); },
  });
  registry.close();
  return { clients: registry.current().clients, errors };
}

describe("registry: each app row", () => {
  it("refuses every call of an app whose allowlist does not parse, and says so; the others are untouched", async () => {
    const { clients, errors } = await snapshotOf([app("1", { allowedIps: ["not-an-ip"] }), app("2")]);
    expect(clients.get("1")?.allow.matches("127.0.0.1")).toBe(false);
    expect(clients.get("2")?.allow.matches("127.0.0.1")).toBe(true);
    expect(errors).toEqual([expect.stringContaining("client 1 has an invalid allowlist")]);
  });

  it("makes an app whose key token is under 32 characters inactive (its tokens could be guessed offline), and says so", async () => {
    const { clients, errors } = await snapshotOf([app("1", { keyToken: "k".repeat(MIN_KEY_TOKEN_LENGTH - 1) }), app("2")]);
    expect(clients.get("1")?.active).toBe(false);
    expect(clients.get("2")?.active).toBe(true);
    expect(errors).toEqual([`client 1 has a key token of 31 characters, under ${MIN_KEY_TOKEN_LENGTH}; refusing all its calls until it is rotated`]);
  });
});

describe("registry: each partner row", () => {
  const partner = (bankCode: string, keyToken: string): Partner => ({ bankCode, bankName: bankCode, priority: 1, keyToken, serviceUrl: "127.0.0.1:1", aliases: [] });

  it("says so at every reload when a partner's key token is under 32 characters (its bank service refuses every call)", async () => {
    const { errors } = await snapshotOf([], [partner("009", "k".repeat(MIN_KEY_TOKEN_LENGTH - 1)), partner("014", "k".repeat(MIN_KEY_TOKEN_LENGTH))]);
    expect(errors).toEqual([`partner 009 has a key token of 31 characters, under ${MIN_KEY_TOKEN_LENGTH}; its bank service refuses every call until it is rotated`]);
  });
});
