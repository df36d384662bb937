import { createLogger, runProcess, startBankService } from "@gerbang/shared";
import { loadBcaConfig } from "./config";
import { createBcaAdapter, HOST_VARIABLE } from "./service";
import { createTransactionIds } from "./transaction-id-store";

/** The BCA bank service: config from the environment; SIGTERM/SIGINT stop it gracefully (runProcess). */
runProcess("bank-bca", async () => {
  const config = loadBcaConfig();
  const logger = createLogger("bank-bca", config.logLevel);
  const running = await startBankService({
    settings: config, hostVariable: HOST_VARIABLE, logger,
    createAdapter: async (connection) => createBcaAdapter({
      credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs,
      transactionIds: await createTransactionIds(connection, { purgeLogger: logger }),
    }),
  });
  return { logger, stop: () => running.stop() };
});
