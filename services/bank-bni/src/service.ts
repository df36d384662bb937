import { BANK_CODES, createTokenCache, deriveRequestId, resolveEndpoint, UPPER_ALPHANUMERIC, type BankAdapter } from "@gerbang/shared";
import { createBniApi, fetchBniToken, type BniCredentials } from "./bank-api";
import { mapStatusAnswer, mapTransferAnswer } from "./mapping";

export interface BniAdapterDeps {
  credentials: BniCredentials;
  /** `{{hostBNI}}` value, e.g. http://127.0.0.1:7002. */
  host: string;
  /** Budget of one token request. */
  timeoutMs: number;
}

/** The route variable BNI's endpoints use. */
export const HOST_VARIABLE = "hostBNI";

/**
 * BNI behind the shared skeleton: requestUuid = 16 characters [0-9A-Z] derived from
 * (reference, attempt); in-house and interbank transfers; status by requestedUuid.
 */
export function createBniAdapter(deps: BniAdapterDeps): BankAdapter {
  const origin = resolveEndpoint(`https://{{${HOST_VARIABLE}}}/`, { [HOST_VARIABLE]: deps.host });
  const tokens = createTokenCache({ fetchToken: (signal) => fetchBniToken(origin, deps.credentials, signal), fetchTimeoutMs: deps.timeoutMs });
  const api = createBniApi(deps.credentials, tokens);
  return {
    bank: "bni",
    bankCode: BANK_CODES.bni,
    usages: ["TRANSFER", "TRANSFER_INTERBANK"],
    // 36^16 ids: derived ids never collide in practice, so nothing needs to be stored.
    requestId: ({ referenceNumber, attempt }) => Promise.resolve(deriveRequestId(referenceNumber, attempt, UPPER_ALPHANUMERIC, 16)),
    transfer: async (input, ctx) => mapTransferAnswer(await api.transfer(input, ctx), input),
    status: async (input, ctx) => mapStatusAnswer(await api.status(ctx), input),
  };
}
