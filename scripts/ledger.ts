import { connectDatabase, createLogger, DEFAULT_PORTS, type Connection, type Logger } from "@gerbang/shared";
import { TRANSFERS_COLLECTION, type GatewayConfig } from "@gerbang/gateway";

/**
 * The gateway's ledger for an operator's command: MONGODB_URI / MONGODB_DATABASE as the gateway
 * reads them, else `make run`'s embedded database. `source` says which, for the command to print.
 * A database without the ledger's collection is refused before anything touches it: a mistyped
 * name would otherwise get an empty ledger created (indexes and all) and then "no transfer". Nor
 * does a command build an index the ledger lacks (autoIndex: false); the unique ones must be there.
 */
export async function connectLedger(
  config: Pick<GatewayConfig, "mongodbUri" | "mongodbDatabase">, options: { commandTimeoutMs?: number } = {},
): Promise<{ connection: Connection; source: string }> {
  const uri = config.mongodbUri !== "" ? config.mongodbUri : `mongodb://127.0.0.1:${DEFAULT_PORTS.database}`;
  const where = config.mongodbUri !== "" ? "MONGODB_URI" : `${uri} (make run's embedded database; MONGODB_URI chooses another)`;
  const connection = await connectDatabase({ uri, dbName: config.mongodbDatabase, ...options, autoIndex: false });
  const source = `${where}, database ${config.mongodbDatabase}`;
  const ledger = await connection.db?.listCollections({ name: TRANSFERS_COLLECTION }, { nameOnly: true }).toArray();
  if (ledger?.length !== 1) {
    await connection.close();
    throw new Error(`no ledger at ${source}: it has no ${TRANSFERS_COLLECTION} collection (MONGODB_URI and MONGODB_DATABASE choose where the gateway keeps it)`);
  }
  return { connection, source };
}

/** The logger of an operator's command: the gateway's LOG_LEVEL, but at the default (info) only warnings and errors, so its log lines do not bury the report it prints. */
export function commandLogger(name: string, config: Pick<GatewayConfig, "logLevel">): Logger {
  return createLogger(name, config.logLevel === "info" ? "warn" : config.logLevel);
}

/**
 * Closes the command's connection once its work is done. A failure to close is said, not thrown:
 * thrown, it would turn a settlement already written (exit 0) into exit 2, "nothing changed".
 */
export async function closeLedger(connection: { close(): Promise<unknown> }): Promise<void> {
  await connection.close().catch((error: unknown) => {
    console.error(`warning: the database connection did not close cleanly (${error instanceof Error ? error.message : String(error)}); what was printed above stands`);
  });
}

/**
 * Runs an operator's command and exits with the code it returns (0 done, 1 the ledger refused or
 * found something, 2 bad arguments); anything it throws (no database, say) prints its message and exits 2.
 */
export function exitWith(command: () => Promise<number>): void {
  command().then((code) => { process.exit(code); }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}

/**
 * An operator's command line as `--flag value` pairs, each flag one of `allowed` and given once:
 * which of two values was meant cannot be guessed, so a repeated flag is refused too.
 */
export function flagPairs(argv: readonly string[], allowed: readonly string[]): { ok: true; values: Map<string, string> } | { ok: false; error: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? "";
    const value = argv[i + 1];
    if (!allowed.includes(flag) || value === undefined) return { ok: false, error: `unexpected argument ${flag}` };
    if (values.has(flag)) return { ok: false, error: `${flag} given twice` };
    values.set(flag, value);
  }
  return { ok: true, values };
}
