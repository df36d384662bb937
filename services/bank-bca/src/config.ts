import type convict from "convict";
import { bankServiceConfigSchema, commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, credentialSetting, loadBankConfig, type BankServiceSettings } from "@gerbang/shared";
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
/** The sandbox's Origin; BCA checks the one registered for the corporate, never this. */
const DEMO_ORIGIN = "gerbang.local";

/** BCA service settings; credential defaults are the local sandbox's, never production's. */
export const configSchema: convict.Schema<BcaConfig> = {
  ...commonConfigSchema,
  ...bankServiceConfigSchema({ port: DEFAULT_PORTS.bankBca, hostEnv: "HOST_BCA", host: `http://127.0.0.1:${DEFAULT_PORTS.sandboxBca}` }),
  origin: { doc: "Origin header registered with BCA (required on every call).", format: "non-empty", default: DEMO_ORIGIN, env: "BCA_ORIGIN" },
  credentials: {
    clientId: credentialSetting("OAuth client_id at BCA.", "BCA_CLIENT_ID", local.clientId),
    clientSecret: credentialSetting("OAuth client_secret at BCA.", "BCA_CLIENT_SECRET", local.clientSecret, { secret: true }),
    apiKey: credentialSetting("X-BCA-Key.", "BCA_API_KEY", local.apiKey, { secret: true }),
    apiSecret: credentialSetting("Secret of X-BCA-Signature.", "BCA_API_SECRET", local.apiSecret, { secret: true }),
    corporateId: credentialSetting("KlikBCA Bisnis CorporateID.", "BCA_CORPORATE_ID", local.corporateId),
  },
};

export function loadBcaConfig(overrides: Record<string, unknown> = {}): BcaConfig {
  // The Origin as a demo credential: left at the sandbox's value for the real BCA, every call would be refused.
  return loadBankConfig(configSchema, overrides, ["origin"]);
}
