import { BANK_CODES, jakartaDate, jakartaDaysBefore } from "@gerbang/shared";
import { formatBcaAmount, parseBcaAmount } from "../core/amount";
import type { BankApi, SandboxContext } from "../core/context";
import { ACCOUNT, DATE, fieldReader, objectField, upTo, type FieldError } from "../core/fields";
import { fail, hasContentType, parseJson, type Exchange } from "../core/http";
import { dailyKey, type TransferOrder } from "../core/ledger";
import { pickFault, serveStatus, serveTransfer, serveWithFault, type TransferReplies } from "../core/serve";
import { createTokenStore } from "../core/tokens";
import type { BcaCredentials } from "../credentials";
import { bcaToken, verifyBcaCall, verifyBcaChannel } from "./auth";
import { bcaErrors, bcaRefusalCode, esb, type EsbCode } from "./errors";
import { bcaStatusReply } from "./status";

/** Days BCA's status inquiry looks back (bank-apis.md 2.2; the BCA service's INQUIRY_WINDOW_DAYS). */
const INQUIRY_WINDOW_DAYS = 31;

/** BCA's code for a malformed field; a missing one is always ESB-82-001. */
const INVALID: Record<string, EsbCode> = {
  CorporateID: "ESB-82-002", SourceAccountNumber: "ESB-82-008", TransactionID: "ESB-82-010", TransactionDate: "ESB-82-004",
  CurrencyCode: "ESB-82-009", Amount: "ESB-82-011", BeneficiaryAccountNumber: "ESB-82-014",
};
const fieldError: FieldError = (field, problem, rule) =>
  problem === "missing" ? esb("ESB-82-001", field) : esb(INVALID[field] ?? "ESB-82-012", `${field} must be ${rule}`);

const TRANSACTION_ID = /^\d{8}$/;

/** BCA legacy corporate API (README "BCA"): OAuth token, fund transfer, transfer status. */
export function createBcaApi(ctx: SandboxContext, creds: BcaCredentials): BankApi {
  const tokens = createTokenStore(ctx.tokenTtlSeconds, ctx.now);

  const replies: TransferReplies = {
    booked: (entry, order) => ({
      status: 200,
      body: {
        TransactionID: entry.requestId, TransactionDate: order.echo.TransactionDate,
        ReferenceID: order.echo.ReferenceID, Status: "Success", PPUNumber: entry.journalNo,
      },
    }),
    refused: (refusal) => esb(bcaRefusalCode(refusal)),
    duplicate: (existing) => esb("ESB-82-003", `TransactionID ${existing.order.requestId}; check the transfer status`),
  };

  const transfer = async (ex: Exchange) => {
    verifyBcaCall(ex, ctx, tokens, creds);
    if (!hasContentType(ex.req, "application/json")) fail(bcaErrors.contentType());
    const parsed = parseJson(ex.body);
    if (parsed === undefined) fail(bcaErrors.invalidJson());
    const f = fieldReader(objectField(parsed.value, "body", fieldError), fieldError);
    const corporateId = f.required("CorporateID", upTo(10), "at most 10 characters");
    const source = f.required("SourceAccountNumber", ACCOUNT, "digits");
    const transactionId = f.required("TransactionID", TRANSACTION_ID, "8 digits");
    const transactionDate = f.required("TransactionDate", DATE, "yyyy-MM-dd");
    const referenceId = f.required("ReferenceID", upTo(15), "at most 15 characters");
    f.required("CurrencyCode", /^IDR$/, "IDR");
    const amountText = f.required("Amount", /^[\d.]+$/, "decimal 13.2 of whole rupiah, e.g. 100000.00");
    const beneficiary = f.required("BeneficiaryAccountNumber", ACCOUNT, "digits");
    f.optional("Remark1", upTo(18), "at most 18 characters");
    f.optional("Remark2", upTo(18), "at most 18 characters");
    if (corporateId !== creds.corporateId) fail(esb("ESB-82-002"));
    // TransactionID is unique per day in UTC+7, so the date must be today there.
    if (transactionDate !== jakartaDate(ctx.now())) fail(esb("ESB-82-004", "TransactionDate must be today (UTC+7)"));
    const amount = parseBcaAmount(amountText) ?? fail(fieldError("Amount", "invalid", "decimal 13.2 of whole rupiah greater than 0"));
    const order: TransferOrder = {
      key: dailyKey(transactionDate, transactionId), requestId: transactionId, kind: "INTRABANK",
      sourceAccountNumber: source, beneficiaryAccountNumber: beneficiary, beneficiaryBankCode: BANK_CODES.bca, amount,
      echo: { TransactionDate: transactionDate, ReferenceID: referenceId },
    };
    ex.log.amount = formatBcaAmount(amount);
    await serveTransfer(ex, ctx, bcaErrors, order, replies);
  };

  const status = async (ex: Exchange, [transactionId = ""]: string[]) => {
    verifyBcaCall(ex, ctx, tokens, creds);
    verifyBcaChannel(ex, creds);
    if (!TRANSACTION_ID.test(transactionId)) fail(esb("ESB-82-010", "TransactionID must be 8 digits"));
    const transactionDate = ex.query.get("TransactionDate");
    if (transactionDate === null || transactionDate === "") fail(esb("ESB-82-001", "TransactionDate"));
    if (!DATE.test(transactionDate)) fail(esb("ESB-82-004", "TransactionDate must be yyyy-MM-dd"));
    const transferType = ex.query.get("TransferType");
    if (transferType === null || transferType === "") fail(esb("ESB-82-001", "TransferType"));
    if (transferType !== "BCA") fail(esb("ESB-14-004", "TransferType must be BCA"));
    ex.log.requestId = transactionId;
    // BCA's inquiry looks back 31 days (bank-apis.md 2.2); what it answers about an older date is
    // not published: (ours) "not found", booked or not, the answer a client must not trust.
    if (transactionDate < jakartaDaysBefore(ctx.now(), INQUIRY_WINDOW_DAYS)) fail(esb("ESB-82-027", `TransactionDate is more than ${INQUIRY_WINDOW_DAYS} days back`));
    await serveStatus(ex, ctx, bcaErrors, dailyKey(transactionDate, transactionId), (record) => bcaStatusReply(record, transactionId, transactionDate));
  };

  return {
    errors: bcaErrors,
    routes: [
      {
        method: "POST", path: "/api/oauth/token",
        handle: async (ex) => {
          const main = bcaToken(ex, tokens, creds);
          await serveWithFault(ex, ctx, bcaErrors, pickFault(ex, ctx, bcaErrors, "token"), { main });
        },
      },
      { method: "POST", path: "/banking/corporates/transfers", handle: transfer },
      { method: "GET", path: /^\/banking\/corporates\/transfers\/status\/([^/]+)$/, handle: status },
    ],
  };
}
