import { BANK_CODES, createLogger, loadConfig, runProcess, type PartnerBank } from "@gerbang/shared";
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

/** `npx tsx sandbox/src/main.ts <bni|bca|mandiri>`: one bank's sandbox on 127.0.0.1; SIGTERM/SIGINT stop it (runProcess). */
const bank = process.argv[2];
if (bank === undefined || !Object.hasOwn(BANK_CODES, bank)) {
  process.stderr.write("usage: tsx sandbox/src/main.ts <bni|bca|mandiri>\n");
  process.exit(2);
}
const chosen = bank as PartnerBank;
runProcess(`sandbox-${chosen}`, async () => {
  const config = loadConfig(sandboxConfigSchema(chosen));
  const logger = createLogger(`sandbox-${chosen}`, config.get("logLevel"));
  const journalFile = config.get("journalFile");
  const common = { tokenTtlSeconds: config.get("tokenTtlSeconds"), logger, ...(journalFile === "" ? {} : { journalFile }) };
  const sandbox = createSandbox({ ...bankCredentials(chosen, config), ...common });
  const port = await sandbox.listen(config.get("port"));
  logger.info({ port, bank: chosen, books: journalFile === "" ? "in memory" : journalFile }, "sandbox listening");
  return { logger, stop: () => sandbox.close() };
});
