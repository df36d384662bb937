import type convict from "convict";
import { bankServiceConfigSchema, commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, loadBankConfig, type BankServiceSettings } from "@gerbang/shared";
import type { BniCredentials } from "./bank-api";

export interface BniConfig extends BankServiceSettings {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  credentials: BniCredentials;
}

const local = LOCAL_BANK_CREDENTIALS.bni;
const secret = (doc: string, env: string, fallback: string) => ({ doc, format: String, default: fallback, env, sensitive: true });

/** BNI service settings; credential defaults are the local sandbox's, never production's. */
export const configSchema: convict.Schema<BniConfig> = {
  ...commonConfigSchema,
  ...bankServiceConfigSchema({ port: DEFAULT_PORTS.bankBni, hostEnv: "HOST_BNI", host: `http://127.0.0.1:${DEFAULT_PORTS.sandboxBni}` }),
  credentials: {
    clientId: { doc: "OAuth client_id at BNI.", format: String, default: local.clientId, env: "BNI_CLIENT_ID" },
    clientSecret: secret("OAuth client_secret at BNI.", "BNI_CLIENT_SECRET", local.clientSecret),
    apiKey: secret("X-API-Key at BNI.", "BNI_API_KEY", local.apiKey),
    apiSecret: secret("Secret of the in-body JWT signature.", "BNI_API_SECRET", local.apiSecret),
    companyId: { doc: "request.header.companyId (at most 40).", format: String, default: local.companyId, env: "BNI_COMPANY_ID" },
    parentCompanyId: { doc: "request.header.parentCompanyId.", format: String, default: local.parentCompanyId, env: "BNI_PARENT_COMPANY_ID" },
  },
};

export function loadBniConfig(overrides: Record<string, unknown> = {}): BniConfig {
  return loadBankConfig(configSchema, overrides, local);
}
