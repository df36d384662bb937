import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import {
  BankTransferStatus,
  type BankTransferServiceServer,
  type BankTransferServiceTransferResponse,
  type GetTransferStatusResponse,
} from "@gerbang/gen/ts-proto/payment/v1/bank";
import { maskAccount, type Logger } from "../logger";
import type { Refreshing } from "../refreshing";
import type { RouteUsage } from "../registry-store";
import type { AttemptKey, BankAdapter, BankAnswer, ResolvedRoute, StatusOutcome } from "./bank-adapter";
import type { BankRegistry } from "./bank-registry";
import { resolveRoute } from "./bank-registry";
import { raceSignal } from "../race-signal";
import { callBudget, type CallBudget } from "./call-budget";
import { RefusedError, failedPrecondition, unavailable } from "./refused-error";
import { statusBinding, transferBinding, type ServiceTokenBinding } from "../service-token";
import { authenticateCall } from "./service-auth";
import { validateStatus, validateTransfer } from "./validation";

export interface BankServiceDeps {
  adapter: BankAdapter;
  registry: Refreshing<BankRegistry>;
  /** `{{hostX}}` values for route templates, e.g. { hostBNI: "http://127.0.0.1:7002" }. */
  hosts: Readonly<Record<string, string>>;
  /** Longest time one RPC may spend at the bank (BANK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Kept free before the caller's deadline so our answer still reaches it. */
  deadlineMarginMs: number;
  logger: Logger;
  /** TEST ONLY (BANK_FAILPOINT): kill the process after the bank answered a Transfer, before replying. */
  failpoint?: "after-bank-answer";
  /** How the failpoint kills (tests inject their own); default SIGKILL of this process. */
  kill?: () => void;
}

export function toProtoStatus(status: StatusOutcome): BankTransferStatus {
  switch (status) {
    case "SUCCESS": return BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS;
    case "FAILED": return BankTransferStatus.BANK_TRANSFER_STATUS_FAILED;
    case "PENDING": return BankTransferStatus.BANK_TRANSFER_STATUS_PENDING;
    case "NOT_FOUND": return BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND;
    case "UNKNOWN": return BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN;
  }
}

/**
 * The BankTransferService every bank runs: authenticate, validate, find the route, give the bank
 * call a time budget, let the bank's adapter speak to the bank, log one line, answer. gRPC errors
 * only for refusals before anything was sent; everything after is an answer.
 */
export function createBankTransferService(deps: BankServiceDeps): BankTransferServiceServer {
  const { adapter, logger } = deps;

  async function run<Req extends { referenceNumber: string; attempt: number }, Res>(
    rpc: string,
    call: ServerUnaryCall<Req, Res>,
    callback: sendUnaryData<Res>,
    work: (log: Record<string, unknown>) => Promise<Res & { status: BankTransferStatus; bankCode: string }>,
  ): Promise<void> {
    const started = Date.now();
    const log: Record<string, unknown> = { rpc, reference: call.request.referenceNumber, attempt: call.request.attempt };
    let response: Res & { status: BankTransferStatus; bankCode: string };
    try {
      response = await work(log);
    } catch (error) {
      const refused = error instanceof RefusedError ? error : unavailable("internal error before sending", error);
      if (!(error instanceof RefusedError)) logger.error({ ...log, err: error }, `${rpc} failed unexpectedly before sending`);
      logger.warn({ ...log, outcome: "REFUSED", grpcCode: refused.code, reason: refused.message, durationMs: Date.now() - started }, `${rpc} refused`);
      callback({ code: refused.code, details: refused.message });
      return;
    }
    // Outside the try: once the bank has answered, nothing here may turn into "not sent".
    logger.info({ ...log, outcome: BankTransferStatus[response.status], bankCode: response.bankCode, durationMs: Date.now() - started }, `${rpc} answered`);
    callback(null, response);
  }

  /** Auth, then the route; both before any budget is spent and before anything is sent. */
  function admit(call: ServerUnaryCall<unknown, unknown>, binding: ServiceTokenBinding) {
    const registry = deps.registry.current();
    authenticateCall(call.metadata, registry.partner, adapter.bankCode, binding);
    return registry;
  }

  /**
   * After auth and validation (a stranger must not make us write), before anything is sent, and
   * within the call's budget: a stalled database (BCA allocates ids there) must end as "not sent"
   * in time, not as a call the gateway gave up on, which it would have to treat as maybe sent.
   */
  async function requestIdFor(key: AttemptKey, log: Record<string, unknown>, budget: CallBudget): Promise<string> {
    let requestId: string;
    try {
      requestId = await raceSignal(adapter.requestId(key), budget.signal, "no request id within the call's budget (ended or cancelled)");
    } catch (error) {
      budget.dispose();
      if (error instanceof RefusedError) throw error; // the adapter's own refusal of this attempt
      throw unavailable("could not fix the bank-side request id", error);
    }
    log.bankRequestId = requestId;
    return requestId;
  }

  function budgetFor(call: ServerUnaryCall<unknown, unknown>) {
    const budget = callBudget(call, deps.timeoutMs, deps.deadlineMarginMs);
    if (budget.ms <= 0) {
      budget.dispose();
      throw unavailable("the caller's deadline leaves no time to call the bank");
    }
    return budget;
  }

  const lookup = (registry: BankRegistry) => (usage: RouteUsage): ResolvedRoute | undefined => {
    try {
      return resolveRoute(registry, usage, deps.hosts);
    } catch {
      return undefined;
    }
  };

  const answerOf = <S extends StatusOutcome>(answer: BankAnswer<S>, requestId: string) => ({
    status: toProtoStatus(answer.status),
    bankReference: answer.bankReference,
    bankCode: answer.bankCode,
    bankMessage: answer.bankMessage,
    bankRequestId: requestId,
  });

  return {
    transfer: (call, callback) => {
      void run<typeof call.request, BankTransferServiceTransferResponse>("Transfer", call, callback, async (log) => {
        const registry = admit(call, transferBinding(call.request));
        const input = validateTransfer(call.request, [adapter.bankCode, ...(registry.partner?.aliases ?? [])]);
        Object.assign(log, { usage: input.usage, amount: input.amount, beneficiary: maskAccount(input.beneficiaryAccountNumber) });
        if (!adapter.usages.includes(input.usage)) throw failedPrecondition(`${input.usage} is not supported by bank ${adapter.bankCode}'s API`);
        const route = resolveRoute(registry, input.usage, deps.hosts);
        const budget = budgetFor(call);
        const requestId = await requestIdFor(input, log, budget);
        try {
          const answer = await adapter.transfer(input, { signal: budget.signal, route, requestId, logger, lookupRoute: lookup(registry) });
          if (deps.failpoint === "after-bank-answer") (deps.kill ?? (() => { process.kill(process.pid, "SIGKILL"); }))();
          return answerOf(answer, requestId);
        } catch (error) {
          if (error instanceof RefusedError) throw error;
          // The request may have left: an unexpected failure here must not look like "not sent".
          logger.error({ ...log, err: error }, "Transfer failed unexpectedly after it may have been sent");
          return answerOf({ status: "PENDING", bankReference: "", bankCode: "", bankMessage: "outcome unknown: internal error after the request may have been sent; ask GetTransferStatus" }, requestId);
        } finally {
          budget.dispose();
        }
      });
    },
    getTransferStatus: (call, callback) => {
      void run<typeof call.request, GetTransferStatusResponse>("GetTransferStatus", call, callback, async (log) => {
        const registry = admit(call, statusBinding(call.request));
        const input = validateStatus(call.request);
        log.usage = input.usage;
        const route = resolveRoute(registry, "STATUS_INQUIRY", deps.hosts);
        const budget = budgetFor(call);
        const requestId = await requestIdFor(input, log, budget);
        try {
          return answerOf(await adapter.status(input, { signal: budget.signal, route, requestId, logger, lookupRoute: lookup(registry) }), requestId);
        } catch (error) {
          if (error instanceof RefusedError) throw error;
          logger.error({ ...log, err: error }, "GetTransferStatus failed unexpectedly");
          return answerOf({ status: "UNKNOWN", bankReference: "", bankCode: "", bankMessage: "status inquiry not answered: internal error while asking the bank" }, requestId);
        } finally {
          budget.dispose();
        }
      });
    },
  };
}
