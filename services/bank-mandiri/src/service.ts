import { BANK_CODES, createTokenCache, deriveRequestId, resolveEndpoint, UPPER_ALPHANUMERIC, type BankAdapter } from "@gerbang/shared";
import { createMandiriApi, fetchMandiriToken, type MandiriCredentials } from "./bank-api";
import { mapStatusAnswer, mapTransferAnswer } from "./mapping";

export interface MandiriAdapterDeps {
  credentials: MandiriCredentials;
  /** `{{hostMandiri}}` value, e.g. http://127.0.0.1:7003. */
  host: string;
  /** Budget of one token request. */
  timeoutMs: number;
}

/** The route variable Mandiri's endpoints use. */
export const HOST_VARIABLE = "hostMandiri";

/**
 * Mandiri behind the shared skeleton: transactionID = 16 characters [0-9A-Z] derived from
 * (reference, attempt); doPayment carries the beneficiary bank code, so it can take both route
 * usages (the routes table decides which exist); status by transactionID and date.
 */
export function createMandiriAdapter(deps: MandiriAdapterDeps): BankAdapter {
  const origin = resolveEndpoint(`https://{{${HOST_VARIABLE}}}/`, { [HOST_VARIABLE]: deps.host });
  const tokens = createTokenCache({ fetchToken: (signal) => fetchMandiriToken(origin, deps.credentials, signal), fetchTimeoutMs: deps.timeoutMs });
  const api = createMandiriApi(tokens, BANK_CODES.mandiri);
  return {
    bank: "mandiri",
    bankCode: BANK_CODES.mandiri,
    usages: ["TRANSFER", "TRANSFER_INTERBANK"],
    // 36^16 ids: derived ids never collide in practice, so nothing needs to be stored.
    requestId: ({ referenceNumber, attempt }) => Promise.resolve(deriveRequestId(referenceNumber, attempt, UPPER_ALPHANUMERIC, 16)),
    transfer: async (input, ctx) => mapTransferAnswer(await api.transfer(input, ctx), ctx),
    status: async (input, ctx) => mapStatusAnswer(await api.status(input.transactionDate, ctx), ctx),
  };
}
