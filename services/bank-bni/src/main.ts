import { createLogger, runProcess, startBankService } from "@gerbang/shared";
import { loadBniConfig } from "./config";
import { createBniAdapter, HOST_VARIABLE } from "./service";

/** The BNI bank service: config from the environment; SIGTERM/SIGINT stop it gracefully (runProcess). */
runProcess("bank-bni", async () => {
  const config = loadBniConfig();
  const logger = createLogger("bank-bni", config.logLevel);
  const running = await startBankService({
    settings: config, hostVariable: HOST_VARIABLE, logger,
    createAdapter: () => createBniAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs }),
  });
  return { logger, stop: () => running.stop() };
});
