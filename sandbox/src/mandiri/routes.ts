import { parseWholeRupiah } from "../core/amount";
import type { BankApi, SandboxContext } from "../core/context";
import { ACCOUNT, DATE, fieldReader, objectField, UUID16, upTo, type FieldError } from "../core/fields";
import { fail, hasContentType, parseJson, type Exchange, type Reply } from "../core/http";
import { dailyKey, type RequestRecord, type TransferOrder } from "../core/ledger";
import { pickFault, serveStatus, serveTransfer, serveWithFault, type TransferReplies } from "../core/serve";
import type { MandiriCredentials } from "../credentials";
import { createMandiriTokens } from "./auth";
import { mandiriErrors, mandiriRefusal, mandiriReply } from "./errors";

const fieldError: FieldError = (field, problem, rule) =>
  mandiriErrors.invalidRequest(problem === "missing" ? `${field} is required` : `${field} must be ${rule}`);

/** Bank codes that mean "Mandiri itself" (the paper's 800 and Bank Indonesia's 008). */
const MANDIRI_CODES = new Set(["800", "008"]);

/** Mandiri doPayment, our proposal (README "Mandiri"): gateway JWT, doPayment, inquiryStatus. */
export function createMandiriApi(ctx: SandboxContext, creds: MandiriCredentials): BankApi {
  const tokens = createMandiriTokens(ctx, creds);

  /** Bearer JWT, content type, JSON, the "Request" wrapper. */
  const open = (ex: Exchange) => {
    tokens.verify(ex);
    if (!hasContentType(ex.req, "application/json")) fail(mandiriErrors.contentType());
    const parsed = parseJson(ex.body);
    if (parsed === undefined) fail(mandiriErrors.invalidJson());
    const request = objectField(objectField(parsed.value, "body", fieldError).Request, "Request", fieldError);
    return fieldReader(request, fieldError);
  };

  const replies: TransferReplies = {
    booked: (entry, order) =>
      mandiriReply(200, "00", "Success", { transactionID: entry.requestId, referenceID: order.echo.referenceID, journalNo: entry.journalNo }),
    refused: (refusal, order) => {
      const r = mandiriRefusal(refusal);
      return mandiriReply(200, r.code, r.message, { transactionID: order.requestId, referenceID: order.echo.referenceID });
    },
    duplicate: (existing: RequestRecord) =>
      mandiriReply(409, "94", `Duplicate transaction: transactionID ${existing.order.requestId} was already used; ask inquiryStatus`),
  };

  const doPayment = async (ex: Exchange) => {
    const f = open(ex);
    const transactionId = f.required("transactionID", UUID16, "16 characters [0-9A-Z]");
    const transactionDate = f.required("transactionDate", DATE, "yyyy-MM-dd");
    const referenceId = f.optional("referenceID", upTo(64), "at most 64 characters") ?? "";
    const source = f.required("sourceAccountNumber", ACCOUNT, "digits");
    const beneficiary = f.required("beneficiaryAccountNumber", ACCOUNT, "digits");
    const bankCode = f.optional("beneficiaryBankCode", /^\d{3}$/, "3 digits") ?? "800";
    const amountText = f.required("amount", /^\d+$/, "whole rupiah digits greater than 0");
    f.required("currency", /^IDR$/, "IDR");
    f.optional("remark1", upTo(50), "at most 50 characters");
    f.optional("remark2", upTo(50), "at most 50 characters");
    const amount = parseWholeRupiah(amountText) ?? fail(fieldError("amount", "invalid", "whole rupiah digits greater than 0"));
    const intrabank = MANDIRI_CODES.has(bankCode);
    const order: TransferOrder = {
      // Unique per day, as the proposal has it (bank-apis.md 4): the same id on another transactionDate is another payment.
      key: dailyKey(transactionDate, transactionId), requestId: transactionId, kind: intrabank ? "INTRABANK" : "INTERBANK",
      sourceAccountNumber: source, beneficiaryAccountNumber: beneficiary, beneficiaryBankCode: intrabank ? "800" : bankCode, amount,
      echo: { transactionDate, referenceID: referenceId },
    };
    await serveTransfer(ex, ctx, mandiriErrors, order, replies);
  };

  const inquiry = async (ex: Exchange) => {
    const f = open(ex);
    const transactionId = f.required("transactionID", UUID16, "16 characters [0-9A-Z]");
    const transactionDate = f.required("transactionDate", DATE, "yyyy-MM-dd");
    ex.log.requestId = transactionId;
    const reply = (record: RequestRecord | undefined): Reply => {
      if (record === undefined) return mandiriReply(404, "25", "Unable to locate record");
      const { outcome } = record;
      const base = { transactionID: transactionId };
      switch (outcome.state) {
        case "BOOKED":
          return mandiriReply(200, "00", "Success", { ...base, transactionStatus: "SUCCESS", journalNo: outcome.entry.journalNo, reasonCode: "00", reasonMessage: "Success" });
        case "REFUSED": {
          const r = mandiriRefusal(outcome.refusal);
          return mandiriReply(200, "00", "Success", { ...base, transactionStatus: "FAILED", journalNo: "", reasonCode: r.code, reasonMessage: r.message });
        }
        case "PENDING":
          return mandiriReply(200, "00", "Success", { ...base, transactionStatus: "PENDING", journalNo: "", reasonCode: "", reasonMessage: "In progress" });
      }
    };
    await serveStatus(ex, ctx, mandiriErrors, dailyKey(transactionDate, transactionId), reply);
  };

  return {
    errors: mandiriErrors,
    routes: [
      {
        method: "GET", path: "/rest/pub/apigateway/jwt/getJsonWebToken",
        handle: async (ex) => {
          const main = tokens.issue(ex);
          await serveWithFault(ex, ctx, mandiriErrors, pickFault(ex, ctx, mandiriErrors, "token"), { main });
        },
      },
      { method: "POST", path: "/gateway/TbwPayment/1.0/doPayment", handle: doPayment },
      { method: "POST", path: "/gateway/TbwPayment/1.0/inquiryStatus", handle: inquiry },
    ],
  };
}
