import type { RunningSystem } from "../scripts/system";
import type { LedgerShare } from "./report";

/** Counters read from the gateway's /metrics: database commands and successful transfers. */
export interface LedgerCounters { dbCommands: number; dbSeconds: number; otherCommands: number; otherSeconds: number; bankSeconds: number; transfers: number }

/**
 * The commands a transfer's request path sends: the jti and transfer inserts and the conditional
 * update (findAndModify). Everything else the gateway sends (the resolver's search for due
 * transfers, registry reloads, the jti purge, the metrics' unresolved count) is background work,
 * counted apart so it does not inflate the per-transfer figure.
 */
const HOT_PATH = /command="(insert|findAndModify|update)"/;

/**
 * Reads gerbang_db_command_duration_seconds (every database round trip of the gateway, from
 * the driver's command events) and the gateway's count of Transfer requests answered "000" (success) from /metrics.
 */
export async function ledgerCounters(system: RunningSystem): Promise<LedgerCounters> {
  const text = await (await fetch(`http://127.0.0.1:${system.ports.gatewayOps}/metrics`)).text();
  const lines = text.split("\n");
  const sum = (pattern: RegExp, hot?: boolean) => lines
    .filter((l) => pattern.test(l) && (hot === undefined || HOT_PATH.test(l) === hot))
    .reduce((acc, l) => acc + Number(l.split(" ").pop()), 0);
  return {
    dbCommands: sum(/^gerbang_db_command_duration_seconds_count\{/, true),
    dbSeconds: sum(/^gerbang_db_command_duration_seconds_sum\{/, true),
    otherCommands: sum(/^gerbang_db_command_duration_seconds_count\{/, false),
    otherSeconds: sum(/^gerbang_db_command_duration_seconds_sum\{/, false),
    bankSeconds: sum(/^gerbang_gateway_bank_call_seconds_sum\{/),
    transfers: sum(/^gerbang_gateway_requests_total\{[^}]*route="payment\.v1\.PaymentGatewayService\/Transfer"[^}]*statusCode="000"/),
  };
}

export function ledgerShare(before: LedgerCounters, after: LedgerCounters, seconds: number): LedgerShare {
  const transfers = after.transfers - before.transfers;
  const per = (x: number) => (transfers === 0 ? 0 : Math.round((x / transfers) * 100) / 100);
  return {
    transfers,
    roundTripsPerTransfer: per(after.dbCommands - before.dbCommands),
    dbMsPerTransfer: per((after.dbSeconds - before.dbSeconds) * 1000),
    bankCallMsPerTransfer: per((after.bankSeconds - before.bankSeconds) * 1000),
    backgroundRoundTrips: Math.round(after.otherCommands - before.otherCommands),
    backgroundDbMsPerSecond: seconds > 0 ? Math.round(((after.otherSeconds - before.otherSeconds) * 1000) / seconds) : 0,
  };
}

/** Per-run measurement: read the counters now; the returned function reads them again and gives the share of the run. */
export function ledgerProbe(system: RunningSystem): () => Promise<() => Promise<LedgerShare>> {
  return async () => {
    const before = await ledgerCounters(system);
    const started = performance.now();
    return async () => ledgerShare(before, await ledgerCounters(system), (performance.now() - started) / 1000);
  };
}
