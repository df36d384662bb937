import type { Logger } from "@gerbang/shared";
import { attemptFields, type BankAnswer } from "./bank-outcome";
import { chooseFallback } from "./fallback";
import type { RegistrySnapshot } from "./registry";
import { neverLeft } from "./resolver-decision";
import type { ChosenRoute } from "./routing";
import { recordNotCalled } from "./settle";
import { newAttempt, type Attempt, type TransferRecord, type TransferStore } from "./transfer-store";

interface RerouteDeps {
  ledger: TransferStore;
  registry: () => RegistrySnapshot;
  clock: () => Date;
  /** How long the rerouted transfer is leased to the caller, who sends its new attempt. */
  leaseMs: number;
  logger: Logger;
}

/**
 * What a send needs of the route an attempt goes by: the partner to call, whose bankCode is the
 * route's (one source, so the call, its deadline and a reroute's "from" cannot part), and what a
 * reroute away from it needs.
 */
type SendingRoute = Pick<ChosenRoute, "partner" | "usage" | "beneficiaryBankName">;

/** One attempt's send: the transfer as last written, the attempt, its route. */
export interface Sending {
  record: TransferRecord;
  attempt: Attempt;
  route: SendingRoute;
}

/** The transfer as rerouted, the new attempt to send, and the route carrying it. */
type Rerouted = Sending & { route: ChosenRoute };

/**
 * Sends `first`; when its partner could not be reached and no send of the transfer can have
 * reached a bank, reroutes the transfer once (as rerouteUnreachable allows, which checks that
 * itself) and sends the new attempt. `call` makes one bank call, or records why it made none and
 * returns undefined. Returns the last send tried, with its answer unless its call was not made;
 * the caller settles it (as a first send's, unless `first` re-sends an attempt that may have left).
 */
export async function sendWithFallback(deps: RerouteDeps, owner: string, first: Sending, call: (sending: Sending) => Promise<BankAnswer | undefined>): Promise<Sending & { answer?: BankAnswer }> {
  const answer = await call(first);
  if (answer === undefined) return first;
  const next = await rerouteUnreachable(deps, { owner, record: first.record, failed: first.route, answer });
  if (next === undefined) return { ...first, answer };
  const second = await call(next);
  return second === undefined ? next : { ...next, answer: second };
}

interface RerouteRequest {
  /** The lease holder sending the transfer (request path or resolver). */
  owner: string;
  /** The transfer as the caller last wrote it, its latest attempt the one just answered. */
  record: TransferRecord;
  /** The route that latest attempt went by. */
  failed: SendingRoute;
  answer: BankAnswer;
}

/**
 * Fallback routing's one write, for the request path and the resolver alike: the transfer's latest
 * attempt was answered "not sent" because its partner could not be reached (answer.unreachable),
 * and no send of it or of any attempt before it can have reached a bank: the request path's first
 * send, or the resolver's send of an attempt that never left (checked here, not assumed).
 * Then, for an active app that opted in (as the registry has it now) and once per transfer, that answer
 * and the next attempt, interbank through another partner (chooseFallback), are recorded in one
 * conditional write, and the caller sends the new attempt.
 *
 * Undefined when there is no reroute: the caller settles the "not sent" as it would have without
 * fallback (FAILED 003). A write that throws is no reroute either; if it landed all the same, the
 * new attempt is recorded as not called (recordRerouteNotCalled).
 */
async function rerouteUnreachable(deps: RerouteDeps, o: RerouteRequest): Promise<Rerouted | undefined> {
  const { record, failed, answer } = o;
  const last = record.attempts.at(-1);
  if (answer.outcome !== "NOT_SENT" || answer.unreachable !== true || record.routing !== undefined || last === undefined) return undefined;
  // The caller's promise, checked: no send of this attempt (its re-sends' included) or of any before it may have left.
  if (!neverLeft({ ...last, ...attemptFields(answer) }) || !record.attempts.slice(0, -1).every(neverLeft)) return undefined;
  const from = { bankCode: failed.partner.bankCode, usage: failed.usage };
  try {
    const registry = deps.registry();
    const client = registry.clients.get(record.clientId);
    const choice = client?.active === true ? chooseFallback(registry, client, { bankCode: from.bankCode, beneficiaryBankName: failed.beneficiaryBankName }, record) : { none: `client ${record.clientId} is not an active app` };
    if ("none" in choice) {
      deps.logger.info({ referenceNumber: record.referenceNumber, bankCode: from.bankCode, reason: choice.none }, "no fallback route");
      return undefined;
    }
    const now = deps.clock();
    const to = { bankCode: choice.route.bankCode, usage: "TRANSFER_INTERBANK" as const };
    const next = newAttempt(last.attempt + 1, to, choice.escrow.accountNumber, now);
    const why = answer.error ?? answer.bankMessage ?? "unreachable";
    const rerouted = await deps.ledger.amend(record, o.owner, {
      attempts: [...record.attempts.slice(0, -1), { ...last, answeredAt: now, ...attemptFields(answer) }, next],
      reroute: {
        route: { bankCode: choice.route.bankCode, usage: choice.route.usage, reason: choice.route.reason },
        change: { from, to, reason: why, at: now },
        source: { accountNumber: choice.escrow.accountNumber, accountName: choice.escrow.accountName },
      },
      lease: { owner: o.owner, until: new Date(now.getTime() + deps.leaseMs) },
      nextCheckAt: new Date(now.getTime() + deps.leaseMs),
    }, now);
    if (rerouted === undefined) return undefined;
    deps.logger.warn({ referenceNumber: record.referenceNumber, from: from.bankCode, to: choice.route.bankCode, attempt: next.attempt, why }, "fallback routing: partner unreachable before sending");
    return { record: rerouted, attempt: next, route: choice.route };
  } catch (error) {
    // The caller settles the "not sent" instead (or, if the write did land after all, the new
    // attempt is recorded as not called, the settle loses its compare-and-set, and the resolver
    // sends the new attempt once the lease runs out). Never an error for a recorded transfer.
    deps.logger.error({ err: error, referenceNumber: record.referenceNumber }, "could not record the reroute; settling the attempt it followed");
    await recordRerouteNotCalled(deps, o.owner, record);
    return undefined;
  }
}

/**
 * The reroute's write threw, but it may have landed (its reply lost). If it did, and nothing
 * wrote the transfer since, the new attempt is recorded as not called: the resolver then sends it
 * once the lease runs out, instead of taking it for a send a crash cut short, which it would
 * only ask about (and leave to a person at a bank that must not get a re-send).
 */
async function recordRerouteNotCalled(deps: RerouteDeps, owner: string, record: TransferRecord): Promise<void> {
  const added = record.attempts.length + 1;
  const landed = await deps.ledger.findByReference(record.clientId, record.referenceNumber).catch(() => undefined);
  if (landed === undefined || landed.rev !== (record.rev ?? 0) + 1 || landed.attempts.length !== added) return;
  await recordNotCalled(deps, landed, added, { owner, why: "the reroute's write failed, and landed", now: deps.clock() });
}
