import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import {
  BankTransferServiceClient,
  type BankTransferServiceTransferRequest,
  type BankTransferServiceTransferResponse,
  type GetTransferStatusRequest,
  type GetTransferStatusResponse,
} from "@gerbang/gen/ts-proto/payment/v1/bank";
import { signServiceToken, statusBinding, transferBinding, type ServiceTokenBinding } from "../../service-token";

/** The answer of one call as tests look at it: a response, or the gRPC error's code and message. */
export type CallResult<T> = { ok: true; response: T } | { ok: false; code: number; details: string };

export interface CallOptions {
  /** The authorization header; default: a valid service token for the request's (reference, attempt). */
  authorization?: string | null;
  /** Milliseconds until the call's deadline. */
  deadlineMs?: number;
}

/**
 * The gateway's side of the mesh for tests: the generated ts-proto grpc-js client with a real
 * service token (HS256 with the partner's key, aud = bank code, bound to the RPC, reference,
 * attempt and, for Transfer, its money fields).
 */
export function createBankCaller(port: number, keyToken: string, bankCode: string) {
  const client = new BankTransferServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadataFor = (binding: ServiceTokenBinding, options: CallOptions) => {
    const metadata = new Metadata();
    const value = options.authorization === undefined ? `Bearer ${signServiceToken(keyToken, bankCode, binding)}` : options.authorization;
    if (value !== null) metadata.set("authorization", value);
    return metadata;
  };
  const settle = <T>(resolve: (result: CallResult<T>) => void) => (error: ServiceError | null, response: T) => {
    if (error === null) resolve({ ok: true, response });
    else resolve({ ok: false, code: error.code, details: error.details });
  };
  return {
    transfer: (request: BankTransferServiceTransferRequest, options: CallOptions = {}) =>
      new Promise<CallResult<BankTransferServiceTransferResponse>>((resolve) => {
        client.transfer(request, metadataFor(transferBinding(request), options), { deadline: Date.now() + (options.deadlineMs ?? 20_000) }, settle(resolve));
      }),
    status: (request: GetTransferStatusRequest, options: CallOptions = {}) =>
      new Promise<CallResult<GetTransferStatusResponse>>((resolve) => {
        client.getTransferStatus(request, metadataFor(statusBinding(request), options), { deadline: Date.now() + (options.deadlineMs ?? 20_000) }, settle(resolve));
      }),
    close: () => { client.close(); },
  };
}
