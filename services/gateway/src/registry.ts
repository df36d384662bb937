import { createRefreshing, type Partner, type Refreshing, type RegistryStore, type Route } from "@gerbang/shared";
import type { BankDirectoryStore, DirectoryBank } from "./bank-directory-store";
import type { Client, ClientStore } from "./client-store";
import { createIpMatcher, type IpMatcher } from "./ip-allowlist";

/** A registered app with its allowlist compiled. */
export interface RegisteredClient extends Client {
  allow: IpMatcher;
}

/** Everything the hot path reads, held in memory and reloaded every few seconds. */
export interface RegistrySnapshot {
  partners: Partner[];
  routes: Route[];
  clients: ReadonlyMap<string, RegisteredClient>;
  directory: ReadonlyMap<string, DirectoryBank>;
}

export interface RegistryDeps {
  registryStore: RegistryStore;
  clientStore: ClientStore;
  directoryStore: BankDirectoryStore;
  refreshMs: number;
  /** A failed reload keeps the last good snapshot; a bad allowlist entry shuts only that app out. */
  onError: (error: unknown) => void;
}

export function createRegistry(deps: RegistryDeps): Promise<Refreshing<RegistrySnapshot>> {
  const load = async (): Promise<RegistrySnapshot> => {
    const [partners, routes, clients, banks] = await Promise.all([
      deps.registryStore.listPartners(),
      deps.registryStore.listRoutes(),
      deps.clientStore.listClients(),
      deps.directoryStore.listBanks(),
    ]);
    return {
      partners,
      routes,
      clients: new Map(clients.map((client) => [client.clientId, { ...client, allow: compileAllowlist(client, deps.onError) }])),
      directory: new Map(banks.map((bank) => [bank.bankCode, bank])),
    };
  };
  return createRefreshing(load, deps.refreshMs, deps.onError);
}

function compileAllowlist(client: Client, onError: (error: unknown) => void): IpMatcher {
  try {
    return createIpMatcher(client.allowedIps);
  } catch (error) {
    onError(new Error(`client ${client.clientId} has an invalid allowlist; refusing all its calls`, { cause: error }));
    return createIpMatcher([]);
  }
}
