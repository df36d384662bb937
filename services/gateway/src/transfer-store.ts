import { Schema, type Connection, type Model } from "mongoose";
import { groupedInsert, initUniqueIndexes, jakartaDate } from "@gerbang/shared";
import { canTransition, INITIAL_STATES, isFinal, TRANSFER_STATES, type TransferState } from "./transfer-states";

/**
 * The ledger: one document per transfer in `transfers`, whose `_id` is our referenceNumber (so
 * every lookup and write of one transfer goes through the primary key). Unique on (clientId,
 * clientReferenceNo), which makes the idempotency claim atomic.
 *
 * Every change after the insert is a compare-and-set on the revision `rev`: one findOneAndUpdate
 * from the revision the writer read, which bumps it. Whoever read an older revision (a racing
 * duplicate, another gateway's resolver, a writer that woke up after its lease ended) changes
 * nothing and gets undefined. This relies on single-document atomicity, which MongoDB has and the
 * embedded FerretDB has with scripts/ferretdb-v1.24.2.patch (released v1.24.2 ran an update as
 * a query plus a separate overwrite: two claimers got 43 leases on 30 transfers).
 */

export type Usage = "TRANSFER" | "TRANSFER_INTERBANK";

/** What the bank said about one attempt. NOT_SENT: the bank service guarantees nothing reached the bank. NO_ANSWER: timeout or transport error. */
export type AttemptOutcome = "SUCCESS" | "FAILED" | "PENDING" | "NOT_SENT" | "NO_ANSWER";

export interface Attempt {
  attempt: number;
  /** Partner whose service carried the attempt. */
  partnerBankCode: string;
  usage: Usage;
  /**
   * The escrow account the attempt debits: a reroute's attempt debits the app's escrow at another
   * partner, and the transfer's own sourceAccountNumber then names that one. Absent on attempts
   * recorded before attempts kept it (the transfer's is theirs then, unless rerouted).
   */
  sourceAccountNumber?: string;
  /** YYYY-MM-DD in Asia/Jakarta, as sent (banks key request ids per day). */
  transactionDate: string;
  sentAt: Date;
  /** How many times the resolver re-sent this attempt (same bank-side id); absent: never. */
  resends?: number;
  answeredAt?: Date;
  outcome?: AttemptOutcome;
  /** The bank-side request id the bank service used (returned by it). */
  bankRequestId?: string;
  /** The bank's own response code and message. */
  bankCode?: string;
  bankMessage?: string;
  bankReference?: string;
  /** gRPC error of the call, when there was no answer. */
  error?: string;
  /**
   * The sends a re-send repeated, oldest first, each with the answer it got (if any): a re-send
   * clears the fields above, and a person deciding a MANUAL_REVIEW needs every send's story.
   */
  earlierSends?: EarlierSend[];
}

/**
 * Attempt `attempt` as it is recorded before its first send: the partner and route carrying it,
 * the escrow it debits, sent `now` and dated that day in Jakarta (the day banks file it under).
 * The first attempt, a reroute's and a new day's are all made here.
 */
export function newAttempt(attempt: number, route: { bankCode: string; usage: Usage }, sourceAccountNumber: string | undefined, now: Date): Attempt {
  return {
    attempt, partnerBankCode: route.bankCode, usage: route.usage,
    ...(sourceAccountNumber === undefined ? {} : { sourceAccountNumber }),
    transactionDate: jakartaDate(now), sentAt: now,
  };
}

/** One earlier send of an attempt, as it stood when the attempt was re-sent. */
export type EarlierSend = Pick<Attempt, "sentAt" | (typeof ANSWER_FIELDS)[number]>;

export interface RouteDecision {
  bankCode: string;
  usage: Usage;
  /** Why this partner and route were chosen (kept for audit). */
  reason: string;
}

/** A change of route after the first choice (fallback routing), kept in order on the transfer. */
export interface RoutingChange {
  from: { bankCode: string; usage: Usage };
  to: { bankCode: string; usage: Usage };
  /** Why: what the first partner's service said (refused connection, breaker open, ...). */
  reason: string;
  at: Date;
}

/** A person's settlement of a transfer in MANUAL_REVIEW (operator-settle.ts): who, why, when. */
export interface OperatorDecision {
  operator: string;
  reason: string;
  at: Date;
  /** A FAILED settled over answers that could not rule a booking out, the person having confirmed the bank will never book it: as the bank said them, e.g. "014#1 PENDING (04)". */
  overBankAnswers?: string;
}

export interface TransferRecord {
  referenceNumber: string;
  clientId: string;
  clientReferenceNo: string;
  /** SHA-256 of the request's content: same reference + other content is an idempotency conflict. */
  fingerprint: string;
  beneficiaryBankCode: string;
  beneficiaryBankName: string;
  beneficiaryAccountNumber: string;
  beneficiaryAccountName: string;
  amount: string;
  currency: string;
  remark: string;
  sourceAccountNumber: string;
  sourceAccountName: string;
  route: RouteDecision;
  state: TransferState;
  attempts: Attempt[];
  bankReference: string;
  bankResponseCode: string;
  bankResponseMessage: string;
  /** Who is talking to the bank about this transfer, and until when (the request path, later the resolver). */
  leaseOwner?: string;
  leaseUntil?: Date;
  /** When a non-final transfer is next due for a status inquiry. */
  nextCheckAt?: Date;
  /** Status inquiries made since the current attempt was last sent (drives the backoff schedule). */
  checks?: number;
  /** Revision: 0 at insert, +1 on every write (the compare-and-set of every change). */
  rev?: number;
  /** Why the transfer is in MANUAL_REVIEW (set with that state). */
  reviewReason?: string;
  /** Route changes after the first decision (fallback routing); absent when there were none. */
  routing?: RoutingChange[];
  /** Set when a person settled it out of MANUAL_REVIEW; absent when the bank's answer did. */
  settledBy?: OperatorDecision;
  createdAt: Date;
  updatedAt: Date;
}

const attemptSchema = new Schema<Attempt>({
  attempt: Number, partnerBankCode: String, usage: String, sourceAccountNumber: String, transactionDate: String, sentAt: Date, resends: Number, answeredAt: Date,
  outcome: String, bankRequestId: String, bankCode: String, bankMessage: String, bankReference: String, error: String,
  // EarlierSend: sentAt and the ANSWER_FIELDS (change them together).
  earlierSends: {
    type: [{ _id: false, sentAt: Date, answeredAt: Date, outcome: String, bankCode: String, bankMessage: String, bankReference: String, error: String }],
    default: undefined,
  },
}, { _id: false });

/** Where the ledger lives in the database (operators' commands check it is there before reading). */
export const TRANSFERS_COLLECTION = "transfers";

/** The stored shape: the record plus its primary key, which is the referenceNumber. */
type TransferDocument = TransferRecord & { _id: string };

const transferSchema = new Schema<TransferDocument>({
  _id: { type: String, required: true }, // = referenceNumber
  referenceNumber: { type: String, required: true },
  clientId: { type: String, required: true },
  clientReferenceNo: { type: String, required: true },
  fingerprint: String, beneficiaryBankCode: String, beneficiaryBankName: String, beneficiaryAccountNumber: String,
  beneficiaryAccountName: String, amount: String, currency: String, remark: String, sourceAccountNumber: String, sourceAccountName: String,
  route: { bankCode: String, usage: String, reason: String },
  state: { type: String, enum: TRANSFER_STATES, required: true },
  attempts: { type: [attemptSchema], default: [] },
  bankReference: String, bankResponseCode: String, bankResponseMessage: String,
  leaseOwner: String, leaseUntil: Date, nextCheckAt: Date, checks: Number, rev: Number, reviewReason: String,
  routing: { type: [{ _id: false, from: { bankCode: String, usage: String }, to: { bankCode: String, usage: String }, reason: String, at: Date }], default: undefined },
  settledBy: { type: { _id: false, operator: String, reason: String, at: Date, overBankAnswers: String }, default: undefined },
  createdAt: Date, updatedAt: Date,
}, { collection: TRANSFERS_COLLECTION, versionKey: false });
transferSchema.index({ clientId: 1, clientReferenceNo: 1 }, { unique: true });
transferSchema.index({ state: 1, nextCheckAt: 1 }); // the resolver's scan of non-final transfers
transferSchema.index({ createdAt: 1 }); // reconcile reads a time range of creations ...
transferSchema.index({ updatedAt: 1 }); // ... and of changes (an operator's settlement, days later)

/** States the resolver works on: everything not final (MANUAL_REVIEW is still asked, slowly, and never re-sent). */
export const UNRESOLVED_STATES: readonly TransferState[] = TRANSFER_STATES.filter((s) => !isFinal(s));

/** What an answer to an attempt's send records on it (besides the bank-side id, which a re-send keeps). */
const ANSWER_FIELDS = ["answeredAt", "outcome", "bankCode", "bankMessage", "bankReference", "error"] as const;

/** The fields a transition may change besides the state itself. */
export interface TransitionPatch {
  /** Fills in the answer of attempt number `attempt` (already in the array). */
  answer?: { attempt: number } & Pick<Attempt, (typeof ANSWER_FIELDS)[number] | "bankRequestId">;
  /** The same attempt is being re-sent (same bank-side id): see resendOf. */
  resend?: { attempt: number; sentAt: Date; resends: number; earlierSends: EarlierSend[] };
  /** Replaces the whole attempts array (a reroute: attempt n's answer and attempt n+1 in one write; a new day's attempt). */
  attempts?: Attempt[];
  /** The route now carrying the transfer, the change appended to `routing`, and the app's escrow at the new partner. */
  reroute?: { route: RouteDecision; change: RoutingChange; source: { accountNumber: string; accountName: string } };
  bankReference?: string;
  bankResponseCode?: string;
  bankResponseMessage?: string;
  /** Take (object) or release (null) the lease. */
  lease?: { owner: string; until: Date } | null;
  nextCheckAt?: Date | null;
  checks?: number;
  reviewReason?: string;
  settledBy?: OperatorDecision;
}

export type InsertResult = "inserted" | "duplicate";

export interface TransferStore {
  /** Inserts a new transfer; "duplicate" when (clientId, clientReferenceNo) exists. A referenceNumber collision throws. */
  insert(record: TransferRecord): Promise<InsertResult>;
  findByReference(clientId: string, referenceNumber: string): Promise<TransferRecord | undefined>;
  /** Any app's transfer by our reference (operators' tools; apps only ever see their own). */
  findByReferenceNumber(referenceNumber: string): Promise<TransferRecord | undefined>;
  /**
   * Moves a transfer from the state it had in `seen` to `to`, if and only if nobody wrote it since
   * `seen` (same revision) and, with `owner`, `seen` was leased by that owner; undefined otherwise.
   */
  transition(seen: TransferRecord, to: TransferState, patch: TransitionPatch, now: Date, owner?: string): Promise<TransferRecord | undefined>;
  /** Changes fields without changing the state, under the same conditions (leased by `owner`). */
  amend(seen: TransferRecord, owner: string, patch: TransitionPatch, now: Date): Promise<TransferRecord | undefined>;
  /**
   * Leases up to `limit` unresolved transfers that are due (nextCheckAt <= now) and not leased
   * (leaseUntil absent or past) to `owner` until now + leaseMs; two instances never get the same one.
   */
  claimDue(owner: string, leaseMs: number, now: Date, limit: number): Promise<TransferRecord[]>;
  /**
   * Hands back the leases `owner` holds (shutdown): due now, so another instance takes over at
   * once; except those in `keep`, whose bank call may still be on its way: they run out instead.
   */
  releaseLeases(owner: string, now: Date, keep?: ReadonlySet<string>): Promise<number>;
  /** How many transfers are in each unresolved state (metrics). */
  countUnresolved(): Promise<Partial<Record<TransferState, number>>>;
  /** Transfers created or changed in [from, to), oldest first, at most `limit` (reconcile). */
  listCreatedOrChangedBetween(from: Date, to: Date, limit: number): Promise<TransferRecord[]>;
}

export class ReferenceCollisionError extends Error {
  override readonly name = "ReferenceCollisionError";
}

export async function createTransferStore(connection: Connection): Promise<TransferStore> {
  const Transfers = (connection.models.Transfer as Model<TransferDocument> | undefined) ?? connection.model<TransferDocument>("Transfer", transferSchema);
  await initUniqueIndexes(Transfers); // the unique indexes are the idempotency guarantee: they must exist before the first insert
  // Lookups by key (GetTransfer, replays) through the raw driver too: the filter is plain strings.
  // `local`: what the primary has applied, majority or not (read there: a secondary may lack it yet).
  const findOne = async (filter: Record<string, string>, read?: "local") =>
    ((await Transfers.collection.findOne(filter, { projection: { _id: 0 }, ...(read === undefined ? {} : { readConcern: { level: "local" }, readPreference: "primary" }) })) as TransferRecord | null) ?? undefined;
  // Concurrent transfers share one insert command (group commit); the raw driver call skips
  // mongoose's per-document work on the hot path, and its typing expects ObjectId ids.
  const insertTransfer = groupedInsert(Transfers.collection);
  return {
    insert: async (record) => {
      if (!INITIAL_STATES.includes(record.state)) throw new Error(`a transfer cannot start in ${record.state}`);
      if (await insertTransfer({ ...record, _id: record.referenceNumber, rev: 0 } as never) === "inserted") return "inserted";
      // Which unique index refused? Only the idempotency key counts as a duplicate request; the
      // referenceNumber derived from it normally finds the earlier transfer by _id. Read locally: on a
      // replica set the holder may be on the primary but not yet on a majority (its insert is still
      // waiting for that), and a majority read would miss it and call it a reference collision.
      // Only who holds the key is read here; its state is read with majority (findByReference).
      const holder = await findOne({ _id: record.referenceNumber }, "local");
      const same = (t: TransferRecord | undefined) => t?.clientId === record.clientId && t.clientReferenceNo === record.clientReferenceNo;
      if (same(holder) || same(await findOne({ clientId: record.clientId, clientReferenceNo: record.clientReferenceNo }, "local"))) return "duplicate";
      throw new ReferenceCollisionError(`reference number ${record.referenceNumber} already taken by another transfer`);
    },
    findByReference: (clientId, referenceNumber) => findOne({ _id: referenceNumber, clientId }),
    findByReferenceNumber: (referenceNumber) => findOne({ _id: referenceNumber }),
    transition: async (seen, to, patch, now, owner) => {
      if (!canTransition(seen.state, to)) throw new Error(`transition ${seen.state} -> ${to} is not allowed`);
      return write(seen, owner, toUpdate(seen, to, patch, now));
    },
    amend: (seen, owner, patch, now) => write(seen, owner, toUpdate(seen, seen.state, patch, now)),
    claimDue: async (owner, leaseMs, now, limit) => {
      const due = await Transfers.find(
        { state: { $in: UNRESOLVED_STATES }, nextCheckAt: { $lte: now }, $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }] },
        { _id: 0 },
      ).sort({ nextCheckAt: 1 }).limit(limit * 2).lean<TransferRecord[]>();
      const claimed: TransferRecord[] = [];
      for (const seen of due) {
        if (claimed.length >= limit) break;
        const leased = await write(seen, undefined, { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } });
        if (leased !== undefined) claimed.push(leased);
      }
      return claimed;
    },
    releaseLeases: async (owner, now, keep = new Set()) => {
      const held = await Transfers.find({ leaseOwner: owner, state: { $in: UNRESOLVED_STATES } }, { _id: 0 }).lean<TransferRecord[]>();
      let released = 0;
      for (const seen of held.filter((t) => !keep.has(t.referenceNumber))) {
        if (await write(seen, owner, { $set: { leaseUntil: now, nextCheckAt: now, updatedAt: now }, $unset: { leaseOwner: "" } }) !== undefined) released++;
      }
      return released;
    },
    countUnresolved: async () => {
      // One aggregate for every state (an index lookup on state, on MongoDB and the patched FerretDB alike).
      const groups = await Transfers.aggregate<{ _id: TransferState; n: number }>([
        { $match: { state: { $in: UNRESOLVED_STATES } } },
        { $group: { _id: "$state", n: { $sum: 1 } } },
      ]);
      const counts: Partial<Record<TransferState, number>> = Object.fromEntries(UNRESOLVED_STATES.map((state) => [state, 0]));
      for (const group of groups) counts[group._id] = group.n;
      return counts;
    },
    listCreatedOrChangedBetween: async (from, to, limit) => {
      const within = { $gte: from, $lt: to };
      return Transfers.find({ $or: [{ createdAt: within }, { updatedAt: within }] }, { _id: 0 }).sort({ createdAt: 1 }).limit(limit).lean<TransferRecord[]>();
    },
  };

  /**
   * Writes revision seen.rev + 1 if the transfer is still at seen.rev (compare-and-set); undefined
   * when someone wrote it since (the caller's view is stale) or `owner` did not hold the lease.
   */
  async function write(seen: TransferRecord, owner: string | undefined, changes: Record<string, Record<string, unknown>>): Promise<TransferRecord | undefined> {
    if (owner !== undefined && seen.leaseOwner !== owner) return undefined;
    const rev = seen.rev ?? 0;
    const update = { ...changes, $set: { ...changes.$set, rev: rev + 1 } };
    // The raw driver call, as for the insert: mongoose's casting of filter and update cost ~200 µs
    // of CPU per write (side by side on the embedded database), and every value here already has
    // its stored type. ignoreUndefined as mongoose does: an absent field is never written as null.
    // No projection: FerretDB's findAndModify does not implement one.
    const found = await Transfers.collection.findOneAndUpdate({ _id: seen.referenceNumber, ...revFilter(rev) } as never, update,
      { returnDocument: "after", ignoreUndefined: true });
    return found === null ? undefined : withoutId(found as unknown as TransferRecord & { _id?: unknown });
  }
}

/** Revision n; documents written before revisions existed have none and count as 0. */
function revFilter(rev: number): Record<string, unknown> {
  return rev === 0 ? { $or: [{ rev: 0 }, { rev: { $exists: false } }] } : { rev };
}

function withoutId(doc: TransferRecord & { _id?: unknown }): TransferRecord {
  const record = { ...doc };
  delete record._id;
  return record;
}

function toUpdate(seen: TransferRecord, to: TransferState, patch: TransitionPatch, now: Date): Record<string, Record<string, unknown>> {
  const attempts = attemptChanges(seen, patch);
  const set: Record<string, unknown> = { state: to, updatedAt: now, ...attempts.set };
  const unset: Record<string, ""> = { ...attempts.unset };
  for (const key of ["bankReference", "bankResponseCode", "bankResponseMessage", "checks", "reviewReason", "settledBy"] as const) {
    if (patch[key] !== undefined) set[key] = patch[key];
  }
  if (patch.lease === null) Object.assign(unset, { leaseOwner: "", leaseUntil: "" });
  else if (patch.lease !== undefined) Object.assign(set, { leaseOwner: patch.lease.owner, leaseUntil: patch.lease.until });
  if (patch.nextCheckAt === null) unset.nextCheckAt = "";
  else if (patch.nextCheckAt !== undefined) set.nextCheckAt = patch.nextCheckAt;
  const update: Record<string, Record<string, unknown>> = { $set: set };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  if (patch.reroute !== undefined) update.$push = { routing: patch.reroute.change };
  return update;
}

/**
 * The patch of a re-send of `attempt` at `now`: its new sentAt, one more re-send, and the send it
 * repeats kept in earlierSends. The whole list is written, not pushed: the write is a
 * compare-and-set on the revision the list was read at.
 */
export function resendOf(attempt: Attempt, now: Date): NonNullable<TransitionPatch["resend"]> {
  const repeated: EarlierSend = { sentAt: attempt.sentAt };
  for (const key of ANSWER_FIELDS) if (attempt[key] !== undefined) Object.assign(repeated, { [key]: attempt[key] });
  return { attempt: attempt.attempt, sentAt: now, resends: (attempt.resends ?? 0) + 1, earlierSends: [...(attempt.earlierSends ?? []), repeated] };
}

/** Adds the $set and $unset entries that record `answer` on its attempt. */
function answerChanges(seen: TransferRecord, answer: NonNullable<TransitionPatch["answer"]>, set: Record<string, unknown>, unset: Record<string, "">): void {
  const { attempt, ...fields } = answer;
  // Attempt n sits at index n - 1 (attempts are only ever appended, in order).
  const at = `attempts.${attempt - 1}`;
  for (const [key, value] of Object.entries(fields) as [string, unknown][]) if (value !== undefined) set[`${at}.${key}`] = value;
  // A "not sent" described a send that never left; an answer that follows it (the bank knows the
  // attempt from an earlier send) replaces it whole, or its "not called: ..." would stay beside a
  // PENDING or SUCCESS. Other answers keep what they do not replace (a timed-out send's error
  // stays beside the outcome an inquiry found).
  if (seen.attempts[attempt - 1]?.outcome === "NOT_SENT") {
    for (const key of ANSWER_FIELDS) if (fields[key] === undefined) unset[`${at}.${key}`] = "";
  }
}

/** The $set and $unset entries of a patch that touch attempts, the route and the source account. */
function attemptChanges(seen: TransferRecord, patch: TransitionPatch): { set: Record<string, unknown>; unset: Record<string, ""> } {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ""> = {};
  if (patch.answer !== undefined) answerChanges(seen, patch.answer, set, unset);
  if (patch.resend !== undefined) {
    const at = `attempts.${patch.resend.attempt - 1}`;
    Object.assign(set, { [`${at}.sentAt`]: patch.resend.sentAt, [`${at}.resends`]: patch.resend.resends, [`${at}.earlierSends`]: patch.resend.earlierSends });
    // The re-send may reach the bank: the answer to the send it repeats no longer describes the
    // attempt. A "not sent" left standing would have a crash during this re-send re-sent at once,
    // while the bank may still be booking it.
    for (const key of ANSWER_FIELDS) unset[`${at}.${key}`] = "";
  }
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.reroute !== undefined) {
    Object.assign(set, { route: patch.reroute.route, sourceAccountNumber: patch.reroute.source.accountNumber, sourceAccountName: patch.reroute.source.accountName });
  }
  return { set, unset };
}
