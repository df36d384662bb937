import { Schema, type Connection, type Model } from "mongoose";
import { initUniqueIndexes } from "@gerbang/shared";

/**
 * Registered apps (the paper's Table 3) with their IP allowlists and their escrow (source)
 * account at each partner bank. Plain objects leave this file.
 */

export interface EscrowAccount {
  /** Partner bank code the account is held at. */
  bankCode: string;
  accountNumber: string;
  accountName: string;
}

export interface Client {
  /** The app's id; the `sub` of its tokens. */
  clientId: string;
  serviceName: string;
  /** HS256 key the app signs its tokens with. */
  keyToken: string;
  /** IPs and CIDRs the app may call from. */
  allowedIps: string[];
  escrowAccounts: EscrowAccount[];
  /** A disabled app is refused like an unknown one. */
  active: boolean;
  /**
   * May a transfer go interbank through another partner when the destination partner's service
   * is unreachable before anything was sent? Off unless set (fees differ, so the app opts in).
   */
  fallbackRouting?: boolean;
}

const escrowSchema = new Schema<EscrowAccount>(
  { bankCode: { type: String, required: true }, accountNumber: { type: String, required: true }, accountName: { type: String, required: true } },
  { _id: false },
);

const clientSchema = new Schema<Client>(
  {
    clientId: { type: String, required: true, unique: true },
    serviceName: { type: String, required: true },
    keyToken: { type: String, required: true },
    allowedIps: { type: [String], default: [] },
    escrowAccounts: { type: [escrowSchema], default: [] },
    active: { type: Boolean, default: true },
    fallbackRouting: { type: Boolean, default: false },
  },
  { collection: "clients", versionKey: false },
);

export interface ClientStore {
  listClients(): Promise<Client[]>;
  upsertClient(client: Client): Promise<void>;
}

export async function createClientStore(connection: Connection): Promise<ClientStore> {
  const Clients = (connection.models.Client as Model<Client> | undefined) ?? connection.model<Client>("Client", clientSchema);
  await initUniqueIndexes(Clients); // unique indexes must exist before the first write relies on them
  return {
    listClients: async () => (await Clients.find().lean<Client[]>()).map((c) => ({
      clientId: c.clientId,
      serviceName: c.serviceName,
      keyToken: c.keyToken,
      allowedIps: [...c.allowedIps],
      escrowAccounts: c.escrowAccounts.map((e) => ({ bankCode: e.bankCode, accountNumber: e.accountNumber, accountName: e.accountName })),
      active: c.active,
      fallbackRouting: c.fallbackRouting === true,
    })),
    upsertClient: async (client) => {
      await Clients.updateOne({ clientId: client.clientId }, { $set: client }, { upsert: true });
    },
  };
}
