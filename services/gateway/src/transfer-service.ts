import type { GetTransferRequest, TransferRequest } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { maskAccount, type Logger } from "@gerbang/shared";
import type { BankCaller } from "./bank-client";
import type { BankAnswer } from "./bank-outcome";
import { GatewayError } from "./errors";
import { requestFingerprint } from "./fingerprint";
import { jakartaDate } from "./reference-number";
import type { EscrowAccount } from "./client-store";
import type { RegisteredClient, RegistrySnapshot } from "./registry";
import { decideRoute, type ChosenRoute } from "./routing";
import { ReferenceCollisionError, type TransferRecord, type TransferStore } from "./transfer-store";
import type { TransferState } from "./transfer-states";
import { waitForSettled, type InFlight } from "./in-flight";

export interface TransferServiceDeps {
  ledger: TransferStore;
  registry: () => RegistrySnapshot;
  bank: BankCaller;
  clock: () => Date;
  newReference: () => string;
  /** Names this gateway instance in leases. */
  instanceId: string;
  bankDeadlineMs: number;
  duplicateWaitMs: number;
  pendingRecheckMs: number;
  logger: Logger;
  /** Observes each bank call (metrics). */
  onBankCall?: (bankCode: string, outcome: string, seconds: number) => void;
}

export interface TransferResult {
  record: TransferRecord;
  /** True when this request found the transfer already recorded (same clientReferenceNo and content). */
  replayed: boolean;
}

export interface TransferService {
  transfer(client: RegisteredClient, req: TransferRequest): Promise<TransferResult>;
  getTransfer(client: RegisteredClient, req: GetTransferRequest): Promise<TransferRecord>;
}

/**
 * The request path of a transfer, in two database round trips after the jti claim: insert the
 * transfer already in SENDING with attempt 1 and the lease (durable before the bank is called),
 * call the bank, then one conditional update to the outcome. Only the request whose insert won calls
 * the bank; duplicates read the stored transfer.
 */
export function createTransferService(deps: TransferServiceDeps): TransferService {
  const inFlight: InFlight = new Map();

  const replay = async (client: RegisteredClient, req: TransferRequest, fingerprint: string): Promise<TransferResult | undefined> => {
    const existing = await deps.ledger.findByClientReference(client.clientId, req.clientReferenceNo);
    if (existing === undefined) return undefined;
    if (existing.fingerprint !== fingerprint) {
      throw new GatewayError("IDEMPOTENCY_CONFLICT", `clientReferenceNo ${req.clientReferenceNo} was already used for a different transfer`);
    }
    const settled = await waitForSettled(existing, { inFlight, ledger: deps.ledger, waitMs: deps.duplicateWaitMs });
    return { record: settled, replayed: true };
  };

  const callBank = async (record: TransferRecord, route: ChosenRoute): Promise<TransferRecord> => {
    const attempt = record.attempts[0];
    if (attempt === undefined) throw new Error("a SENDING transfer has its attempt recorded");
    const started = process.hrtime.bigint();
    const answer = await deps.bank.transfer(route.partner, {
      referenceNumber: record.referenceNumber, attempt: attempt.attempt, transactionDate: attempt.transactionDate,
      usage: route.usage === "TRANSFER" ? TransferUsage.TRANSFER_USAGE_TRANSFER : TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK,
      sourceAccountNumber: record.sourceAccountNumber, sourceAccountName: record.sourceAccountName,
      beneficiaryBankCode: record.beneficiaryBankCode, beneficiaryBankName: record.beneficiaryBankName,
      beneficiaryAccountNumber: record.beneficiaryAccountNumber, beneficiaryAccountName: record.beneficiaryAccountName,
      amount: record.amount, currency: record.currency, remark: record.remark,
    });
    deps.onBankCall?.(route.bankCode, answer.outcome, Number(process.hrtime.bigint() - started) / 1e9);
    const now = deps.clock();
    const to = stateAfter(answer);
    try {
      const updated = await deps.ledger.transition(record.referenceNumber, "SENDING", to, {
        answer: { attempt: attempt.attempt, answeredAt: now, ...answer },
        ...(to === "PENDING" ? {} : { bankResponseCode: answer.bankCode ?? "", bankResponseMessage: answer.bankMessage ?? "", bankReference: answer.bankReference ?? "" }),
        lease: null,
        nextCheckAt: to === "PENDING" ? new Date(now.getTime() + deps.pendingRecheckMs) : null,
      }, now);
      // Not in SENDING any more: someone else (a resolver after our lease ran out) decided; theirs stands.
      return updated ?? (await deps.ledger.findByReference(record.clientId, record.referenceNumber)) ?? record;
    } catch (error) {
      // The bank answered but the ledger could not be updated: the transfer stays SENDING (PENDING to the
      // app) and the resolver asks the bank again once the lease has run out. Nothing is lost.
      deps.logger.error({ err: error, referenceNumber: record.referenceNumber, outcome: answer.outcome }, "could not record the bank's answer");
      return record;
    }
  };

  return {
    transfer: async (client, req) => {
      const fingerprint = requestFingerprint(req);
      let route: ChosenRoute;
      try {
        route = decideRoute(deps.registry(), req.beneficiaryBankCode);
      } catch (error) {
        // A transfer recorded earlier is still returned even if the registry has changed since.
        const earlier = await replay(client, req, fingerprint);
        if (earlier !== undefined) return earlier;
        throw error;
      }
      const escrow = checkRoutable(client, req, route);
      const key = `${client.clientId}\u0000${req.clientReferenceNo}`;
      for (let tries = 0; tries < 3; tries++) {
        const record = newRecord(deps, { client, req, route, escrow, fingerprint });
        let inserted;
        try {
          inserted = await deps.ledger.insert(record);
        } catch (error) {
          if (error instanceof ReferenceCollisionError) continue;
          throw error;
        }
        if (inserted === "duplicate") {
          const earlier = await replay(client, req, fingerprint);
          if (earlier !== undefined) return earlier;
          throw new Error("duplicate transfer vanished from the ledger");
        }
        deps.logger.debug({ referenceNumber: record.referenceNumber, bankCode: route.bankCode, usage: route.usage, beneficiary: maskAccount(record.beneficiaryAccountNumber) }, "transfer recorded");
        const done = callBank(record, route);
        inFlight.set(key, done);
        try {
          return { record: await done, replayed: false };
        } finally {
          inFlight.delete(key);
        }
      }
      throw new Error("could not generate a unique reference number");
    },
    getTransfer: async (client, req) => {
      const found = req.referenceNumber !== ""
        ? await deps.ledger.findByReference(client.clientId, req.referenceNumber)
        : await deps.ledger.findByClientReference(client.clientId, req.clientReferenceNo);
      // Another app's transfer is "not found" too: an app sees only its own.
      if (found === undefined) throw new GatewayError("NOT_FOUND", "transfer not found");
      return found;
    },
  };
}

/** Business rules that depend on the route: interbank needs the beneficiary's name; the app needs an escrow at the partner. */
function checkRoutable(client: RegisteredClient, req: TransferRequest, route: ChosenRoute): EscrowAccount {
  if (route.usage === "TRANSFER_INTERBANK" && req.beneficiaryAccountName.trim() === "") {
    throw new GatewayError("INVALID_REQUEST", "invalid request: beneficiaryAccountName is required for an interbank transfer");
  }
  const escrow = client.escrowAccounts.find((e) => e.bankCode === route.bankCode);
  if (escrow === undefined) throw new GatewayError("NO_ROUTE", `client ${client.clientId} has no escrow account at partner ${route.bankCode}`);
  return escrow;
}

interface NewTransfer {
  client: RegisteredClient;
  req: TransferRequest;
  route: ChosenRoute;
  escrow: EscrowAccount;
  fingerprint: string;
}

/** The transfer as first written: already SENDING, with attempt 1 and the lease, so the insert is the durable record before the call. */
function newRecord(deps: TransferServiceDeps, t: NewTransfer): TransferRecord {
  const now = deps.clock();
  const leaseUntil = new Date(now.getTime() + deps.bankDeadlineMs + 5_000);
  return {
    referenceNumber: deps.newReference(), clientId: t.client.clientId, clientReferenceNo: t.req.clientReferenceNo, fingerprint: t.fingerprint,
    beneficiaryBankCode: t.req.beneficiaryBankCode, beneficiaryBankName: t.route.beneficiaryBankName,
    beneficiaryAccountNumber: t.req.beneficiaryAccountNumber, beneficiaryAccountName: t.req.beneficiaryAccountName,
    amount: t.req.amount, currency: "IDR", remark: t.req.remark,
    sourceAccountNumber: t.escrow.accountNumber, sourceAccountName: t.escrow.accountName,
    route: { bankCode: t.route.bankCode, usage: t.route.usage, reason: t.route.reason },
    state: "SENDING",
    attempts: [{ attempt: 1, partnerBankCode: t.route.bankCode, usage: t.route.usage, transactionDate: jakartaDate(now), sentAt: now }],
    bankReference: "", bankResponseCode: "", bankResponseMessage: "",
    // The resolver leaves a leased transfer alone; if this process dies, it takes over after leaseUntil.
    leaseOwner: deps.instanceId, leaseUntil, nextCheckAt: leaseUntil, createdAt: now, updatedAt: now,
  };
}

function stateAfter(answer: BankAnswer): TransferState {
  switch (answer.outcome) {
    case "SUCCESS": return "SUCCESS";
    case "FAILED": return "FAILED";
    // The bank service guarantees the bank never saw it: final, and safe to retry under a new reference.
    case "NOT_SENT": return "FAILED";
    case "PENDING": case "NO_ANSWER": return "PENDING";
  }
}
