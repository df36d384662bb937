import { Schema, type Connection, type Model } from "mongoose";

/**
 * The partner registry both the gateway and the bank services read: partners (the paper's
 * Table 1, plus aliases) and routes (Table 2, plus one STATUS_INQUIRY row per bank). Plain
 * objects leave this file; callers never see mongoose documents.
 */

/** Route usages: the two of Table 2, and the status inquiry each bank service also needs. */
export const ROUTE_USAGES = ["TRANSFER", "TRANSFER_INTERBANK", "STATUS_INQUIRY"] as const;
export type RouteUsage = (typeof ROUTE_USAGES)[number];

export interface Partner {
  /** Bank Indonesia code as in Table 1 (Mandiri keeps the paper's 800). */
  bankCode: string;
  bankName: string;
  /** Smaller is preferred for interbank transfers (BNI = 1). */
  priority: number;
  /** Shared secret of gateway and this bank's service (HS256). */
  keyToken: string;
  /** host:port of the bank service's gRPC server. */
  serviceUrl: string;
  /** Other codes that reach this partner (008 for Mandiri). */
  aliases: string[];
}

export interface Route {
  bankCode: string;
  usage: RouteUsage;
  method: "GET" | "POST";
  /** The paper's local endpoint name (kept for the record; the mesh uses gRPC). */
  localEndpoint: string;
  /** The bank's endpoint, with `{{hostX}}` variables that each bank service resolves from its config. */
  externalEndpoint: string;
}

const partnerSchema = new Schema<Partner>(
  {
    bankCode: { type: String, required: true, unique: true },
    bankName: { type: String, required: true },
    priority: { type: Number, required: true },
    keyToken: { type: String, required: true },
    serviceUrl: { type: String, required: true },
    aliases: { type: [String], default: [] },
  },
  { collection: "partners", versionKey: false },
);

const routeSchema = new Schema<Route>(
  {
    bankCode: { type: String, required: true },
    usage: { type: String, required: true, enum: ROUTE_USAGES },
    method: { type: String, required: true, enum: ["GET", "POST"] },
    localEndpoint: { type: String, required: true },
    externalEndpoint: { type: String, required: true },
  },
  { collection: "routes", versionKey: false },
);
routeSchema.index({ bankCode: 1, usage: 1 }, { unique: true });

export interface RegistryStore {
  listPartners(): Promise<Partner[]>;
  listRoutes(bankCode?: string): Promise<Route[]>;
  upsertPartner(partner: Partner): Promise<void>;
  upsertRoute(route: Route): Promise<void>;
}

export function createRegistryStore(connection: Connection): RegistryStore {
  const Partners = (connection.models.Partner as Model<Partner> | undefined) ?? connection.model<Partner>("Partner", partnerSchema);
  const Routes = (connection.models.Route as Model<Route> | undefined) ?? connection.model<Route>("Route", routeSchema);
  const plainPartner = (p: Partner): Partner => ({
    bankCode: p.bankCode, bankName: p.bankName, priority: p.priority, keyToken: p.keyToken, serviceUrl: p.serviceUrl, aliases: [...p.aliases],
  });
  const plainRoute = (r: Route): Route => ({
    bankCode: r.bankCode, usage: r.usage, method: r.method, localEndpoint: r.localEndpoint, externalEndpoint: r.externalEndpoint,
  });
  return {
    listPartners: async () => (await Partners.find().lean<Partner[]>()).map(plainPartner),
    listRoutes: async (bankCode) => (await Routes.find(bankCode === undefined ? {} : { bankCode }).lean<Route[]>()).map(plainRoute),
    upsertPartner: async (partner) => {
      await Partners.updateOne({ bankCode: partner.bankCode }, { $set: partner }, { upsert: true });
    },
    upsertRoute: async (route) => {
      await Routes.updateOne({ bankCode: route.bankCode, usage: route.usage }, { $set: route }, { upsert: true });
    },
  };
}
