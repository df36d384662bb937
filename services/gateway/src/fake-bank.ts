import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import {
  BankTransferServiceService, BankTransferStatus,
  type BankTransferServiceServer, type BankTransferServiceTransferRequest, type BankTransferServiceTransferResponse,
  type GetTransferStatusRequest, type GetTransferStatusResponse,
} from "@gerbang/gen/ts-proto/payment/v1/bank";
import { verifyServiceToken } from "@gerbang/shared";

/** What the fake bank does with the next transfers. */
export type FakeBankMode = "SUCCESS" | "FAILED" | "PENDING" | "hang" | "not-sent" | "internal";

export interface FakeBank {
  readonly bankCode: string;
  readonly port: number;
  /** Every Transfer request that passed the token check, in arrival order. */
  readonly calls: BankTransferServiceTransferRequest[];
  /** Transfer calls refused for a bad service token. */
  readonly refusedTokens: number;
  setMode(mode: FakeBankMode, delayMs?: number): void;
  stop(): Promise<void>;
}

/**
 * A bank service for tests: the generated BankTransferServiceServer, served by grpc-js on a
 * loopback port of its own, checking the gateway's service token exactly as a real bank service
 * does, counting calls and answering as told.
 */
export async function startFakeBank(bankCode: string, keyToken: string): Promise<FakeBank> {
  const calls: BankTransferServiceTransferRequest[] = [];
  let refusedTokens = 0;
  let mode: FakeBankMode = "SUCCESS";
  let delayMs = 0;
  const hanging = new Set<() => void>();
  const impl: BankTransferServiceServer = {
    transfer: (call: ServerUnaryCall<BankTransferServiceTransferRequest, BankTransferServiceTransferResponse>, callback: sendUnaryData<BankTransferServiceTransferResponse>) => {
      const token = /^Bearer (.+)$/.exec(String(call.metadata.get("authorization")[0] ?? ""))?.[1] ?? "";
      try {
        verifyServiceToken(token, keyToken, bankCode, { referenceNumber: call.request.referenceNumber, attempt: call.request.attempt });
      } catch {
        refusedTokens++;
        callback({ code: status.UNAUTHENTICATED, details: "bad service token" });
        return;
      }
      calls.push(call.request);
      const answer = () => {
        const bankRequestId = `${call.request.referenceNumber}-${call.request.attempt}`;
        const reply = (s: BankTransferStatus, code: string, message: string) => {
          callback(null, { status: s, bankReference: s === BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS ? `J${calls.length}` : "", bankCode: code, bankMessage: message, bankRequestId });
        };
        switch (mode) {
          case "SUCCESS": reply(BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS, "00", "Success"); return;
          case "FAILED": reply(BankTransferStatus.BANK_TRANSFER_STATUS_FAILED, "51", "Insufficient funds"); return;
          case "PENDING": reply(BankTransferStatus.BANK_TRANSFER_STATUS_PENDING, "02", "In progress"); return;
          case "not-sent": callback({ code: status.UNAVAILABLE, details: "bank token endpoint down: not sent" }); return;
          case "internal": callback({ code: status.INTERNAL, details: "boom after sending" }); return;
          // Never answers; the gateway's deadline ends the call. Released on stop().
          case "hang": hanging.add(() => { callback({ code: status.UNAVAILABLE, details: "stopped" }); }); return;
        }
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    },
    getTransferStatus: (_call: ServerUnaryCall<GetTransferStatusRequest, GetTransferStatusResponse>, callback: sendUnaryData<GetTransferStatusResponse>) => {
      callback({ code: status.UNIMPLEMENTED, details: "the fake bank answers Transfer only" });
    },
  };
  const server = new Server();
  server.addService(BankTransferServiceService, impl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => { if (error === null) resolve(bound); else reject(error); });
  });
  return {
    bankCode, port, calls,
    get refusedTokens() { return refusedTokens; },
    setMode: (next, delay = 0) => { mode = next; delayMs = delay; },
    stop: () => new Promise<void>((resolve) => {
      for (const release of hanging) release();
      server.tryShutdown(() => { resolve(); });
    }),
  };
}
