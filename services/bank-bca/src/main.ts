import { createLogger, runProcess, startBankService } from "@gerbang/shared";
import { loadBcaConfig } from "./config";
import { createBcaAdapter, HOST_VARIABLE } from "./service";
import { createTransactionIds, type TransactionIds } from "./transaction-id-store";

/** Allocations of days past the retention are deleted this often (a day is one indexed delete). */
const ID_PURGE_INTERVAL_MS = 60 * 60_000;

/** The BCA bank service: config from the environment; SIGTERM/SIGINT stop it gracefully (runProcess). */
runProcess("bank-bca", async () => {
  const config = loadBcaConfig();
  const logger = createLogger("bank-bca", config.logLevel);
  let purge: NodeJS.Timeout | undefined;
  const purgeOldIds = (transactionIds: TransactionIds) => {
    transactionIds.purge()
      .then((deleted) => { if (deleted > 0) logger.info({ deleted }, "purged TransactionID allocations past their retention"); })
      .catch((error: unknown) => { logger.warn({ err: error }, "TransactionID purge failed; tried again later"); });
  };
  const running = await startBankService({
    settings: config, hostVariable: HOST_VARIABLE, logger,
    createAdapter: async (connection) => {
      const transactionIds = await createTransactionIds(connection);
      purgeOldIds(transactionIds);
      purge = setInterval(() => { purgeOldIds(transactionIds); }, ID_PURGE_INTERVAL_MS);
      purge.unref();
      return createBcaAdapter({
        credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs, transactionIds,
      });
    },
  });
  return {
    logger,
    stop: async () => {
      clearInterval(purge);
      await running.stop();
    },
  };
});
