import { BANK_CODES, createLogger, loadConfig, type PartnerBank } from "@gerbang/shared";
import type convict from "convict";
import { sandboxConfigSchema, type SandboxConfig } from "./config";
import type { BankCredentials } from "./credentials";
import { createSandbox } from "./server";

function bankCredentials(bank: PartnerBank, config: convict.Config<SandboxConfig>): BankCredentials {
  switch (bank) {
    case "bni":
      return { bank, credentials: config.get("bni") };
    case "bca":
      return { bank, credentials: config.get("bca") };
    case "mandiri":
      return { bank, credentials: config.get("mandiri") };
  }
}

/** `npx tsx sandbox/src/main.ts <bni|bca|mandiri>`: one bank's sandbox on 127.0.0.1. */
async function main(): Promise<void> {
  const bank = process.argv[2];
  if (bank === undefined || !Object.hasOwn(BANK_CODES, bank)) {
    process.stderr.write("usage: tsx sandbox/src/main.ts <bni|bca|mandiri>\n");
    process.exit(2);
  }
  const chosen = bank as PartnerBank;
  const config = loadConfig(sandboxConfigSchema(chosen));
  const logger = createLogger(`sandbox-${chosen}`, config.get("logLevel"));
  const common = { tokenTtlSeconds: config.get("tokenTtlSeconds"), logger };
  const sandbox = createSandbox({ ...bankCredentials(chosen, config), ...common });
  const port = await sandbox.listen(config.get("port"));
  logger.info({ port, bank: chosen }, "sandbox listening");

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "close failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
