import { Server, ServerCredentials, status, type Metadata, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import {
  BankTransferServiceService, BankTransferStatus,
  type BankTransferServiceServer, type BankTransferServiceTransferRequest, type BankTransferServiceTransferResponse,
  type GetTransferStatusRequest, type GetTransferStatusResponse,
} from "@gerbang/gen/ts-proto/payment/v1/bank";
import { peekClaims, statusBinding, transferBinding, verifyServiceToken, type ServiceTokenBinding } from "@gerbang/shared";

/**
 * What the fake bank does with the next transfers: answer SUCCESS/FAILED/PENDING (and record it),
 * never answer ("hang", nothing recorded), book but never answer ("book-then-hang"), refuse before
 * sending ("not-sent"), fail after maybe sending ("internal"), or report a BCA id collision.
 */
export type FakeBankMode = "SUCCESS" | "FAILED" | "PENDING" | "hang" | "book-then-hang" | "not-sent" | "internal" | "collision";
/** How status inquiries are answered: from the fake's ledger, or refused, never answered, as a collision, or "the bank gave no usable answer". */
export type FakeStatusMode = "ledger" | "unavailable" | "hang" | "collision" | "unknown";

type Recorded = "SUCCESS" | "FAILED" | "PENDING";

export interface FakeBank {
  readonly bankCode: string;
  readonly port: number;
  /** Every Transfer request that passed the token check, in arrival order. */
  readonly calls: BankTransferServiceTransferRequest[];
  /** Every GetTransferStatus request that passed the token check. */
  readonly statusCalls: GetTransferStatusRequest[];
  /** Transfer calls refused for a bad service token. */
  readonly refusedTokens: number;
  /** When the service token of a call in `calls` expires, epoch seconds (it ends with the sender's lease). */
  tokenExpiresAt(call: BankTransferServiceTransferRequest): number | undefined;
  setMode(mode: FakeBankMode, delayMs?: number): void;
  /** How inquiries are answered from now on, after `delayMs` (an answer that takes its time). */
  setStatusMode(mode: FakeStatusMode, delayMs?: number): void;
  /**
   * Holds every inquiry's answer from now until the returned function is called; each is then
   * answered as the ledger and status mode are at that moment. For tests that act while an
   * inquiry is out, whatever the machine's speed (a delay would race them).
   */
  holdStatus(): () => void;
  /** What the fake's ledger holds for an attempt (undefined: never seen, NOT_FOUND). */
  recorded(referenceNumber: string, attempt: number): Recorded | undefined;
  /** Bookings (SUCCESS) of a transfer over all its attempts: more than 1 would be money moved twice. */
  bookings(referenceNumber: string): number;
  /** Changes what the ledger says about an attempt (the bank finishing a PENDING one). */
  settle(referenceNumber: string, attempt: number, outcome: Recorded): void;
  stop(): Promise<void>;
}

const S = {
  SUCCESS: BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS,
  FAILED: BankTransferStatus.BANK_TRANSFER_STATUS_FAILED,
  PENDING: BankTransferStatus.BANK_TRANSFER_STATUS_PENDING,
  NOT_FOUND: BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND,
  UNKNOWN: BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN,
};
const COLLISION = { bankCode: "ESB-82-003", bankMessage: "TransactionID 12345678 collides with another transfer booked at BCA today (amount or accounts differ); this transfer was not executed under it: manual review" };

/**
 * A bank service for tests: the generated BankTransferServiceServer, served by grpc-js on a
 * loopback port of its own, checking the gateway's service token exactly as a real bank service
 * does, with a ledger per (reference, attempt) that, like a real bank, never books the same
 * bank-side id twice (a repeat answers PENDING "duplicate", as BNI 0116 and Mandiri 94 do).
 */
export async function startFakeBank(bankCode: string, keyToken: string): Promise<FakeBank> {
  const calls: BankTransferServiceTransferRequest[] = [];
  const tokenExpiry = new WeakMap<BankTransferServiceTransferRequest, number>();
  const statusCalls: GetTransferStatusRequest[] = [];
  const ledger = new Map<string, Recorded>();
  const key = (reference: string, attempt: number) => `${reference}-${attempt}`;
  let refusedTokens = 0;
  let mode: FakeBankMode = "SUCCESS";
  let statusMode: FakeStatusMode = "ledger";
  let statusDelayMs = 0;
  let delayMs = 0;
  const hanging = new Set<() => void>();
  let heldStatus: (() => void)[] | undefined;
  const releaseStatus = () => {
    const held = heldStatus ?? [];
    heldStatus = undefined;
    for (const answer of held) answer();
  };
  const tokenOf = (metadata: Metadata) => /^Bearer (.+)$/.exec(String(metadata.get("authorization")[0] ?? ""))?.[1] ?? "";
  const authorized = (metadata: Metadata, binding: ServiceTokenBinding) => {
    const token = tokenOf(metadata);
    try {
      verifyServiceToken(token, keyToken, bankCode, binding);
      return true;
    } catch {
      return false;
    }
  };
  const hang = (callback: (error: { code: status; details: string }) => void) => {
    hanging.add(() => { callback({ code: status.UNAVAILABLE, details: "stopped" }); });
  };

  /** The inquiry's answer, from the mode or the fake's ledger. */
  const answerStatus = (call: ServerUnaryCall<GetTransferStatusRequest, GetTransferStatusResponse>, callback: sendUnaryData<GetTransferStatusResponse>): void => {
    const id = key(call.request.referenceNumber, call.request.attempt);
    const reply = (s: BankTransferStatus, code: string, message: string) => {
      callback(null, { status: s, bankReference: s === S.SUCCESS ? `J-${id}` : "", bankCode: code, bankMessage: message, bankRequestId: id });
    };
    switch (statusMode) {
      case "unavailable": callback({ code: status.UNAVAILABLE, details: "bank status endpoint down: not sent" }); return;
      case "hang": hang(callback); return;
      case "collision": reply(S.PENDING, COLLISION.bankCode, COLLISION.bankMessage); return;
      case "unknown": reply(S.UNKNOWN, "0900", "status inquiry not answered: system error"); return;
      case "ledger": break;
    }
    const found = ledger.get(id);
    if (found === undefined) reply(S.NOT_FOUND, "404", "request id not found");
    else reply(S[found], found === "SUCCESS" ? "00" : "01", found);
  };

  const impl: BankTransferServiceServer = {
    transfer: (call: ServerUnaryCall<BankTransferServiceTransferRequest, BankTransferServiceTransferResponse>, callback: sendUnaryData<BankTransferServiceTransferResponse>) => {
      if (!authorized(call.metadata, transferBinding(call.request))) {
        refusedTokens++;
        callback({ code: status.UNAUTHENTICATED, details: "bad service token" });
        return;
      }
      calls.push(call.request);
      const exp = peekClaims(tokenOf(call.metadata))?.exp;
      if (exp !== undefined) tokenExpiry.set(call.request, exp);
      const id = key(call.request.referenceNumber, call.request.attempt);
      const bankRequestId = id;
      const reply = (s: BankTransferStatus, code: string, message: string) => {
        // The booking's journal number, as the inquiry gives it: the banks' transfer and inquiry answers name one reference.
        callback(null, { status: s, bankReference: s === S.SUCCESS ? `J-${id}` : "", bankCode: code, bankMessage: message, bankRequestId });
      };
      const answer = () => {
        if (ledger.has(id)) { reply(S.PENDING, "DUP", "request id already used; ask the status inquiry"); return; }
        switch (mode) {
          case "SUCCESS": ledger.set(id, "SUCCESS"); reply(S.SUCCESS, "00", "Success"); return;
          case "FAILED": ledger.set(id, "FAILED"); reply(S.FAILED, "51", "Insufficient funds"); return;
          case "PENDING": ledger.set(id, "PENDING"); reply(S.PENDING, "02", "In progress"); return;
          case "collision": reply(S.PENDING, COLLISION.bankCode, COLLISION.bankMessage); return;
          case "not-sent": callback({ code: status.UNAVAILABLE, details: "bank token endpoint down: not sent" }); return;
          case "internal": callback({ code: status.INTERNAL, details: "boom after sending" }); return;
          case "book-then-hang": ledger.set(id, "SUCCESS"); hang(callback); return;
          // Never answers; the gateway's deadline ends the call. Released on stop().
          case "hang": hang(callback); return;
        }
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    },
    getTransferStatus: (call: ServerUnaryCall<GetTransferStatusRequest, GetTransferStatusResponse>, callback: sendUnaryData<GetTransferStatusResponse>) => {
      if (!authorized(call.metadata, statusBinding(call.request))) {
        callback({ code: status.UNAUTHENTICATED, details: "bad service token" });
        return;
      }
      statusCalls.push(call.request);
      if (heldStatus !== undefined) {
        heldStatus.push(() => { answerStatus(call, callback); });
        return;
      }
      if (statusDelayMs > 0) {
        setTimeout(() => { answerStatus(call, callback); }, statusDelayMs);
        return;
      }
      answerStatus(call, callback);
    },
  };
  const server = new Server();
  server.addService(BankTransferServiceService, impl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => { if (error === null) resolve(bound); else reject(error); });
  });
  return {
    bankCode, port, calls, statusCalls,
    get refusedTokens() { return refusedTokens; },
    tokenExpiresAt: (call) => tokenExpiry.get(call),
    setMode: (next, delay = 0) => { mode = next; delayMs = delay; },
    setStatusMode: (next, delay = 0) => { statusMode = next; statusDelayMs = delay; },
    holdStatus: () => {
      heldStatus ??= [];
      return releaseStatus;
    },
    recorded: (reference, attempt) => ledger.get(key(reference, attempt)),
    bookings: (reference) => [...ledger].filter(([k, v]) => k.startsWith(`${reference}-`) && v === "SUCCESS").length,
    settle: (reference, attempt, outcome) => { ledger.set(key(reference, attempt), outcome); },
    stop: () => new Promise<void>((resolve) => {
      for (const release of hanging) release();
      hanging.clear();
      releaseStatus();
      server.tryShutdown(() => { resolve(); });
    }),
  };
}
