import { connectDatabase, createLogger, runProcess } from "@gerbang/shared";
import { loadGatewayConfig, shutdownBudgetMs } from "./config";
import { startGateway } from "./gateway";

/**
 * The gateway process: config from env (once), database, edge and resolver. SIGTERM/SIGINT stop it
 * gracefully (runProcess): no new requests, those in flight finish (GATEWAY_SHUTDOWN_GRACE_MS), the
 * resolver finishes what it works on (it starts no bank call once stopping, but waits for one on its way),
 * leases are handed back, the database closes, exit 0.
 */
runProcess("gateway", async () => {
  const config = loadGatewayConfig();
  const logger = createLogger("gateway", config.logLevel);
  if (config.mongodbUri === "") throw new Error("MONGODB_URI is not set: `make run` starts the embedded database and sets it");
  const connection = await connectDatabase({ uri: config.mongodbUri, dbName: config.mongodbDatabase });
  const gateway = await startGateway({ connection, settings: config, logger, defaultMetrics: true });
  return {
    logger,
    stop: async () => {
      await gateway.close();
      await connection.close();
    },
    stopTimeoutMs: shutdownBudgetMs(config), // bounded even if something hangs
  };
});
