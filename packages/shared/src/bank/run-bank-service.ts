import { MAX_SETTING } from "../config";
import { connectDatabase, type Connection } from "../db";
import type { Logger } from "../logger";
import type { Refreshing } from "../refreshing";
import { createRegistryStore } from "../registry-store";
import type { BankAdapter } from "./bank-adapter";
import type { BankServiceSettings } from "./bank-config";
import { watchBankRegistry, type BankRegistry } from "./bank-registry";
import { createBankServer } from "./bank-server";

export interface StartBankServiceOptions {
  settings: BankServiceSettings & { mongodbUri: string; mongodbDatabase: string };
  /** The route variable this bank's endpoints use, e.g. "hostBNI". */
  hostVariable: string;
  /** Makes the bank's adapter once the service's database is open (an adapter may keep state there). */
  createAdapter: (connection: Connection) => BankAdapter | Promise<BankAdapter>;
  logger: Logger;
}

export interface RunningBankService {
  readonly port: number;
  /** The registry rows in memory (tests call refresh() instead of waiting for the timer). */
  readonly registry: Refreshing<BankRegistry>;
  stop(): Promise<void>;
}

/**
 * What every bank service's main.ts does: connect to the database, keep its registry rows fresh,
 * serve gRPC. Tests start services through this too, so they run what production runs.
 */
export async function startBankService(options: StartBankServiceOptions): Promise<RunningBankService> {
  const { settings, logger } = options;
  if (settings.mongodbUri === "") throw new Error("MONGODB_URI is empty: a bank service reads its partner and routes from MongoDB");
  const connection = await connectDatabase({ uri: settings.mongodbUri, dbName: settings.mongodbDatabase });
  let adapter: BankAdapter | undefined;
  try {
    adapter = await options.createAdapter(connection);
    const { bankCode } = adapter;
    const registry = await watchBankRegistry(createRegistryStore(connection), bankCode, settings.registryRefreshMs, (error) => {
      logger.warn({ err: error }, "registry reload failed; keeping the last loaded rows");
    });
    const server = createBankServer({
      adapter,
      registry,
      hosts: { [options.hostVariable]: settings.bankHost },
      timeoutMs: settings.bankTimeoutMs,
      deadlineMarginMs: settings.deadlineMarginMs,
      logger,
      ...(settings.failpoint === "after-bank-answer" ? { failpoint: "after-bank-answer" as const } : {}),
    });
    if (settings.failpoint !== "") logger.warn({ failpoint: settings.failpoint }, "TEST FAILPOINT ACTIVE: this process kills itself at that step");
    const port = await server.listen(settings.bindHost, settings.port);
    logger.info({ port, bankCode, partnerLoaded: registry.current().partner !== undefined, routes: registry.current().routes.length }, "bank service listening");
    return {
      port,
      registry,
      // SIGTERM: stop taking calls, let those in flight finish (a call spends at most the bank timeout), then close.
      stop: async () => {
        await server.stop(Math.min(settings.bankTimeoutMs + settings.deadlineMarginMs + 1_000, MAX_SETTING)); // beyond it, Node's timer fires at once
        registry.close();
        adapter?.close?.();
        await connection.close();
      },
    };
  } catch (error) {
    adapter?.close?.();
    await connection.close();
    throw error;
  }
}
