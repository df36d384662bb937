import { ESCROW_ACCOUNTS, BANK_CODES, DEFAULT_PORTS, type Partner, type PartnerBank, type Route } from "@gerbang/shared";
import type { Client, DirectoryBank } from "@gerbang/gateway";

/**
 * The seed rows: the paper's Tables 1 to 3 as written (serviceUrl on loopback), a local client,
 * the escrow accounts, and Bank Indonesia's common bank codes. The keys are published in the
 * paper or are local demo values: never production keys.
 */

/** Ports of the bank services (PORTS_JSON from scripts/system.ts when set). */
export interface BankServicePorts { bankBni: number; bankBca: number; bankMandiri: number }

export const DEFAULT_BANK_PORTS: BankServicePorts = { bankBni: DEFAULT_PORTS.bankBni, bankBca: DEFAULT_PORTS.bankBca, bankMandiri: DEFAULT_PORTS.bankMandiri };

export function partners(ports: BankServicePorts): Partner[] {
  return [
    { bankCode: "009", bankName: "PT Bank Negara Indonesia Tbk", priority: 1, keyToken: "e3c05ef5-8f9d-43d4-bd3e-8c0fecd50715", serviceUrl: `127.0.0.1:${ports.bankBni}`, aliases: [] },
    { bankCode: "014", bankName: "PT Bank Central Asia Tbk", priority: 2, keyToken: "4923e7a5-1e20-4a0d-a684-ec74ed00baa3", serviceUrl: `127.0.0.1:${ports.bankBca}`, aliases: [] },
    // Bank Indonesia's code for Mandiri is 008; the paper's table says 800, kept, with 008 as an alias.
    { bankCode: "800", bankName: "PT Bank Mandiri Tbk", priority: 3, keyToken: "8ceacc82-c957-417a-8311-6c5254431746", serviceUrl: `127.0.0.1:${ports.bankMandiri}`, aliases: ["008"] },
  ];
}

export const ROUTES: Route[] = [
  { bankCode: "009", usage: "TRANSFER", method: "POST", localEndpoint: "/api/bni/transfer", externalEndpoint: "https://{{hostBNI}}/p2pl/payment/transfer" },
  { bankCode: "009", usage: "TRANSFER_INTERBANK", method: "POST", localEndpoint: "/api/bni/transferInterbank", externalEndpoint: "https://{{hostBNI}}/p2pl/payment/interbank" },
  { bankCode: "014", usage: "TRANSFER", method: "POST", localEndpoint: "/api/bca/transfer", externalEndpoint: "https://{{hostBCA}}/banking/corporates/transfers" },
  { bankCode: "800", usage: "TRANSFER", method: "POST", localEndpoint: "/api/mandiri/transfer", externalEndpoint: "https://{{hostMandiri}}/gateway/TbwPayment/1.0/doPayment" },
  { bankCode: "009", usage: "STATUS_INQUIRY", method: "POST", localEndpoint: "/api/bni/status", externalEndpoint: "https://{{hostBNI}}/p2pl/inquiry/payment/status" },
  { bankCode: "014", usage: "STATUS_INQUIRY", method: "GET", localEndpoint: "/api/bca/status", externalEndpoint: "https://{{hostBCA}}/banking/corporates/transfers/status/{TransactionID}" },
  { bankCode: "800", usage: "STATUS_INQUIRY", method: "POST", localEndpoint: "/api/mandiri/status", externalEndpoint: "https://{{hostMandiri}}/gateway/TbwPayment/1.0/inquiryStatus" },
];

/** The local client's key: fixed so the README can show it; usable only from this machine's loopback. */
export const LOCAL_CLIENT_KEY = "gerbang-local-demo-key-0000000000000003";

function escrows(clientId: string): Client["escrowAccounts"] {
  const byBank = ESCROW_ACCOUNTS[clientId];
  if (byBank === undefined) return [];
  return (Object.keys(BANK_CODES) as PartnerBank[]).map((bank) => ({ bankCode: BANK_CODES[bank], ...byBank[bank] }));
}

export const CLIENTS: Client[] = [
  // eslint-disable-next-line sonarjs/no-hardcoded-ip -- the paper's Table 3, seeded as written (never reachable from here)
  { clientId: "1", serviceName: "IKI PPOB", keyToken: "09ec79db-a383-48c9-aee6-1ea516b64f50", allowedIps: ["139.99.60.117"], escrowAccounts: escrows("1"), active: true },
  // eslint-disable-next-line sonarjs/no-hardcoded-ip -- the paper's Table 3, seeded as written (never reachable from here)
  { clientId: "2", serviceName: "IKI Modal", keyToken: "7c51d6b6-6b99-4896-9fc5-4425522ed2ce", allowedIps: ["103.74.212.111"], escrowAccounts: escrows("2"), active: true },
  { clientId: "3", serviceName: "Gerbang Local", keyToken: LOCAL_CLIENT_KEY, allowedIps: ["127.0.0.1", "::1"], escrowAccounts: escrows("3"), active: true },
];

/** Bank Indonesia's codes of the common banks (and the paper's 800 for Mandiri). */
export const BANK_DIRECTORY: DirectoryBank[] = [
  ["002", "PT Bank Rakyat Indonesia (Persero) Tbk"], ["008", "PT Bank Mandiri (Persero) Tbk"], ["009", "PT Bank Negara Indonesia (Persero) Tbk"],
  ["011", "PT Bank Danamon Indonesia Tbk"], ["013", "PT Bank Permata Tbk"], ["014", "PT Bank Central Asia Tbk"], ["016", "PT Bank Maybank Indonesia Tbk"],
  ["019", "PT Bank Panin Tbk"], ["022", "PT Bank CIMB Niaga Tbk"], ["023", "PT Bank UOB Indonesia"], ["028", "PT Bank OCBC NISP Tbk"],
  ["031", "Citibank N.A. Indonesia"], ["037", "PT Bank Artha Graha Internasional Tbk"], ["046", "PT Bank DBS Indonesia"],
  ["050", "Standard Chartered Bank Indonesia"], ["087", "PT Bank HSBC Indonesia"], ["110", "PT BPD Jawa Barat dan Banten Tbk (BJB)"],
  ["111", "PT Bank DKI"], ["147", "PT Bank Muamalat Indonesia Tbk"], ["153", "PT Bank Sinarmas Tbk"], ["200", "PT Bank Tabungan Negara (Persero) Tbk"],
  ["213", "PT Bank SMBC Indonesia Tbk (BTPN)"], ["426", "PT Bank Mega Tbk"], ["441", "PT Bank KB Bukopin Tbk"], ["451", "PT Bank Syariah Indonesia Tbk"],
  ["490", "PT Bank Neo Commerce Tbk"], ["501", "PT Bank Digital BCA"], ["535", "PT SeaBank Indonesia"], ["542", "PT Bank Jago Tbk"],
  ["800", "PT Bank Mandiri Tbk (paper's code)"],
].map(([bankCode, bankName]) => ({ bankCode: bankCode ?? "", bankName: bankName ?? "" }));
