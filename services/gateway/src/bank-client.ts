import { credentials, Metadata, type ClientUnaryCall, type ServiceError } from "@grpc/grpc-js";
import { BankTransferServiceClient, type BankTransferServiceTransferRequest, type GetTransferStatusRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { signServiceToken, statusBinding, transferBinding, type Partner, type ServiceTokenBinding } from "@gerbang/shared";
import type { BankBreakers } from "./bank-breakers";
import { answerFromError, answerFromResponse, statusFromError, statusFromResponse, type BankAnswer, type StatusAnswer } from "./bank-outcome";

/**
 * Calls bank services through the generated grpc-js client; one client (one channel) per
 * serviceUrl, every call through that bank's circuit breaker and with the bank's deadline. Never
 * throws: every call ends in an answer the ledger can record.
 */
export interface BankCaller {
  /** `leaseUntil`: the sender's lease on the transfer; the call's token ends with it (signServiceToken). */
  transfer(partner: Partner, request: BankTransferServiceTransferRequest, deadlineMs: number, leaseUntil: Date): Promise<BankAnswer>;
  status(partner: Partner, request: GetTransferStatusRequest, deadlineMs: number): Promise<StatusAnswer>;
  close(): void;
}

/** opossum's own timeout sits this far behind the gRPC deadline: a backstop, the deadline normally fires first. */
const BREAKER_TIMEOUT_SLACK_MS = 500;

export interface BankCallerOptions {
  breakers: BankBreakers;
  /**
   * Longest pause between grpc-js's reconnection attempts to a bank service that went away. Its
   * default grows to 120 s, so a restarted service stayed unreachable ("not sent") long after the
   * breaker's reset wanted to probe it: keep it at the breaker's reset time.
   */
  maxReconnectBackoffMs: number;
}

export function createBankCaller(options: BankCallerOptions): BankCaller {
  const clients = new Map<string, BankTransferServiceClient>();
  const clientFor = (serviceUrl: string): BankTransferServiceClient => {
    let client = clients.get(serviceUrl);
    if (client === undefined) {
      // Mesh traffic stays on loopback or a private network; TLS is the deployment's concern.
      client = new BankTransferServiceClient(serviceUrl, credentials.createInsecure(), {
        "grpc.initial_reconnect_backoff_ms": Math.min(200, options.maxReconnectBackoffMs),
        "grpc.max_reconnect_backoff_ms": options.maxReconnectBackoffMs,
      });
      clients.set(serviceUrl, client);
    }
    return client;
  };
  const metadataFor = (partner: Partner, binding: ServiceTokenBinding, leaseUntil?: Date) => {
    const metadata = new Metadata();
    // aud = the partner's code, bound to this RPC, this attempt and its money fields, 60 s at most
    // and a Transfer's no longer than our lease: useless for any other call, and for a late one.
    const notAfter = leaseUntil === undefined ? {} : { notAfterSeconds: Math.floor(leaseUntil.getTime() / 1000) };
    metadata.set("authorization", `Bearer ${signServiceToken(partner.keyToken, partner.bankCode, binding, notAfter)}`);
    return metadata;
  };

  /** A unary call, started by start(), whose callback resolves the mapped answer; cancel() abandons it. */
  const unary = <T>(begin: (resolve: (value: T) => void) => ClientUnaryCall) => {
    let call: ClientUnaryCall | undefined;
    return {
      start: () => new Promise<T>((resolve) => { call = begin(resolve); }),
      cancel: () => { call?.cancel(); },
    };
  };

  return {
    transfer: (partner, request, deadlineMs, leaseUntil) => {
      const call = unary<BankAnswer>((resolve) => clientFor(partner.serviceUrl).transfer(request, metadataFor(partner, transferBinding(request), leaseUntil), { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, response) => { resolve(error === null ? answerFromResponse(response) : answerFromError(error)); }));
      return options.breakers.run(partner.bankCode, deadlineMs + BREAKER_TIMEOUT_SLACK_MS, {
        ...call,
        // Only the service's absence counts: a refusal of the request itself says the service is up.
        failed: (answer) => answer.outcome === "NO_ANSWER" || answer.unreachable === true,
        notMade: (reason) => (reason === "breaker-open"
          ? { outcome: "NOT_SENT", unreachable: true, error: `circuit breaker of bank ${partner.bankCode} is open: not sent`, bankMessage: "bank service unavailable (circuit open): not sent" }
          : { outcome: "NO_ANSWER", error: `no answer within ${deadlineMs} ms; call abandoned` }),
      });
    },
    status: (partner, request, deadlineMs) => {
      const call = unary<StatusAnswer>((resolve) => clientFor(partner.serviceUrl).getTransferStatus(request, metadataFor(partner, statusBinding(request)), { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, response) => { resolve(error === null ? statusFromResponse(response) : statusFromError(error)); }));
      return options.breakers.run(partner.bankCode, deadlineMs + BREAKER_TIMEOUT_SLACK_MS, {
        ...call,
        failed: (answer) => answer.status === "NO_ANSWER" || answer.unreachable === true,
        notMade: (reason) => (reason === "breaker-open"
          ? { status: "NOT_SENT", unreachable: true, error: `circuit breaker of bank ${partner.bankCode} is open: not asked` }
          : { status: "NO_ANSWER", error: `no answer within ${deadlineMs} ms; inquiry abandoned` }),
      });
    },
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
