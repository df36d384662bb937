import type { RunningSystem } from "../scripts/system";
import type { LedgerShare } from "./report";

/** Counters read from the gateway's /metrics: database commands and successful transfers. */
export interface LedgerCounters { dbCommands: number; dbSeconds: number; transfers: number }

/**
 * Reads gerbang_db_command_duration_seconds (every database round trip of the gateway, from
 * the driver's command events) and the gateway's count of Transfer requests answered "000" (success) from /metrics.
 */
export async function ledgerCounters(system: RunningSystem): Promise<LedgerCounters> {
  const text = await (await fetch(`http://127.0.0.1:${system.ports.gatewayHttp}/metrics`)).text();
  const sum = (pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).reduce((acc, l) => acc + Number(l.split(" ").pop()), 0);
  return {
    dbCommands: sum(/^gerbang_db_command_duration_seconds_count\{/),
    dbSeconds: sum(/^gerbang_db_command_duration_seconds_sum\{/),
    transfers: sum(/^gerbang_gateway_requests_total\{[^}]*route="payment\.v1\.PaymentGatewayService\/Transfer"[^}]*statusCode="000"/),
  };
}

export function ledgerShare(before: LedgerCounters, after: LedgerCounters): LedgerShare {
  const transfers = after.transfers - before.transfers;
  const per = (x: number) => (transfers === 0 ? 0 : Math.round((x / transfers) * 100) / 100);
  return { transfers, roundTripsPerTransfer: per(after.dbCommands - before.dbCommands), dbMsPerTransfer: per((after.dbSeconds - before.dbSeconds) * 1000) };
}
