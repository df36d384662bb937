import { createRefreshing, MIN_KEY_TOKEN_LENGTH, type Partner, type Refreshing, type RegistryStore, type Route } from "@gerbang/shared";
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
  /** A failed reload: the last good snapshot is kept. */
  onError: (error: unknown) => void;
  /** A row loaded but not usable as it is (a bad allowlist or a short key shuts that app out), said at every reload. */
  onRowProblem: (problem: Error) => void;
}

export function createRegistry(deps: RegistryDeps): Promise<Refreshing<RegistrySnapshot>> {
  const load = async (): Promise<RegistrySnapshot> => {
    const [partners, routes, clients, banks] = await Promise.all([
      deps.registryStore.listPartners(),
      deps.registryStore.listRoutes(),
      deps.clientStore.listClients(),
      deps.directoryStore.listBanks(),
    ]);
    for (const partner of partners) warnOfShortKey(partner, deps.onRowProblem);
    return {
      partners,
      routes,
      clients: new Map(clients.map((client) => [client.clientId, registered(client, deps.onRowProblem)])),
      directory: new Map(banks.map((bank) => [bank.bankCode, bank])),
    };
  };
  return createRefreshing(load, deps.refreshMs, deps.onError);
}

/**
 * A partner's service tokens are checked by its bank service, which refuses every one under a short
 * key (verifyServiceToken): its transfers fail "not sent". Said here too, on every reload, because
 * the gateway's log is where the failing transfers are seen.
 */
function warnOfShortKey(partner: Partner, onRowProblem: (problem: Error) => void): void {
  if (partner.keyToken.length >= MIN_KEY_TOKEN_LENGTH) return;
  onRowProblem(shortKey(`partner ${partner.bankCode}`, partner.keyToken, "its bank service refuses every call"));
}

function shortKey(who: string, keyToken: string, consequence: string): Error {
  return new Error(`${who} has a key token of ${keyToken.length} characters, under ${MIN_KEY_TOKEN_LENGTH}; ${consequence} until it is rotated`);
}

/** A client as the hot path reads it; one with a key too short is kept, inactive, and said so on every reload. */
function registered(client: Client, onRowProblem: (problem: Error) => void): RegisteredClient {
  const allow = compileAllowlist(client, onRowProblem);
  if (client.keyToken.length >= MIN_KEY_TOKEN_LENGTH) return { ...client, allow };
  onRowProblem(shortKey(`client ${client.clientId}`, client.keyToken, "refusing all its calls"));
  return { ...client, active: false, allow };
}

function compileAllowlist(client: Client, onRowProblem: (problem: Error) => void): IpMatcher {
  try {
    return createIpMatcher(client.allowedIps);
  } catch (error) {
    onRowProblem(new Error(`client ${client.clientId} has an invalid allowlist; refusing all its calls`, { cause: error }));
    return createIpMatcher([]);
  }
}
