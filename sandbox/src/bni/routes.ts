import { BANK_CODES } from "@gerbang/shared";
import { parseWholeRupiah } from "../core/amount";
import type { BankApi, SandboxContext } from "../core/context";
import { ACCOUNT, fieldReader, objectField, UUID16, upTo, type FieldError } from "../core/fields";
import { fail, hasContentType, parseJson, type Exchange } from "../core/http";
import type { RequestRecord, TransferOrder } from "../core/ledger";
import { pickFault, serveStatus, serveTransfer, serveWithFault, type TransferReplies } from "../core/serve";
import { createTokenStore } from "../core/tokens";
import type { BniCredentials } from "../credentials";
import { bniToken, verifyBniCall, verifyBniSignature } from "./auth";
import { bniError, bniErrors, bniRefusal, bniSuccess } from "./errors";
import { bniStatusReply } from "./status";

const fieldError: FieldError = (field, problem, rule) =>
  bniErrors.invalidRequest(problem === "missing" ? `${field} is required` : `${field} must be ${rule}`);

/** BNI p2pl v1 (README "BNI"): OAuth token, in-house and interbank transfer, status inquiry. */
export function createBniApi(ctx: SandboxContext, creds: BniCredentials): BankApi {
  const tokens = createTokenStore(ctx.tokenTtlSeconds, ctx.now);

  /** Auth, content type, JSON, signature, envelope header; returns the fields of `request`. */
  const open = (ex: Exchange) => {
    verifyBniCall(ex, ctx, tokens, creds);
    if (!hasContentType(ex.req, "application/json")) fail(bniErrors.contentType());
    const parsed = parseJson(ex.body);
    if (parsed === undefined) fail(bniErrors.invalidJson());
    verifyBniSignature(parsed.value, creds.apiSecret);
    const request = objectField((parsed.value as { request?: unknown }).request, "request", fieldError);
    const head = fieldReader(objectField(request.header, "request.header", fieldError), fieldError);
    if (head.required("companyId", upTo(40), "at most 40 characters") !== creds.companyId) {
      fail(bniErrors.invalidRequest("companyId is not registered for this client"));
    }
    head.optional("parentCompanyId", upTo(40), "at most 40 characters");
    const requestUuid = head.required("requestUuid", UUID16, "16 characters [0-9A-Z]");
    ex.log.requestUuid = requestUuid;
    return { requestUuid, fields: fieldReader(request, fieldError) };
  };

  const amountOf = (text: string): bigint => parseWholeRupiah(text) ?? fail(fieldError("amount", "invalid", "whole rupiah digits greater than 0"));

  const replies: TransferReplies = {
    booked: (entry) =>
      bniSuccess(ctx.now(), {
        journalNum: entry.journalNo, accountNumber: entry.sourceAccountNumber,
        beneficiaryAccountNumber: entry.beneficiaryAccountNumber, amount: entry.amount.toString(),
      }),
    refused: (refusal) => {
      const r = bniRefusal(refusal);
      return bniError(200, r.code, r.message, r.detail);
    },
    duplicate: (existing: RequestRecord) =>
      bniError(409, "0116", "Duplicate requestUuid", `requestUuid ${existing.order.requestId} was already used; ask /p2pl/inquiry/payment/status`),
  };

  const transfer = (kind: TransferOrder["kind"]) => async (ex: Exchange) => {
    const { requestUuid, fields } = open(ex);
    const accountNumber = fields.required("accountNumber", ACCOUNT, "digits");
    const beneficiaryAccountNumber = fields.required("beneficiaryAccountNumber", ACCOUNT, "digits");
    let beneficiaryBankCode: string = BANK_CODES.bni;
    if (kind === "INTRABANK") {
      fields.required("currency", /^IDR$/, "IDR");
      fields.optional("remark", upTo(50), "at most 50 characters");
    } else {
      fields.required("beneficiaryAccountName", upTo(100), "at most 100 characters");
      beneficiaryBankCode = fields.required("beneficiaryBankCode", /^\d{3}$/, "3 digits");
      fields.optional("beneficiaryBankName", upTo(100), "at most 100 characters");
      if (beneficiaryBankCode === BANK_CODES.bni) fail(bniErrors.invalidRequest("beneficiaryBankCode 009 is BNI: use /p2pl/payment/transfer"));
    }
    const amount = amountOf(fields.required("amount", /^\d+$/, "whole rupiah digits greater than 0"));
    const order: TransferOrder = {
      key: requestUuid, requestId: requestUuid, kind, sourceAccountNumber: accountNumber,
      beneficiaryAccountNumber, beneficiaryBankCode, amount, echo: {},
    };
    await serveTransfer(ex, ctx, bniErrors, order, replies);
  };

  return {
    errors: bniErrors,
    routes: [
      {
        method: "POST", path: "/api/oauth/token",
        handle: async (ex) => {
          const main = bniToken(ex, ctx, tokens, creds);
          await serveWithFault(ex, ctx, bniErrors, pickFault(ex, ctx, bniErrors, "token"), { main });
        },
      },
      { method: "POST", path: "/p2pl/payment/transfer", handle: transfer("INTRABANK") },
      { method: "POST", path: "/p2pl/payment/interbank", handle: transfer("INTERBANK") },
      {
        method: "POST", path: "/p2pl/inquiry/payment/status",
        handle: async (ex) => {
          const { fields } = open(ex);
          const requestedUuid = fields.required("requestedUuid", UUID16, "16 characters [0-9A-Z]");
          ex.log.requestId = requestedUuid;
          await serveStatus(ex, ctx, bniErrors, requestedUuid, (record) => bniStatusReply(ctx, record));
        },
      },
    ],
  };
}
