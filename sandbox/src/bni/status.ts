import type { SandboxContext } from "../core/context";
import type { Reply } from "../core/http";
import type { RequestRecord } from "../core/ledger";
import { bniError, bniRefusal, bniSuccess, BNI_SUCCESS } from "./errors";

/**
 * POST /p2pl/inquiry/payment/status answers from the ledger (ours): transactionStatus Y booked,
 * N refused, P in progress. A booked request is Y even if the transfer call answered 5xx or the
 * connection was reset, which is what lets a bank service resolve an ambiguous attempt.
 */
export function bniStatusReply(ctx: SandboxContext, record: RequestRecord | undefined): Reply {
  if (record === undefined) return bniError(404, "0404", "Transaction not found", "requestedUuid not found");
  const { outcome, order } = record;
  const amount = order.amount.toString();
  switch (outcome.state) {
    case "BOOKED":
      return bniSuccess(ctx.now(), {
        previousResponse: {
          transactionStatus: "Y", previousResponseCode: BNI_SUCCESS.responseCode,
          previousResponseMessage: BNI_SUCCESS.responseMessage, journalNum: outcome.entry.journalNo, amount,
        },
      });
    case "REFUSED": {
      const r = bniRefusal(outcome.refusal);
      return bniSuccess(ctx.now(), {
        previousResponse: { transactionStatus: "N", previousResponseCode: r.code, previousResponseMessage: r.message, journalNum: "", amount },
      });
    }
    case "PENDING":
      return bniSuccess(ctx.now(), {
        previousResponse: { transactionStatus: "P", previousResponseCode: "", previousResponseMessage: "In progress", journalNum: "", amount },
      });
  }
}
