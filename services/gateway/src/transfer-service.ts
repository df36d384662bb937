import type { GetTransferRequest, TransferRequest } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { maskAccount, type Logger } from "@gerbang/shared";
import type { BankCaller } from "./bank-client";
import { policyFor, type BankPolicies } from "./bank-policy";
import { GatewayError, TRANSFER_NOT_FOUND_MESSAGE } from "./errors";
import type { Failpoints } from "./failpoints";
import { requestFingerprint } from "./fingerprint";
import type { EscrowAccount } from "./client-store";
import type { RegisteredClient, RegistrySnapshot } from "./registry";
import { sendWithFallback, type Sending } from "./reroute";
import { decideRoute, type ChosenRoute } from "./routing";
import { sendAttempt, settleAnswer, type ManualReviewAlert } from "./settle";
import { createShares } from "./shares";
import { newAttempt, type TransferRecord, type TransferStore } from "./transfer-store";
import { waitForSettled, type InFlight } from "./in-flight";

export interface TransferServiceDeps {
  ledger: TransferStore;
  registry: () => RegistrySnapshot;
  bank: BankCaller;
  clock: () => Date;
  /** Our referenceNumber for an app's clientReferenceNo (reference-number.ts). */
  referenceFor: (clientId: string, clientReferenceNo: string) => string;
  /** Names this gateway instance in leases. */
  instanceId: string;
  /** Per-bank deadlines and inquiry schedule. */
  policies: BankPolicies;
  /** How long this instance holds a transfer it sends (beyond the deadline, so a live call never loses it). */
  leaseMs: number;
  duplicateWaitMs: number;
  /** New transfers at one partner bank at once (recorded and not yet answered); more are refused before anything is recorded. */
  maxInFlightPerBank: number;
  failpoints: Failpoints;
  onManualReview: ManualReviewAlert;
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
  /**
   * `useToken` uses up the call's token (claims its jti): called just before the transfer is
   * recorded or one recorded earlier is answered, never for a refusal (routing, a bank's limit).
   */
  transfer(client: RegisteredClient, req: TransferRequest, useToken: () => Promise<void>): Promise<TransferResult>;
  getTransfer(client: RegisteredClient, req: GetTransferRequest): Promise<TransferRecord>;
  /**
   * Shutdown: no bank call starts after this. A request still on its way to one (behind a slow
   * insert, say) leaves its transfer SENDING for a resolver, whose lease this instance may be
   * handing back right then. Returns the references whose call has started and not yet settled:
   * their leases are kept, since those calls may still reach the bank.
   */
  stopSending(): ReadonlySet<string>;
}

/**
 * The request path of a transfer, in two database round trips after the jti claim: insert the
 * transfer already in SENDING with attempt 1 and the lease (durable before the bank is called),
 * call the bank, then one conditional update to the outcome. Only the request whose insert won calls
 * the bank; duplicates read the stored transfer. If the partner's service is unreachable before
 * anything was sent and the app allows it, one more write reroutes it (reroute.ts) and attempt 2
 * goes interbank through another partner.
 */
export function createTransferService(deps: TransferServiceDeps): TransferService {
  const inFlight: InFlight = new Map();
  const atBank = createShares({ total: Number.POSITIVE_INFINITY, perKey: deps.maxInFlightPerBank });
  const owner = deps.instanceId;
  let sendsStopped = false;

  /**
   * By the derived referenceNumber, the primary key: every transfer is stored under it (an insert
   * whose reference another pair holds is refused, never stored elsewhere). A lookup by the fields
   * would read every transfer of the app on the embedded database, on each miss. The number is a
   * 65-bit hash, so the transfer under it must also carry this clientReferenceNo: one the app sent
   * under another reference is not this one, and answering with it would report a stranger's outcome.
   */
  const findByClientReference = async (clientId: string, clientReferenceNo: string) => {
    const found = await deps.ledger.findByReference(clientId, deps.referenceFor(clientId, clientReferenceNo));
    return found?.clientReferenceNo === clientReferenceNo ? found : undefined;
  };

  const replay = async (client: RegisteredClient, req: TransferRequest, fingerprint: string, useToken: () => Promise<void>, waitMs = deps.duplicateWaitMs): Promise<TransferResult | undefined> => {
    const existing = await findByClientReference(client.clientId, req.clientReferenceNo);
    if (existing === undefined) return undefined;
    // Either answer is final and says something about a recorded transfer: the token is used up first.
    await useToken();
    if (existing.fingerprint !== fingerprint) {
      throw new GatewayError("IDEMPOTENCY_CONFLICT", `clientReferenceNo ${req.clientReferenceNo} was already used for a different transfer`);
    }
    const settled = await waitForSettled(existing, { inFlight, ledger: deps.ledger, waitMs });
    return { record: settled, replayed: true };
  };

  /**
   * The replay of a request whose insert lost to an earlier one. The store saw the earlier
   * transfer, but on a replica set its state is read with majority, which shows it only once its
   * insert has replicated (the earlier request is still waiting for that): it is looked for again
   * with a growing pause (20, 40, 80 ... ms, a last look at the end), and both that and the wait for
   * its outcome fit in one duplicateWaitMs.
   */
  const replayOnceVisible = async (client: RegisteredClient, req: TransferRequest, fingerprint: string, useToken: () => Promise<void>): Promise<TransferResult> => {
    const deadline = Date.now() + deps.duplicateWaitMs;
    for (let pause = 20; ; pause *= 2) {
      const earlier = await replay(client, req, fingerprint, useToken, Math.max(0, deadline - Date.now()));
      if (earlier !== undefined) return earlier;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
    // Its token is used up (claimed before the insert): unlike a refusal before recording, the retry needs a new one.
    throw new GatewayError("UNAVAILABLE", `an earlier request with clientReferenceNo ${req.clientReferenceNo} is still being recorded; retry with the same clientReferenceNo (never a new one) and a new token`);
  };

  /**
   * A refusal of a new transfer (routing, a bank at its limit) is no answer to one recorded
   * earlier: that is still returned, even if the registry or the app's escrows changed since.
   * Refusing it would tell the app nothing exists, and a retry under a new clientReferenceNo would pay twice.
   * A refusal leaves the token unused: the app retries the same request with it.
   */
  const replayOrRefuse = async (client: RegisteredClient, req: TransferRequest, fingerprint: string, useToken: () => Promise<void>, refusal: unknown): Promise<TransferResult> => {
    const earlier = await replay(client, req, fingerprint, useToken);
    if (earlier !== undefined) return earlier;
    throw refusal;
  };

  /**
   * Calls the bank for one attempt, under the failpoints and timed; undefined when no call is made
   * (shutdown, or the lease no longer covers it): that is recorded, and a resolver then asks the
   * bank and sends it.
   */
  const send = (sending: Sending) => sendAttempt(deps, sending, { owner, stopping: sendsStopped }, async (call, bankCode) => {
    const started = process.hrtime.bigint();
    const answer = await deps.failpoints.afterDispatch(call);
    deps.onBankCall?.(bankCode, answer.outcome, Number(process.hrtime.bigint() - started) / 1e9);
    deps.failpoints.hit("after-bank-answer");
    return answer;
  });

  const callBank = async (record: TransferRecord, route: ChosenRoute): Promise<TransferRecord> => {
    const first = record.attempts[0];
    if (first === undefined) throw new Error("a SENDING transfer has its attempt recorded");
    // Refused as unreachable before anything was sent: rerouted for an app that allows it.
    const sent = await sendWithFallback(deps, owner, { record, attempt: first, route }, send);
    if (sent.answer === undefined) return sent.record; // SENDING: PENDING to the app
    const now = deps.clock();
    try {
      const updated = await settleAnswer(deps, sent.record, sent.attempt.attempt, sent.answer,
        { owner, policy: policyFor(deps.policies, sent.route.partner.bankCode), send: "first", now });
      // Not ours any more: a resolver took over after our lease ran out, and its view stands.
      return updated ?? (await deps.ledger.findByReference(record.clientId, record.referenceNumber)) ?? sent.record;
    } catch (error) {
      // The bank answered but the ledger could not be updated: the transfer stays SENDING (PENDING to the
      // app) and the resolver asks the bank again once the lease has run out. Nothing is lost.
      deps.logger.error({ err: error, referenceNumber: record.referenceNumber, outcome: sent.answer.outcome }, "could not record the bank's answer");
      return sent.record;
    }
  };

  const recordAndSend = async (client: RegisteredClient, req: TransferRequest, route: ChosenRoute, escrow: EscrowAccount, fingerprint: string, { useToken, leaveBank }: { useToken: () => Promise<void>; leaveBank: () => void }): Promise<TransferResult> => {
    const record = newRecord(deps, { client, req, route, escrow, fingerprint });
    await useToken();
    const inserted = await deps.ledger.insert(record);
    if (inserted === "duplicate") {
      // A duplicate never calls the bank, yet it may wait for the first request's answer: its
      // place at the bank goes back now, or an app retrying a slow transfer would crowd out others.
      leaveBank();
      return replayOnceVisible(client, req, fingerprint, useToken);
    }
    deps.logger.debug({ referenceNumber: record.referenceNumber, bankCode: route.bankCode, usage: route.usage, beneficiary: maskAccount(record.beneficiaryAccountNumber) }, "transfer recorded");
    deps.failpoints.hit("after-record");
    const done = callBank(record, route);
    inFlight.set(record.referenceNumber, done);
    try {
      const settled = await done;
      deps.failpoints.hit("before-reply");
      return { record: settled, replayed: false };
    } finally {
      inFlight.delete(record.referenceNumber);
    }
  };

  return {
    transfer: async (client, req, useToken) => {
      const fingerprint = requestFingerprint(req);
      let route: ChosenRoute;
      let escrow: EscrowAccount;
      try {
        route = decideRoute(deps.registry(), req.beneficiaryBankCode);
        escrow = checkRoutable(client, req, route);
      } catch (error) {
        return replayOrRefuse(client, req, fingerprint, useToken, error);
      }
      // A bank that is slow or hangs must not hold every slot of the gateway: past its own limit,
      // new transfers to it are refused before anything is recorded (a recorded one is replayed).
      const taken = atBank.take(route.bankCode);
      if (taken.refused !== undefined) {
        return replayOrRefuse(client, req, fingerprint, useToken, new GatewayError("UNAVAILABLE", `bank ${route.bankCode} is at its limit of ${deps.maxInFlightPerBank} transfers in flight; this request recorded nothing, but an earlier one with this clientReferenceNo may still be on its way; try again with the same clientReferenceNo`));
      }
      try {
        return await recordAndSend(client, req, route, escrow, fingerprint, { useToken, leaveBank: taken.release });
      } finally {
        taken.release();
      }
    },
    getTransfer: async (client, req) => {
      const found = req.referenceNumber !== ""
        ? await deps.ledger.findByReference(client.clientId, req.referenceNumber)
        : await findByClientReference(client.clientId, req.clientReferenceNo);
      // Another app's transfer is "not found" too: an app sees only its own.
      if (found === undefined) throw new GatewayError("NOT_FOUND", TRANSFER_NOT_FOUND_MESSAGE);
      return found;
    },
    stopSending: () => {
      sendsStopped = true;
      return new Set(inFlight.keys());
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
  const leaseUntil = new Date(now.getTime() + deps.leaseMs);
  return {
    referenceNumber: deps.referenceFor(t.client.clientId, t.req.clientReferenceNo), clientId: t.client.clientId, clientReferenceNo: t.req.clientReferenceNo, fingerprint: t.fingerprint,
    beneficiaryBankCode: t.req.beneficiaryBankCode, beneficiaryBankName: t.route.beneficiaryBankName,
    beneficiaryAccountNumber: t.req.beneficiaryAccountNumber, beneficiaryAccountName: t.req.beneficiaryAccountName,
    amount: t.req.amount, currency: "IDR", remark: t.req.remark,
    sourceAccountNumber: t.escrow.accountNumber, sourceAccountName: t.escrow.accountName,
    route: { bankCode: t.route.bankCode, usage: t.route.usage, reason: t.route.reason },
    state: "SENDING",
    attempts: [newAttempt(1, t.route, t.escrow.accountNumber, now)],
    bankReference: "", bankResponseCode: "", bankResponseMessage: "",
    // The resolver leaves a leased transfer alone; if this process dies, it takes over after leaseUntil.
    leaseOwner: deps.instanceId, leaseUntil, nextCheckAt: leaseUntil, createdAt: now, updatedAt: now,
  };
}
