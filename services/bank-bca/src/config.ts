import type convict from "convict";
import { bankServiceConfigSchema, commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, loadBankConfig, type BankServiceSettings } from "@gerbang/shared";
import type { BcaCredentials } from "./bank-api";

export interface BcaConfig extends BankServiceSettings {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  /** `Origin` header BCA requires on every call. */
  origin: string;
  credentials: BcaCredentials;
}

const local = LOCAL_BANK_CREDENTIALS.bca;
const secret = (doc: string, env: string, fallback: string) => ({ doc, format: String, default: fallback, env, sensitive: true });

/** BCA service settings; credential defaults are the local sandbox's, never production's. */
export const configSchema: convict.Schema<BcaConfig> = {
  ...commonConfigSchema,
  ...bankServiceConfigSchema({ port: DEFAULT_PORTS.bankBca, hostEnv: "HOST_BCA", host: `http://127.0.0.1:${DEFAULT_PORTS.sandboxBca}` }),
  origin: { doc: "Origin header registered with BCA.", format: String, default: "gerbang.local", env: "BCA_ORIGIN" },
  credentials: {
    clientId: { doc: "OAuth client_id at BCA.", format: String, default: local.clientId, env: "BCA_CLIENT_ID" },
    clientSecret: secret("OAuth client_secret at BCA.", "BCA_CLIENT_SECRET", local.clientSecret),
    apiKey: secret("X-BCA-Key.", "BCA_API_KEY", local.apiKey),
    apiSecret: secret("Secret of X-BCA-Signature.", "BCA_API_SECRET", local.apiSecret),
    corporateId: { doc: "KlikBCA Bisnis CorporateID.", format: String, default: local.corporateId, env: "BCA_CORPORATE_ID" },
  },
};

export function loadBcaConfig(overrides: Record<string, unknown> = {}): BcaConfig {
  return loadBankConfig(configSchema, overrides, local);
}
