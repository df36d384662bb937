import { MAX_BANK_NAME_LENGTH, type Partner, type Route } from "@gerbang/shared";
import type { DirectoryBank } from "./bank-directory-store";
import { GatewayError } from "./errors";
import type { RouteDecision } from "./transfer-store";

export interface RoutingTables {
  partners: readonly Partner[];
  routes: readonly Route[];
  directory: ReadonlyMap<string, DirectoryBank>;
}

export interface ChosenRoute extends RouteDecision {
  partner: Partner;
  /** The destination bank's name (from the directory or the partner), for banks that need it. */
  beneficiaryBankName: string;
}

/**
 * The paper's routing. A partner's own code (or an alias, e.g. 008 for Mandiri's 800) goes to
 * that partner as TRANSFER. Any other code that Bank Indonesia's directory knows goes, as
 * TRANSFER_INTERBANK, to the partner with the smallest priority number that has an interbank
 * route (interbank costs a fee, which is why direct partners come first). Anything else is refused
 * before a transfer is recorded.
 */
export function decideRoute(tables: RoutingTables, beneficiaryBankCode: string): ChosenRoute {
  const hasRoute = (bankCode: string, usage: Route["usage"]) => tables.routes.some((r) => r.bankCode === bankCode && r.usage === usage);
  const direct = tables.partners.find((p) => p.bankCode === beneficiaryBankCode || p.aliases.includes(beneficiaryBankCode));
  if (direct !== undefined) {
    if (!hasRoute(direct.bankCode, "TRANSFER")) {
      throw new GatewayError("NO_ROUTE", `partner ${direct.bankCode} has no TRANSFER route`);
    }
    const via = direct.bankCode === beneficiaryBankCode ? "its own code" : `alias ${beneficiaryBankCode}`;
    return {
      partner: direct, bankCode: direct.bankCode, usage: "TRANSFER",
      reason: `partner ${direct.bankCode} by ${via}`,
      beneficiaryBankName: carriedName(beneficiaryBankCode, tables.directory.get(beneficiaryBankCode)?.bankName ?? direct.bankName),
    };
  }
  const destination = tables.directory.get(beneficiaryBankCode);
  if (destination === undefined) throw new GatewayError("UNKNOWN_BANK", `unknown beneficiaryBankCode ${beneficiaryBankCode}`);
  const carrier = tables.partners
    .filter((p) => hasRoute(p.bankCode, "TRANSFER_INTERBANK"))
    .reduce<Partner | undefined>((best, p) => (best === undefined || p.priority < best.priority ? p : best), undefined);
  if (carrier === undefined) throw new GatewayError("NO_ROUTE", `no partner has a TRANSFER_INTERBANK route to reach ${beneficiaryBankCode}`);
  return {
    partner: carrier, bankCode: carrier.bankCode, usage: "TRANSFER_INTERBANK",
    reason: `${beneficiaryBankCode} is not a partner; interbank through ${carrier.bankCode}, the smallest priority (${carrier.priority}) with an interbank route`,
    beneficiaryBankName: carriedName(beneficiaryBankCode, destination.bankName),
  };
}

/**
 * The bank service refuses a longer name than the contract carries, after the transfer was
 * recorded: it would end FAILED for a reason the app cannot fix. Refused here, before anything is written.
 */
function carriedName(bankCode: string, bankName: string): string {
  if (bankName.length > MAX_BANK_NAME_LENGTH) {
    throw new GatewayError("NO_ROUTE", `the bank directory's name for ${bankCode} is longer than the ${MAX_BANK_NAME_LENGTH} characters a bank transfer carries; nothing recorded (an operator must shorten it)`);
  }
  return bankName;
}
