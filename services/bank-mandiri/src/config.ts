import type convict from "convict";
import { bankServiceConfigSchema, commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, credentialSetting, loadBankConfig, type BankServiceSettings } from "@gerbang/shared";
import type { MandiriCredentials } from "./bank-api";

export interface MandiriConfig extends BankServiceSettings {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  credentials: MandiriCredentials;
}

const local = LOCAL_BANK_CREDENTIALS.mandiri;

/** Mandiri service settings; credential defaults are the local sandbox's, never production's. */
export const configSchema: convict.Schema<MandiriConfig> = {
  ...commonConfigSchema,
  ...bankServiceConfigSchema({ port: DEFAULT_PORTS.bankMandiri, hostEnv: "HOST_MANDIRI", host: `http://127.0.0.1:${DEFAULT_PORTS.sandboxMandiri}` }),
  credentials: {
    appId: credentialSetting("app_id at Mandiri's API gateway.", "MANDIRI_APP_ID", local.appId),
    appKey: credentialSetting("App key (Basic user) at Mandiri's API gateway.", "MANDIRI_APP_KEY", local.appKey, { secret: true }),
    appSecret: credentialSetting("App secret (Basic password) at Mandiri's API gateway.", "MANDIRI_APP_SECRET", local.appSecret, { secret: true }),
  },
};

export function loadMandiriConfig(overrides: Record<string, unknown> = {}): MandiriConfig {
  return loadBankConfig(configSchema, overrides);
}
