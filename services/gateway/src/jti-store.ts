import { Schema, type Connection, type Model } from "mongoose";
import { groupedInsert, initUniqueIndexes } from "@gerbang/shared";

/**
 * Token ids already used, shared by every gateway instance through the database. The unique
 * index makes "first use wins" atomic; entries are deleted once their token is no longer
 * accepted (a periodic purge, since FerretDB's TTL indexes are not to be relied on).
 */
interface UsedJti {
  clientId: string;
  jti: string;
  /** When the token stops being accepted. */
  expiresAt: Date;
  /** The first bucket boundary at or after expiresAt, as ISO text: the purge deletes whole buckets. */
  purgeFrom: string;
}

const usedJtiSchema = new Schema<UsedJti>(
  {
    clientId: { type: String, required: true },
    jti: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    purgeFrom: { type: String, required: true },
  },
  { collection: "used_jtis", versionKey: false },
);
usedJtiSchema.index({ clientId: 1, jti: 1 }, { unique: true });
usedJtiSchema.index({ purgeFrom: 1 });

/**
 * Entries are purged in buckets of 10 s, every 10 s: each delete is small (at 180 transfers/s,
 * ~1,800 entries, ~0.1 s of the embedded database's time; a whole minute's was 0.7 s, during which
 * SQLite's single writer held up the ledger's writes).
 */
export const JTI_PURGE_INTERVAL_MS = 10_000;
const BUCKET_MS = JTI_PURGE_INTERVAL_MS;
/** Time swept again on every purge: a late tick, or another gateway's clock running behind. */
const SWEEP_OVERLAP_MS = 10 * 60_000;
/**
 * Entries are kept this long after their token stops being accepted. Every instance judges expiry
 * by its own clock: one whose clock runs ahead would otherwise delete a jti that another instance
 * still accepts, and a replay to that instance would pass.
 */
export const CLOCK_SKEW_MARGIN_MS = 60_000;
/** After a longer gap since the last purge, sweep the whole collection instead of listing buckets. */
const FULL_SWEEP_AFTER_MS = 24 * 60 * 60_000;

/** The stored entry of a used jti (also what bench/db-ceiling.ts writes, to measure the same). */
export function usedJtiEntry(clientId: string, jti: string, expiresAt: Date): UsedJti {
  return { clientId, jti, expiresAt, purgeFrom: new Date(Math.ceil(expiresAt.getTime() / BUCKET_MS) * BUCKET_MS).toISOString() };
}

export interface JtiStore {
  /** Records the jti; false when it was used before (a replay). */
  claim(clientId: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** Deletes entries whose tokens stopped being accepted by `now` less CLOCK_SKEW_MARGIN_MS; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export async function createJtiStore(connection: Connection): Promise<JtiStore> {
  const UsedJtis = (connection.models.UsedJti as Model<UsedJti> | undefined) ?? connection.model<UsedJti>("UsedJti", usedJtiSchema);
  await initUniqueIndexes(UsedJtis); // unique indexes must exist before the first write relies on them
  let sweptThrough: number | undefined;
  const insertJti = groupedInsert(UsedJtis.collection); // concurrent requests share one insert (group commit)
  return {
    claim: async (clientId, jti, expiresAt) => await insertJti(usedJtiEntry(clientId, jti, expiresAt)) === "inserted",
    // Deletes whole buckets whose entries all expired. The first purge of a process, which may
    // follow a long stop, sweeps everything by expiresAt; later ones are an equality on a list of
    // buckets, which the embedded FerretDB answers from the purgeFrom index. It narrows no range:
    // {expiresAt: {$lt: now}} read and decoded every entry, ~50,000 at 180 transfers/s (5 minutes
    // of tokens): 1.4-1.6 s of database time on every purge, which stalled the transfers behind it.
    purgeExpired: async (now) => {
      const cutoff = now.getTime() - CLOCK_SKEW_MARGIN_MS;
      const current = Math.floor(cutoff / BUCKET_MS) * BUCKET_MS;
      const last = sweptThrough;
      const filter = last === undefined || current - last > FULL_SWEEP_AFTER_MS
        ? { expiresAt: { $lt: new Date(cutoff) } }
        : { purgeFrom: { $in: bucketsFrom(Math.min(last, current) - SWEEP_OVERLAP_MS, current) } };
      const { deletedCount } = await UsedJtis.collection.deleteMany(filter);
      sweptThrough = current;
      return deletedCount;
    },
  };
}

/** Every bucket boundary from `from` to `to` (both boundaries, ms), as ISO text. */
function bucketsFrom(from: number, to: number): string[] {
  const buckets: string[] = [];
  for (let b = from; b <= to; b += BUCKET_MS) buckets.push(new Date(b).toISOString());
  return buckets;
}
