import { Schema, type Connection, type Model } from "mongoose";
import { deriveRequestId, DIGITS, groupedInsert, initUniqueIndexes, type AttemptKey } from "@gerbang/shared";

/**
 * BCA's TransactionID has 8 digits and must be unique per day. An id derived from (reference,
 * attempt) alone collides by the birthday bound (about once a day at ten thousand BCA transfers),
 * and BCA answers the second transfer with ESB-82-003, which cannot be told apart from a resend
 * of our own when amount and accounts are equal: the second would be reported with the first's
 * outcome. So ids are allocated: each (transactionDate, TransactionID) belongs to one attempt,
 * written to the database before anything is sent or asked. The derived id is the first
 * candidate, so nearly every attempt gets it; a taken one moves the attempt to the next one. An
 * attempt sent before allocation existed gets its derived id on its first inquiry, unless another
 * attempt took it that day (the transition's one blind spot: then it is asked under its own new id).
 */
interface AllocatedId {
  /** `<transactionDate>/<TransactionID>`: the unique key BCA enforces, per day. */
  _id: string;
  referenceNumber: string;
  attempt: number;
  transactionDate: string;
  transactionId: string;
  createdAt: Date;
}

const allocatedIdSchema = new Schema<AllocatedId>(
  {
    _id: { type: String, required: true },
    referenceNumber: { type: String, required: true },
    attempt: { type: Number, required: true },
    transactionDate: { type: String, required: true },
    transactionId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: "bca_transaction_ids", versionKey: false },
);
// One id per attempt: a second allocation of the same attempt fails here and reads the first.
allocatedIdSchema.index({ referenceNumber: 1, attempt: 1 }, { unique: true });

/** Candidates tried before giving up: with 1e8 ids a day, even the fourth is taken with negligible probability. */
const MAX_CANDIDATES = 8;

/** The k-th candidate of an attempt; the first is the plain derived id (what ids were before allocation). */
export function candidateId(referenceNumber: string, attempt: number, k: number): string {
  return deriveRequestId(k === 0 ? referenceNumber : `${referenceNumber}#${k}`, attempt, DIGITS, 8);
}

export interface TransactionIds {
  /**
   * The id of this attempt: allocated durably on its first use, the same on every later call.
   * Inquiries allocate too: an attempt that never got an id (a crash before its send) must not be
   * asked about under a derived id that another attempt holds, whose booking would answer for it.
   */
  allocate(key: AttemptKey): Promise<string>;
}

export async function createTransactionIds(connection: Connection): Promise<TransactionIds> {
  const Ids = (connection.models.BcaTransactionId as Model<AllocatedId> | undefined) ?? connection.model<AllocatedId>("BcaTransactionId", allocatedIdSchema);
  await initUniqueIndexes(Ids); // the unique indexes must exist before the first allocation relies on them
  // Concurrent sends share one insert command (group commit), as the gateway's ledger writes do;
  // each hears its own document's outcome (inserted or duplicate).
  const insertId = groupedInsert(Ids.collection);
  const allocated = async (key: AttemptKey) =>
    (await Ids.findOne({ referenceNumber: key.referenceNumber, attempt: key.attempt }, { transactionId: 1 }).lean())?.transactionId;

  return {
    allocate: async (key) => {
      for (let k = 0; k < MAX_CANDIDATES; k += 1) {
        const transactionId = candidateId(key.referenceNumber, key.attempt, k);
        const doc: AllocatedId = {
          _id: `${key.transactionDate}/${transactionId}`, referenceNumber: key.referenceNumber, attempt: key.attempt,
          transactionDate: key.transactionDate, transactionId, createdAt: new Date(),
        };
        const outcome = await insertId(doc as never); // the raw collection's type says ObjectId _id; ours is the day's key
        if (outcome === "inserted") return transactionId;
        // Either this attempt has its id already (a resend, an inquiry, a concurrent first send),
        // or another attempt holds this candidate on this day: then the next candidate.
        const mine = await allocated(key);
        if (mine !== undefined) return mine;
      }
      throw new Error(`no free TransactionID for ${key.referenceNumber}#${key.attempt} on ${key.transactionDate} after ${MAX_CANDIDATES} candidates`);
    },
  };
}
