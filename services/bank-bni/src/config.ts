import type convict from "convict";
import { bankServiceConfigSchema, commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, credentialSetting, loadBankConfig, type BankServiceSettings } from "@gerbang/shared";
import type { BniCredentials } from "./bank-api";

export interface BniConfig extends BankServiceSettings {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  credentials: BniCredentials;
}

const local = LOCAL_BANK_CREDENTIALS.bni;

/** BNI service settings; credential defaults are the local sandbox's, never production's. */
export const configSchema: convict.Schema<BniConfig> = {
  ...commonConfigSchema,
  ...bankServiceConfigSchema({ port: DEFAULT_PORTS.bankBni, hostEnv: "HOST_BNI", host: `http://127.0.0.1:${DEFAULT_PORTS.sandboxBni}` }),
  credentials: {
    clientId: credentialSetting("OAuth client_id at BNI.", "BNI_CLIENT_ID", local.clientId),
    clientSecret: credentialSetting("OAuth client_secret at BNI.", "BNI_CLIENT_SECRET", local.clientSecret, { secret: true }),
    apiKey: credentialSetting("X-API-Key at BNI.", "BNI_API_KEY", local.apiKey, { secret: true }),
    apiSecret: credentialSetting("Secret of the in-body JWT signature.", "BNI_API_SECRET", local.apiSecret, { secret: true }),
    companyId: credentialSetting("request.header.companyId.", "BNI_COMPANY_ID", local.companyId, { maxLength: 40 }),
    parentCompanyId: credentialSetting("request.header.parentCompanyId; empty: none is sent (a company with no parent).", "BNI_PARENT_COMPANY_ID", local.parentCompanyId, { optional: true, maxLength: 40 }),
  },
};

export function loadBniConfig(overrides: Record<string, unknown> = {}): BniConfig {
  return loadBankConfig(configSchema, overrides);
}
