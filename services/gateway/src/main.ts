import { connectDatabase, createLogger } from "@gerbang/shared";
import { loadGatewayConfig } from "./config";
import { startGateway } from "./gateway";

/**
 * The gateway process: config from env (once), database, edge and resolver. SIGTERM/SIGINT stop it
 * gracefully: no new requests, those in flight finish (GATEWAY_SHUTDOWN_GRACE_MS), the resolver
 * ends its round, leases are handed back, the database closes, exit 0.
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger("gateway", config.logLevel);
  if (config.mongodbUri === "") throw new Error("MONGODB_URI is not set: `make run` starts the embedded database and sets it");
  const connection = await connectDatabase({ uri: config.mongodbUri, dbName: config.mongodbDatabase });
  const gateway = await startGateway({ connection, settings: config, logger, defaultMetrics: true });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    // Bounded even if something hangs: the ledger is consistent at every step, so a late exit loses nothing.
    setTimeout(() => { logger.error("shutdown took too long; exiting"); process.exit(1); }, config.shutdownGraceMs + 10_000).unref();
    gateway.close()
      .then(() => connection.close())
      .then(() => { process.exit(0); }, (error: unknown) => { logger.error({ err: error }, "stop failed"); process.exit(1); });
  };
  process.on("SIGTERM", () => { stop("SIGTERM"); });
  process.on("SIGINT", () => { stop("SIGINT"); });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
