import { create } from "@bufbuild/protobuf";
import { TransferSchema, type Transfer } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { STATUS } from "./errors";
import { publicStatus } from "./transfer-states";
import type { TransferRecord } from "./transfer-store";

/** The paper's statusCode and message for a recorded transfer. */
export function statusOf(record: TransferRecord): { statusCode: string; message: string } {
  switch (publicStatus(record.state)) {
    case "SUCCESS": return STATUS.success;
    case "PENDING": return STATUS.pending;
    case "FAILED":
      // A person's decision is neither the bank's decline nor a proven "not sent".
      if (record.settledBy !== undefined) return STATUS.settledFailed;
      return record.attempts.at(-1)?.outcome === "NOT_SENT" ? STATUS.notSent : STATUS.declined;
  }
}

/** The transfer as an app sees it: public status only, no internal states, leases or attempts. */
export function toTransferMessage(record: TransferRecord): Transfer {
  return create(TransferSchema, {
    referenceNumber: record.referenceNumber,
    clientReferenceNo: record.clientReferenceNo,
    status: publicStatus(record.state),
    bankCode: record.route.bankCode,
    usage: record.route.usage,
    accountNumber: record.sourceAccountNumber,
    accountName: record.sourceAccountName,
    beneficiaryBankCode: record.beneficiaryBankCode,
    beneficiaryAccountNumber: record.beneficiaryAccountNumber,
    beneficiaryAccountName: record.beneficiaryAccountName,
    amount: record.amount,
    currency: record.currency,
    remark: record.remark,
    bankReference: record.bankReference,
    bankResponseCode: record.bankResponseCode,
    bankResponseMessage: record.bankResponseMessage,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  });
}
