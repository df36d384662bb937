import { createLogger, runProcess, startBankService } from "@gerbang/shared";
import { loadMandiriConfig } from "./config";
import { createMandiriAdapter, HOST_VARIABLE } from "./service";

/** The Mandiri bank service: config from the environment; SIGTERM/SIGINT stop it gracefully (runProcess). */
runProcess("bank-mandiri", async () => {
  const config = loadMandiriConfig();
  const logger = createLogger("bank-mandiri", config.logLevel);
  const running = await startBankService({
    settings: config, hostVariable: HOST_VARIABLE, logger,
    createAdapter: () => createMandiriAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs }),
  });
  return { logger, stop: () => running.stop() };
});
