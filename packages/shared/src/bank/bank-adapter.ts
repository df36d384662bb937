import type { PartnerBank } from "../local-fixtures";
import type { Logger } from "../logger";
import type { RouteUsage } from "../registry-store";

/**
 * What a bank plugs into the shared skeleton. The skeleton does everything that is the same for
 * every bank (auth, validation, routes, deadlines, logging, gRPC); the adapter only speaks its
 * bank's API and maps the bank's answers.
 */

/** What the bank said about a transfer, reduced to our three outcomes. */
export type Outcome = "SUCCESS" | "FAILED" | "PENDING";
/**
 * Status inquiries can also learn that the bank never saw the request id (NOT_FOUND), or nothing at
 * all (UNKNOWN: the inquiry got no usable answer). PENDING from an inquiry means the bank knows the
 * attempt: the gateway takes it as proof the attempt reached the bank, so a failed inquiry is never PENDING.
 */
export type StatusOutcome = Outcome | "NOT_FOUND" | "UNKNOWN";
/** The route kinds a transfer can take (Table 2 usages, without the status inquiry). */
export type TransferRouteUsage = "TRANSFER" | "TRANSFER_INTERBANK";

/** A bank's answer in our terms, with the bank's own code and words kept for the record. */
export interface BankAnswer<S extends StatusOutcome = Outcome> {
  status: S;
  /** The bank's journal / booking reference, "" when it gave none. */
  bankReference: string;
  /** The bank's own code as sent ("0001", "ESB-82-019", ...), "" when there was no answer. */
  bankCode: string;
  /** The bank's own message, or ours saying why the outcome is unknown. */
  bankMessage: string;
}

/** A transfer request after validation: every field checked, currency settled. */
export interface TransferInput {
  referenceNumber: string;
  attempt: number;
  transactionDate: string;
  usage: TransferRouteUsage;
  sourceAccountNumber: string;
  sourceAccountName: string;
  beneficiaryBankCode: string;
  beneficiaryBankName: string;
  beneficiaryAccountNumber: string;
  beneficiaryAccountName: string;
  /** Whole rupiah, digits only, no leading zero. */
  amount: string;
  currency: "IDR";
  remark: string;
}

/** A status inquiry after validation; amount and accounts let a bank check the record is this transfer's. */
export interface StatusInput {
  referenceNumber: string;
  attempt: number;
  transactionDate: string;
  usage: TransferRouteUsage;
  amount: string;
  sourceAccountNumber: string;
  beneficiaryAccountNumber: string;
}

/** The bank endpoint a call goes to, read from the routes table with hosts resolved. */
export interface ResolvedRoute {
  method: "GET" | "POST";
  url: string;
}

/** One attempt of one transfer; its transactionDate is fixed when the attempt is made. */
export interface AttemptKey {
  referenceNumber: string;
  attempt: number;
  transactionDate: string;
}

/** Everything one outbound call needs besides the request itself. */
export interface BankCallContext {
  /** Aborts at the call's budget (config timeout or caller deadline minus a margin) or on cancel. */
  signal: AbortSignal;
  route: ResolvedRoute;
  /** The bank-side request id of this attempt (BankAdapter.requestId). */
  requestId: string;
  logger: Logger;
  /** Another route of this bank (e.g. the status inquiry after an ambiguous transfer answer); undefined when missing. */
  lookupRoute(usage: RouteUsage): ResolvedRoute | undefined;
}

export interface BankAdapter {
  /** Which sandbox/fixture bank this is. */
  readonly bank: PartnerBank;
  /** The partner's bank code (Table 1), also the `aud` of service tokens. */
  readonly bankCode: string;
  /** Route usages this bank's API can carry; a route row for another usage is not used. */
  readonly usages: readonly TransferRouteUsage[];
  /**
   * The bank-side request id of an attempt, the same on every call (send, resend, inquiry), so a
   * resend is a duplicate at the bank. Fixed on its first use, durably where the bank's id space is
   * small enough for two attempts to collide; called after auth and validation, before anything is sent.
   */
  requestId(key: AttemptKey): Promise<string>;
  /** Sends one attempt. Throws RefusedError only when nothing was sent; otherwise always answers. */
  transfer(input: TransferInput, ctx: BankCallContext): Promise<BankAnswer>;
  /** Asks the bank about an earlier attempt. */
  status(input: StatusInput, ctx: BankCallContext): Promise<BankAnswer<StatusOutcome>>;
  /** Stops what the adapter runs in the background (BCA's purge of old ids), before the database closes. */
  close?(): void;
}
