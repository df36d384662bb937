import type convict from "convict";
import { commonConfigSchema, DEFAULT_PORTS, LOCAL_BANK_CREDENTIALS, type PartnerBank } from "@gerbang/shared";
import type { BcaCredentials, BniCredentials, MandiriCredentials } from "./credentials";

export interface SandboxConfig {
  port: number;
  tokenTtlSeconds: number;
  journalFile: string;
  logLevel: string;
  bni: BniCredentials;
  bca: BcaCredentials;
  mandiri: MandiriCredentials;
}

const DEFAULT_PORT: Record<PartnerBank, number> = {
  bni: DEFAULT_PORTS.sandboxBni, bca: DEFAULT_PORTS.sandboxBca, mandiri: DEFAULT_PORTS.sandboxMandiri,
};

const secret = (doc: string, env: string, value: string) => ({ doc, format: String, default: value, env, sensitive: true });
const plain = (doc: string, env: string, value: string) => ({ doc, format: String, default: value, env });
const bni = LOCAL_BANK_CREDENTIALS.bni;
const bca = LOCAL_BANK_CREDENTIALS.bca;
const mandiri = LOCAL_BANK_CREDENTIALS.mandiri;

/**
 * One sandbox's settings; the default port depends on the bank. Credentials are what callers
 * must present (defaults: the local demo credentials every bank service uses by default).
 */
export function sandboxConfigSchema(bank: PartnerBank): convict.Schema<SandboxConfig> {
  return {
    port: { doc: "Loopback port to listen on.", format: "tcp-port", default: DEFAULT_PORT[bank], env: "PORT" },
    tokenTtlSeconds: {
      doc: "Lifetime of issued access tokens in seconds; 0: the bank's own (BNI 3600, BCA 3599, Mandiri 3600).",
      format: "whole", default: 0, env: "SANDBOX_TOKEN_TTL_SECONDS",
    },
    journalFile: {
      doc: "File the bank's books are appended to and read back from at start, so a restart forgets nothing (make run sets it); empty: books in memory only.",
      format: String, default: "", env: "SANDBOX_JOURNAL_FILE",
    },
    logLevel: commonConfigSchema.logLevel,
    bni: {
      clientId: plain("BNI OAuth client id.", "BNI_CLIENT_ID", bni.clientId),
      clientSecret: secret("BNI OAuth client secret.", "BNI_CLIENT_SECRET", bni.clientSecret),
      apiKey: secret("BNI X-API-Key.", "BNI_API_KEY", bni.apiKey),
      apiSecret: secret("BNI API secret (key of the in-body JWT signature).", "BNI_API_SECRET", bni.apiSecret),
      companyId: plain("BNI companyId the client is registered with.", "BNI_COMPANY_ID", bni.companyId),
    },
    bca: {
      clientId: plain("BCA OAuth client id.", "BCA_CLIENT_ID", bca.clientId),
      clientSecret: secret("BCA OAuth client secret.", "BCA_CLIENT_SECRET", bca.clientSecret),
      apiKey: secret("BCA X-BCA-Key.", "BCA_API_KEY", bca.apiKey),
      apiSecret: secret("BCA API secret (key of X-BCA-Signature).", "BCA_API_SECRET", bca.apiSecret),
      corporateId: plain("BCA CorporateID of the client.", "BCA_CORPORATE_ID", bca.corporateId),
    },
    mandiri: {
      appId: plain("Mandiri gateway app_id.", "MANDIRI_APP_ID", mandiri.appId),
      appKey: secret("Mandiri gateway app key (Basic user).", "MANDIRI_APP_KEY", mandiri.appKey),
      appSecret: secret("Mandiri gateway app secret (Basic password).", "MANDIRI_APP_SECRET", mandiri.appSecret),
    },
  };
}
