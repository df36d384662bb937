import type { BankErrors } from "../core/context";
import type { Reply } from "../core/http";
import type { Refusal } from "../core/ledger";

/** BCA's ESB error codes this sandbox answers with: HTTP status, English, Indonesian. */
const ESB = {
  "ESB-14-001": [400, "HMAC mismatch", "HMAC tidak cocok"],
  "ESB-14-002": [400, "Invalid request", "Request tidak valid"],
  "ESB-14-003": [400, "Invalid timestamp format", "Format timestamp tidak valid"],
  "ESB-14-004": [400, "Invalid input parameter", "Parameter input tidak valid"],
  "ESB-14-008": [401, "Invalid client_id/client_secret/grant_type", "client_id/client_secret/grant_type tidak valid"],
  "ESB-14-009": [401, "Unauthorized", "Tidak berhak"],
  "ESB-14-010": [429, "Request limit exceeded", "Batas permintaan terlampaui"],
  "ESB-14-011": [404, "Service doesn't exist", "Service tidak ada"],
  "ESB-14-014": [401, "Invalid ChannelID/CredentialID", "ChannelID/CredentialID tidak valid"],
  "ESB-14-015": [400, "Content Type not supported", "Content Type tidak didukung"],
  "ESB-14-016": [400, "Invalid JSON format", "Format JSON tidak valid"],
  "ESB-14-019": [403, "Connection not allowed", "Koneksi tidak diizinkan"],
  "ESB-14-021": [400, "API Key Invalid", "API Key tidak valid"],
  "ESB-82-001": [400, "Mandatory field is missing", "Field wajib tidak diisi"],
  "ESB-82-002": [400, "Invalid CorporateID", "CorporateID tidak valid"],
  "ESB-82-003": [400, "TransactionID is not unique", "TransactionID tidak unik"],
  "ESB-82-004": [400, "Invalid TransactionDate", "TransactionDate tidak valid"],
  "ESB-82-006": [403, "Exceeded maximum amount", "Melebihi batas maksimum jumlah"],
  "ESB-82-008": [400, "Invalid company account", "Rekening perusahaan tidak valid"],
  "ESB-82-009": [400, "Invalid CurrencyCode", "CurrencyCode tidak valid"],
  "ESB-82-010": [400, "Invalid TransactionID format", "Format TransactionID tidak valid"],
  "ESB-82-011": [400, "Invalid Amount", "Jumlah tidak valid"],
  "ESB-82-012": [400, "Invalid input length", "Panjang input tidak valid"],
  "ESB-82-014": [400, "Invalid AccountNumber", "Nomor rekening tidak valid"],
  "ESB-82-018": [403, "Account is dormant", "Rekening pasif"],
  "ESB-82-019": [402, "Insufficient fund", "Saldo tidak cukup"],
  "ESB-82-022": [404, "Account closed", "Rekening tutup"],
  "ESB-82-024": [504, "Timeout, please check your account statement", "Timeout, silakan cek mutasi rekening"],
  "ESB-82-025": [500, "Transaction in progress, please check your account statement", "Transaksi sedang diproses, silakan cek mutasi rekening"],
  "ESB-82-026": [500, "Cut-off time exceeded", "Melewati batas waktu transaksi"],
  "ESB-82-027": [404, "Transaction not found", "Transaksi tidak ditemukan"],
  "ESB-99-999": [500, "System unavailable", "Sistem sedang tidak tersedia"],
} as const satisfies Record<string, readonly [number, string, string]>;

export type EsbCode = keyof typeof ESB;

/** `{"ErrorCode","ErrorMessage":{"Indonesian","English"}}`, optionally naming what was wrong. */
export function esb(code: EsbCode, detail?: string): Reply {
  const [status, english, indonesian] = ESB[code];
  const suffix = detail === undefined ? "" : `: ${detail}`;
  return { status, body: { ErrorCode: code, ErrorMessage: { Indonesian: indonesian + suffix, English: english + suffix } } };
}

/** The reason texts of a code (status inquiry `Reason`). */
export function esbReason(code: EsbCode): { English: string; Indonesian: string } {
  const [, English, Indonesian] = ESB[code];
  return { English, Indonesian };
}

export const bcaErrors: BankErrors = {
  invalidRequest: (message) => esb("ESB-14-004", message),
  contentType: () => esb("ESB-14-015"),
  invalidJson: () => esb("ESB-14-016"),
  tooLarge: () => esb("ESB-14-002", "body exceeds 64 KiB"),
  notFound: () => esb("ESB-14-011"),
  systemError: () => esb("ESB-99-999"),
  timeoutAfter: () => esb("ESB-82-024"),
  rateLimited: () => esb("ESB-14-010"),
  inProgress: () => esb("ESB-82-025"),
};

export function bcaRefusalCode(refusal: Refusal): EsbCode {
  switch (refusal) {
    case "insufficient-funds":
      return "ESB-82-019";
    case "invalid-account":
      return "ESB-82-014";
    case "source-invalid":
      return "ESB-82-008";
    case "dormant":
      return "ESB-82-018";
    case "closed":
      return "ESB-82-022";
    case "limit-exceeded":
      return "ESB-82-006";
    case "cutoff":
      return "ESB-82-026";
  }
}
