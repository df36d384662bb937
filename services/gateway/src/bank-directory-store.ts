import { Schema, type Connection, type Model } from "mongoose";
import { MAX_BANK_NAME_LENGTH } from "@gerbang/shared";

/** Bank Indonesia's directory of bank codes: a destination outside it is refused before anything is recorded. */
export interface DirectoryBank {
  /** 3-digit code. */
  bankCode: string;
  bankName: string;
}

const bankSchema = new Schema<DirectoryBank>(
  // A longer name than a bank transfer carries would make every transfer to that bank fail (routing.ts refuses it).
  { bankCode: { type: String, required: true, unique: true }, bankName: { type: String, required: true, maxlength: MAX_BANK_NAME_LENGTH } },
  { collection: "bank_directory", versionKey: false },
);

export interface BankDirectoryStore {
  listBanks(): Promise<DirectoryBank[]>;
  upsertBank(bank: DirectoryBank): Promise<void>;
}

export async function createBankDirectoryStore(connection: Connection): Promise<BankDirectoryStore> {
  const Banks = (connection.models.DirectoryBank as Model<DirectoryBank> | undefined) ?? connection.model<DirectoryBank>("DirectoryBank", bankSchema);
  await Banks.init(); // unique indexes must exist before the first write relies on them
  return {
    listBanks: async () => (await Banks.find().lean<DirectoryBank[]>()).map((b) => ({ bankCode: b.bankCode, bankName: b.bankName })),
    upsertBank: async (bank) => {
      await Banks.updateOne({ bankCode: bank.bankCode }, { $set: bank }, { upsert: true, runValidators: true });
    },
  };
}
