import { formatBcaAmount } from "../core/amount";
import type { Reply } from "../core/http";
import type { RequestRecord } from "../core/ledger";
import { bcaRefusalCode, esb, esbReason } from "./errors";

/**
 * GET /banking/corporates/transfers/status/{TransactionID} answers from the ledger. BCA publishes
 * no StatusCode values for this legacy inquiry, so the sandbox takes them from BCA's own SNAP
 * status table (bank-apis.md 1.9, latestTransactionStatus): "00" success (booked), "06" failed
 * (Reason says why), "03" pending (in progress). "01" there means *initiated*, not rejected. A
 * booked transfer is "00" even when the transfer call itself answered 5xx or was reset.
 */
export function bcaStatusReply(record: RequestRecord | undefined, transactionId: string, transactionDate: string): Reply {
  if (record === undefined) return esb("ESB-82-027", `TransactionID ${transactionId} on ${transactionDate}`);
  const { order, outcome } = record;
  const base = {
    TransactionID: order.requestId, TransactionDate: transactionDate, TransferType: "BCA",
    SourceAccountNumber: order.sourceAccountNumber, BeneficiaryAccountNumber: order.beneficiaryAccountNumber,
    CurrencyCode: "IDR", Amount: formatBcaAmount(order.amount),
  };
  switch (outcome.state) {
    case "BOOKED":
      return { status: 200, body: { ...base, StatusCode: "00", Reason: { English: "Success", Indonesian: "Berhasil" }, PPUNumber: outcome.entry.journalNo } };
    case "REFUSED":
      return { status: 200, body: { ...base, StatusCode: "06", Reason: esbReason(bcaRefusalCode(outcome.refusal)), PPUNumber: "" } };
    case "PENDING":
      return { status: 200, body: { ...base, StatusCode: "03", Reason: { English: "In progress", Indonesian: "Sedang diproses" }, PPUNumber: "" } };
  }
}
