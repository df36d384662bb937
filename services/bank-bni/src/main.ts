import { createLogger, startBankService } from "@gerbang/shared";
import { loadBniConfig } from "./config";
import { createBniAdapter, HOST_VARIABLE } from "./service";

/** Starts the BNI bank service: config from the environment, SIGTERM/SIGINT stop it gracefully. */
async function main(): Promise<void> {
  const config = loadBniConfig();
  const logger = createLogger("bank-bni", config.logLevel);
  const adapter = createBniAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs });
  const running = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, "stopping");
    running.stop().then(() => process.exit(0), (error: unknown) => { logger.error({ err: error }, "stop failed"); process.exit(1); });
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  console.error("bank-bni failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
