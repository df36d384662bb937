import { Schema, type Connection, type Model } from "mongoose";
import { deriveRequestId, DIGITS, failedPrecondition, groupedInsert, initUniqueIndexes, jakartaDaysBefore, type AttemptKey, type Logger } from "@gerbang/shared";

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
// The purge deletes whole days by equality, which the embedded FerretDB narrows through an index (not a range).
allocatedIdSchema.index({ transactionDate: 1 });

/**
 * Days an allocation is kept: BCA's SNAP API holds a transactionId unique for 90 days, and its
 * status inquiry looks back 31. Older days are purged, and an attempt of such a day is neither
 * sent nor asked about: its allocation may be gone, and a new one could hand it an id another
 * attempt used that day, whose booking would then answer for it.
 */
export const RETENTION_DAYS = 90;
/** The purge waits one more day, so an instance whose clock runs behind never re-allocates a day another has purged. */
const PURGE_MARGIN_DAYS = 1;
/** Days the first purge of a process goes back: a service stopped for up to this long still purges what it missed. */
const FIRST_PURGE_DAYS = 366;
/** Days every later purge goes back (it runs hourly: a day is normally purged many times over, at no cost). */
const LATER_PURGE_DAYS = 7;

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
  /** Deletes the allocations of days past the retention; returns how many. */
  purge(): Promise<number>;
  /** Stops the background purge, if one was started. */
  close(): void;
}

export interface TransactionIdOptions {
  clock?: () => Date;
  /** Purges at once and hourly in the background, reporting through this logger (the service; tests call purge()). */
  purgeLogger?: Logger;
}

/** How often the background purge runs (a day is one indexed delete; most runs find nothing). */
const PURGE_INTERVAL_MS = 60 * 60_000;

export async function createTransactionIds(connection: Connection, options: TransactionIdOptions = {}): Promise<TransactionIds> {
  const clock = options.clock ?? (() => new Date());
  const Ids = (connection.models.BcaTransactionId as Model<AllocatedId> | undefined) ?? connection.model<AllocatedId>("BcaTransactionId", allocatedIdSchema);
  await initUniqueIndexes(Ids); // the unique indexes must exist before the first allocation relies on them
  // Concurrent sends share one insert command (group commit), as the gateway's ledger writes do;
  // each hears its own document's outcome (inserted or duplicate).
  const insertId = groupedInsert(Ids.collection);
  let purgedBefore = false;
  const allocated = async (key: AttemptKey) =>
    (await Ids.findOne({ referenceNumber: key.referenceNumber, attempt: key.attempt }, { transactionId: 1 }).lean())?.transactionId;

  let timer: NodeJS.Timeout | undefined;
  const ids: TransactionIds = {
    allocate: async (key) => {
      const oldestKept = jakartaDaysBefore(clock(), RETENTION_DAYS);
      if (key.transactionDate < oldestKept) {
        // A refusal of this attempt, not a fault of the bank: it must not count against BCA's breaker at the gateway.
        throw failedPrecondition(`transaction date ${key.transactionDate} is older than the ${RETENTION_DAYS} days TransactionIDs are kept (from ${oldestKept}); nothing is sent or asked under it`);
      }
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
    // One delete per day, each a day's allocations found through the index: a first purge after a
    // long stop must not hold the database for one huge delete while allocations wait behind it.
    purge: async () => {
      const now = clock();
      const days = Array.from({ length: purgedBefore ? LATER_PURGE_DAYS : FIRST_PURGE_DAYS }, (_, i) => jakartaDaysBefore(now, RETENTION_DAYS + PURGE_MARGIN_DAYS + 1 + i));
      let deleted = 0;
      for (const day of days) deleted += (await Ids.collection.deleteMany({ transactionDate: day })).deletedCount;
      purgedBefore = true;
      return deleted;
    },
    close: () => { clearInterval(timer); },
  };
  const logger = options.purgeLogger;
  if (logger !== undefined) {
    const purgeNow = () => {
      ids.purge()
        .then((deleted) => { if (deleted > 0) logger.info({ deleted }, "purged TransactionID allocations past their retention"); })
        .catch((error: unknown) => { logger.warn({ err: error }, "TransactionID purge failed; tried again later"); });
    };
    purgeNow();
    timer = setInterval(purgeNow, PURGE_INTERVAL_MS);
    timer.unref();
  }
  return ids;
}
