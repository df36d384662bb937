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
  /** A failed reload keeps the last good snapshot; a bad allowlist entry or a short key shuts only that app out. */
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
      clients: new Map(clients.map((client) => [client.clientId, registered(client, deps.onError)])),
      directory: new Map(banks.map((bank) => [bank.bankCode, bank])),
    };
  };
  return createRefreshing(load, deps.refreshMs, deps.onError);
}

/**
 * The shortest app key token accepted. A token is HS256 over its key, and one captured token lets
 * anyone test guesses offline: a short key is no key. The seeded keys are 32-39 characters (UUIDs
 * among them); production keys are generated.
 */
export const MIN_KEY_TOKEN_LENGTH = 32;

/** A client as the hot path reads it; one with a key too short is kept, inactive, and said so on every reload. */
function registered(client: Client, onError: (error: unknown) => void): RegisteredClient {
  const allow = compileAllowlist(client, onError);
  if (client.keyToken.length >= MIN_KEY_TOKEN_LENGTH) return { ...client, allow };
  onError(new Error(`client ${client.clientId} has a key token of ${client.keyToken.length} characters, under ${MIN_KEY_TOKEN_LENGTH}; refusing all its calls until it is rotated`));
  return { ...client, active: false, allow };
}

function compileAllowlist(client: Client, onError: (error: unknown) => void): IpMatcher {
  try {
    return createIpMatcher(client.allowedIps);
  } catch (error) {
    onError(new Error(`client ${client.clientId} has an invalid allowlist; refusing all its calls`, { cause: error }));
    return createIpMatcher([]);
  }
}
