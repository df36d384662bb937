import { Schema, type Connection, type Model } from "mongoose";
import { deriveRequestId, DIGITS, isDuplicateKeyError, type AttemptKey } from "@gerbang/shared";

/**
 * BCA's TransactionID has 8 digits and must be unique per day. An id derived from (reference,
 * attempt) alone collides by the birthday bound (about once a day at ten thousand BCA transfers),
 * and BCA answers the second transfer with ESB-82-003, which cannot be told apart from a resend
 * of our own when amount and accounts are equal: the second would be reported with the first's
 * outcome. So ids are allocated: each (transactionDate, TransactionID) belongs to one attempt,
 * written to the database before anything is sent. The derived id is the first candidate, so
 * nearly every attempt gets it; a taken one moves the attempt to the next derived candidate.
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
  /** The id to send this attempt under: allocated durably on its first send, the same on every later call. */
  forSend(key: AttemptKey): Promise<string>;
  /** The id this attempt was sent under; the first candidate when none was allocated (sent before allocation existed, or never sent). */
  forInquiry(key: AttemptKey): Promise<string>;
}

export async function createTransactionIds(connection: Connection): Promise<TransactionIds> {
  const Ids = (connection.models.BcaTransactionId as Model<AllocatedId> | undefined) ?? connection.model<AllocatedId>("BcaTransactionId", allocatedIdSchema);
  await Ids.init(); // the unique index must exist before the first allocation relies on it
  const allocated = async (key: AttemptKey) =>
    (await Ids.findOne({ referenceNumber: key.referenceNumber, attempt: key.attempt }, { transactionId: 1 }).lean())?.transactionId;

  return {
    forSend: async (key) => {
      for (let k = 0; k < MAX_CANDIDATES; k += 1) {
        const transactionId = candidateId(key.referenceNumber, key.attempt, k);
        try {
          await Ids.create({
            _id: `${key.transactionDate}/${transactionId}`, referenceNumber: key.referenceNumber, attempt: key.attempt,
            transactionDate: key.transactionDate, transactionId, createdAt: new Date(),
          });
          return transactionId;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Either this attempt has its id already (a resend, or a concurrent first send), or
          // another attempt holds this candidate on this day: then the next candidate.
          const mine = await allocated(key);
          if (mine !== undefined) return mine;
        }
      }
      throw new Error(`no free TransactionID for ${key.referenceNumber}#${key.attempt} on ${key.transactionDate} after ${MAX_CANDIDATES} candidates`);
    },
    forInquiry: async (key) => (await allocated(key)) ?? candidateId(key.referenceNumber, key.attempt, 0),
  };
}
