import { createLogger, runProcess, startBankService } from "@gerbang/shared";
import { loadBcaConfig } from "./config";
import { createBcaAdapter, HOST_VARIABLE } from "./service";

/** The BCA bank service: config from the environment; SIGTERM/SIGINT stop it gracefully (runProcess). */
runProcess("bank-bca", async () => {
  const config = loadBcaConfig();
  const logger = createLogger("bank-bca", config.logLevel);
  const adapter = createBcaAdapter({ credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs });
  const running = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger });
  return { logger, stop: () => running.stop() };
});
