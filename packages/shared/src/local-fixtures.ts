/**
 * Demo data that both sides of this machine must agree on: the escrow accounts that the seed
 * gives each client and that the bank sandboxes fund, and the default credentials that each bank
 * service presents and each sandbox accepts. Local and published values only: never production.
 */

/** Bank Indonesia codes of the partner banks (the paper keeps 800 for Mandiri; 008 is an alias). */
export const BANK_CODES = { bni: "009", bca: "014", mandiri: "800" } as const;
export type PartnerBank = keyof typeof BANK_CODES;

/** An account held at a sandbox bank. */
export interface FixtureAccount {
  accountNumber: string;
  accountName: string;
  /** Opening balance in whole rupiah. */
  balance: bigint;
  status: "ACTIVE" | "DORMANT" | "CLOSED";
  /** Held by the company that calls the bank (Gerbang's escrows): the only accounts its transfers may debit. */
  corporate?: boolean;
}

/** Escrow (source) account per client per partner bank; the sandboxes fund each with Rp10 billion. */
export const ESCROW_ACCOUNTS: Record<string, Record<PartnerBank, { accountNumber: string; accountName: string }>> = {
  "1": {
    bni: { accountNumber: "0115476117", accountName: "IKIPPOB" },
    bca: { accountNumber: "0201245680", accountName: "IKIPPOB" },
    mandiri: { accountNumber: "1370012345671", accountName: "IKIPPOB" },
  },
  "2": {
    bni: { accountNumber: "084765290", accountName: "IKIMODAL" }, // the paper's Figure 9
    bca: { accountNumber: "0201245690", accountName: "IKIMODAL" },
    mandiri: { accountNumber: "1370012345672", accountName: "IKIMODAL" },
  },
  "3": {
    bni: { accountNumber: "0115470003", accountName: "GERBANG LOCAL" },
    bca: { accountNumber: "0201240003", accountName: "GERBANG LOCAL" },
    mandiri: { accountNumber: "1370000000003", accountName: "GERBANG LOCAL" },
  },
};

const ESCROW_OPENING_BALANCE = 10_000_000_000n;

/** Beneficiary accounts each sandbox holds, including some that cannot receive money. */
const BENEFICIARIES: Record<PartnerBank, FixtureAccount[]> = {
  bni: [
    { accountNumber: "0115476119", accountName: "ERRY JULIO", balance: 0n, status: "ACTIVE" }, // the paper's Figure 9
    { accountNumber: "0115471119", accountName: "MAGDALENA INEKE", balance: 0n, status: "ACTIVE" },
    { accountNumber: "0115400001", accountName: "DORMANT BNI", balance: 0n, status: "DORMANT" },
    { accountNumber: "0115400002", accountName: "CLOSED BNI", balance: 0n, status: "CLOSED" },
  ],
  bca: [
    { accountNumber: "0201245681", accountName: "KEN AROK", balance: 0n, status: "ACTIVE" },
    { accountNumber: "0201245682", accountName: "KEN DEDES", balance: 0n, status: "ACTIVE" },
    { accountNumber: "0201200001", accountName: "DORMANT BCA", balance: 0n, status: "DORMANT" },
    { accountNumber: "0201200002", accountName: "CLOSED BCA", balance: 0n, status: "CLOSED" },
  ],
  mandiri: [
    { accountNumber: "1370098765431", accountName: "GAJAH MADA", balance: 0n, status: "ACTIVE" },
    { accountNumber: "1370098765432", accountName: "HAYAM WURUK", balance: 0n, status: "ACTIVE" },
    { accountNumber: "1370000000901", accountName: "DORMANT MANDIRI", balance: 0n, status: "DORMANT" },
    { accountNumber: "1370000000902", accountName: "CLOSED MANDIRI", balance: 0n, status: "CLOSED" },
  ],
};

/** Every account a sandbox opens with: all clients' escrow accounts there, funded, plus beneficiaries. */
export function sandboxAccounts(bank: PartnerBank): FixtureAccount[] {
  const escrows = Object.values(ESCROW_ACCOUNTS).map((byBank) => ({
    ...byBank[bank],
    balance: ESCROW_OPENING_BALANCE,
    status: "ACTIVE" as const,
    corporate: true,
  }));
  return [...escrows, ...BENEFICIARIES[bank]];
}

/** Credentials each bank service uses by default and each sandbox accepts by default (local demo only). */
export const LOCAL_BANK_CREDENTIALS = {
  bni: {
    clientId: "gerbang-bni",
    clientSecret: "bni-local-client-secret",
    apiKey: "bni-local-api-key",
    apiSecret: "bni-local-api-secret",
    companyId: "GERBANG",
    parentCompanyId: "GERBANG_GROUP",
  },
  bca: {
    clientId: "gerbang-bca",
    clientSecret: "bca-local-client-secret",
    apiKey: "bca-local-api-key",
    apiSecret: "bca-local-api-secret",
    corporateId: "GERBANGBCA",
  },
  mandiri: {
    appId: "gerbang-mandiri",
    appKey: "mandiri-local-app-key",
    appSecret: "mandiri-local-app-secret",
  },
} as const;

/** Default loopback ports (the paper's bank service ports; sandboxes 70xx, database 27117). */
export const DEFAULT_PORTS = {
  gatewayHttp: 8080,
  gatewayGrpc: 50051,
  gatewayOps: 9080,
  bankBni: 2002,
  bankMandiri: 2003,
  bankBca: 2004,
  sandboxBni: 7002,
  sandboxMandiri: 7003,
  sandboxBca: 7004,
  database: 27117,
} as const;
