import { Schema, type Connection, type Model } from "mongoose";
import { isDuplicateKeyError } from "@gerbang/shared";

/**
 * Token ids already used, shared by every gateway instance through the database. The unique
 * index makes "first use wins" atomic; entries are deleted once their token has expired (a
 * periodic purge, since FerretDB's TTL indexes are not to be relied on).
 */
interface UsedJti {
  clientId: string;
  jti: string;
  expiresAt: Date;
}

const usedJtiSchema = new Schema<UsedJti>(
  { clientId: { type: String, required: true }, jti: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: "used_jtis", versionKey: false },
);
usedJtiSchema.index({ clientId: 1, jti: 1 }, { unique: true });
usedJtiSchema.index({ expiresAt: 1 });

export interface JtiStore {
  /** Records the jti; false when it was used before (a replay). */
  claim(clientId: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** Deletes entries whose tokens expired before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export async function createJtiStore(connection: Connection): Promise<JtiStore> {
  const UsedJtis = (connection.models.UsedJti as Model<UsedJti> | undefined) ?? connection.model<UsedJti>("UsedJti", usedJtiSchema);
  await UsedJtis.init(); // unique indexes must exist before the first write relies on them
  return {
    claim: async (clientId, jti, expiresAt) => {
      try {
        await UsedJtis.collection.insertOne({ clientId, jti, expiresAt });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    purgeExpired: async (now) => (await UsedJtis.deleteMany({ expiresAt: { $lt: now } })).deletedCount,
  };
}
