import type { Partner } from "@gerbang/shared";
import type { RegisteredClient } from "./registry";
import type { ChosenRoute, RoutingTables } from "./routing";
import type { EscrowAccount } from "./client-store";

export interface FallbackChoice {
  route: ChosenRoute;
  escrow: EscrowAccount;
}

/**
 * Fallback routing: the first partner's service could not be reached and provably nothing was
 * sent (refused connection, breaker open, UNAVAILABLE "not sent"), so the transfer may go as
 * TRANSFER_INTERBANK through another partner instead. Only for apps that opted in
 * (`fallbackRouting: true`), only once per transfer after such a refusal of an attempt that never
 * left (rerouteUnreachable checks that), and only to a partner with an interbank route and an escrow of the app: the one with the
 * smallest priority number, as the paper's own interbank rule picks. Returns the reason there is
 * none otherwise.
 */
export function chooseFallback(
  tables: RoutingTables, client: RegisteredClient, failed: Pick<ChosenRoute, "bankCode" | "beneficiaryBankName">, transfer: { beneficiaryBankCode: string; beneficiaryAccountName: string },
): FallbackChoice | { none: string } {
  if (client.fallbackRouting !== true) return { none: `client ${client.clientId} has fallback routing off` };
  if (transfer.beneficiaryAccountName.trim() === "") return { none: "an interbank fallback needs the beneficiary's name" };
  const hasInterbank = (p: Partner) => tables.routes.some((r) => r.bankCode === p.bankCode && r.usage === "TRANSFER_INTERBANK");
  const isDestination = (p: Partner) => p.bankCode === transfer.beneficiaryBankCode || p.aliases.includes(transfer.beneficiaryBankCode);
  const candidates = tables.partners
    .filter((p) => p.bankCode !== failed.bankCode && !isDestination(p) && hasInterbank(p))
    .sort((a, b) => a.priority - b.priority);
  for (const partner of candidates) {
    const escrow = client.escrowAccounts.find((e) => e.bankCode === partner.bankCode);
    if (escrow === undefined) continue;
    return {
      escrow,
      route: {
        partner, bankCode: partner.bankCode, usage: "TRANSFER_INTERBANK", beneficiaryBankName: failed.beneficiaryBankName,
        reason: `fallback: partner ${failed.bankCode} unreachable before anything was sent; interbank through ${partner.bankCode} (priority ${partner.priority})`,
      },
    };
  }
  return { none: `no other partner with a TRANSFER_INTERBANK route and an escrow of client ${client.clientId}` };
}
