import { Schema, type Connection, type Model } from "mongoose";
import { isDuplicateKeyError } from "@gerbang/shared";
import { canTransition, INITIAL_STATES, TRANSFER_STATES, type TransferState } from "./transfer-states";

/**
 * The ledger: one document per transfer in `transfers`. Unique on (clientId, clientReferenceNo),
 * which makes the idempotency claim atomic, and on referenceNumber. Every state change is one
 * conditional findOneAndUpdate from the expected state (FerretDB has no multi-document
 * transactions, so nothing here spans two documents).
 */

export type Usage = "TRANSFER" | "TRANSFER_INTERBANK";

/** What the bank said about one attempt. NOT_SENT: the bank service guarantees nothing reached the bank. NO_ANSWER: timeout or transport error. */
export type AttemptOutcome = "SUCCESS" | "FAILED" | "PENDING" | "NOT_SENT" | "NO_ANSWER";

export interface Attempt {
  attempt: number;
  /** Partner whose service carried the attempt. */
  partnerBankCode: string;
  usage: Usage;
  /** YYYY-MM-DD in Asia/Jakarta, as sent (banks key request ids per day). */
  transactionDate: string;
  sentAt: Date;
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
}

export interface RouteDecision {
  bankCode: string;
  usage: Usage;
  /** Why this partner and route were chosen (kept for audit). */
  reason: string;
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
  createdAt: Date;
  updatedAt: Date;
}

const attemptSchema = new Schema<Attempt>({
  attempt: Number, partnerBankCode: String, usage: String, transactionDate: String, sentAt: Date, answeredAt: Date,
  outcome: String, bankRequestId: String, bankCode: String, bankMessage: String, bankReference: String, error: String,
}, { _id: false });

const transferSchema = new Schema<TransferRecord>({
  referenceNumber: { type: String, required: true, unique: true },
  clientId: { type: String, required: true },
  clientReferenceNo: { type: String, required: true },
  fingerprint: String, beneficiaryBankCode: String, beneficiaryBankName: String, beneficiaryAccountNumber: String,
  beneficiaryAccountName: String, amount: String, currency: String, remark: String, sourceAccountNumber: String, sourceAccountName: String,
  route: { bankCode: String, usage: String, reason: String },
  state: { type: String, enum: TRANSFER_STATES, required: true },
  attempts: { type: [attemptSchema], default: [] },
  bankReference: String, bankResponseCode: String, bankResponseMessage: String,
  leaseOwner: String, leaseUntil: Date, nextCheckAt: Date, createdAt: Date, updatedAt: Date,
}, { collection: "transfers", versionKey: false });
transferSchema.index({ clientId: 1, clientReferenceNo: 1 }, { unique: true });
transferSchema.index({ state: 1, nextCheckAt: 1 }); // the resolver's scan of non-final transfers

/** The fields a transition may change besides the state itself. */
export interface TransitionPatch {
  /** Fills in the answer of attempt number `attempt` (already in the array). */
  answer?: { attempt: number } & Pick<Attempt, "answeredAt" | "outcome" | "bankRequestId" | "bankCode" | "bankMessage" | "bankReference" | "error">;
  /** Records a new attempt before it is sent. */
  newAttempt?: Attempt;
  bankReference?: string;
  bankResponseCode?: string;
  bankResponseMessage?: string;
  /** Take (object) or release (null) the lease. */
  lease?: { owner: string; until: Date } | null;
  nextCheckAt?: Date | null;
}

export type InsertResult = "inserted" | "duplicate";

export interface TransferStore {
  /** Inserts a new transfer; "duplicate" when (clientId, clientReferenceNo) exists. A referenceNumber collision throws. */
  insert(record: TransferRecord): Promise<InsertResult>;
  findByReference(clientId: string, referenceNumber: string): Promise<TransferRecord | undefined>;
  findByClientReference(clientId: string, clientReferenceNo: string): Promise<TransferRecord | undefined>;
  /** Moves one transfer from `from` to `to` if, and only if, it is still in `from`; undefined when it was not. */
  transition(referenceNumber: string, from: TransferState, to: TransferState, patch: TransitionPatch, now: Date): Promise<TransferRecord | undefined>;
}

export class ReferenceCollisionError extends Error {
  override readonly name = "ReferenceCollisionError";
}

export async function createTransferStore(connection: Connection): Promise<TransferStore> {
  const Transfers = (connection.models.Transfer as Model<TransferRecord> | undefined) ?? connection.model<TransferRecord>("Transfer", transferSchema);
  await Transfers.init(); // the unique indexes are the idempotency guarantee: they must exist before the first insert
  const findOne = async (filter: Record<string, string>) => (await Transfers.findOne(filter, { _id: 0 }).lean<TransferRecord>()) ?? undefined;
  return {
    insert: async (record) => {
      if (!INITIAL_STATES.includes(record.state)) throw new Error(`a transfer cannot start in ${record.state}`);
      try {
        await Transfers.collection.insertOne({ ...record });
        return "inserted";
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Which unique index refused? Only the idempotency key counts as a duplicate request.
        if (await findOne({ clientId: record.clientId, clientReferenceNo: record.clientReferenceNo }) !== undefined) return "duplicate";
        throw new ReferenceCollisionError(`reference number ${record.referenceNumber} already taken`, { cause: error });
      }
    },
    findByReference: (clientId, referenceNumber) => findOne({ clientId, referenceNumber }),
    findByClientReference: (clientId, clientReferenceNo) => findOne({ clientId, clientReferenceNo }),
    transition: async (referenceNumber, from, to, patch, now) => {
      if (!canTransition(from, to)) throw new Error(`transition ${from} -> ${to} is not allowed`);
      const update = toUpdate(to, patch, now);
      // No projection: FerretDB's findAndModify does not implement one.
      const found = await Transfers.findOneAndUpdate({ referenceNumber, state: from }, update, { returnDocument: "after" }).lean<TransferRecord & { _id?: unknown }>();
      return found === null ? undefined : withoutId(found);
    },
  };
}

function withoutId(doc: TransferRecord & { _id?: unknown }): TransferRecord {
  const record = { ...doc };
  delete record._id;
  return record;
}

function toUpdate(to: TransferState, patch: TransitionPatch, now: Date): Record<string, Record<string, unknown>> {
  const set: Record<string, unknown> = { state: to, updatedAt: now };
  const unset: Record<string, ""> = {};
  if (patch.answer !== undefined) {
    const { attempt, ...fields } = patch.answer;
    // Attempt n sits at index n - 1 (attempts are only ever appended, in order).
    for (const [key, value] of Object.entries(fields) as [string, unknown][]) if (value !== undefined) set[`attempts.${attempt - 1}.${key}`] = value;
  }
  for (const key of ["bankReference", "bankResponseCode", "bankResponseMessage"] as const) {
    if (patch[key] !== undefined) set[key] = patch[key];
  }
  if (patch.lease === null) Object.assign(unset, { leaseOwner: "", leaseUntil: "" });
  else if (patch.lease !== undefined) Object.assign(set, { leaseOwner: patch.lease.owner, leaseUntil: patch.lease.until });
  if (patch.nextCheckAt === null) unset.nextCheckAt = "";
  else if (patch.nextCheckAt !== undefined) set.nextCheckAt = patch.nextCheckAt;
  const update: Record<string, Record<string, unknown>> = { $set: set };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  if (patch.newAttempt !== undefined) update.$push = { attempts: patch.newAttempt };
  return update;
}
