import { randomUUID } from "node:crypto";
import { jakartaDate } from "../../jakarta-date";
import { BANK_CODES, type PartnerBank } from "../../local-fixtures";
import type { Partner, RegistryStore, Route } from "../../registry-store";

/** The paper's Table 2 rows plus the STATUS_INQUIRY row the seed adds per bank. */
export const BANK_ROUTES: Record<PartnerBank, Route[]> = {
  bni: [
    { bankCode: "009", usage: "TRANSFER", method: "POST", localEndpoint: "/api/bni/transfer", externalEndpoint: "https://{{hostBNI}}/p2pl/payment/transfer" },
    { bankCode: "009", usage: "TRANSFER_INTERBANK", method: "POST", localEndpoint: "/api/bni/transferInterbank", externalEndpoint: "https://{{hostBNI}}/p2pl/payment/interbank" },
    { bankCode: "009", usage: "STATUS_INQUIRY", method: "POST", localEndpoint: "/api/bni/status", externalEndpoint: "https://{{hostBNI}}/p2pl/inquiry/payment/status" },
  ],
  bca: [
    { bankCode: "014", usage: "TRANSFER", method: "POST", localEndpoint: "/api/bca/transfer", externalEndpoint: "https://{{hostBCA}}/banking/corporates/transfers" },
    { bankCode: "014", usage: "STATUS_INQUIRY", method: "GET", localEndpoint: "/api/bca/status", externalEndpoint: "https://{{hostBCA}}/banking/corporates/transfers/status/{TransactionID}" },
  ],
  mandiri: [
    { bankCode: "800", usage: "TRANSFER", method: "POST", localEndpoint: "/api/mandiri/transfer", externalEndpoint: "https://{{hostMandiri}}/gateway/TbwPayment/1.0/doPayment" },
    { bankCode: "800", usage: "STATUS_INQUIRY", method: "POST", localEndpoint: "/api/mandiri/status", externalEndpoint: "https://{{hostMandiri}}/gateway/TbwPayment/1.0/inquiryStatus" },
  ],
};

/** A partner row with a fresh key token (tests never depend on the published demo keys). */
export function testPartner(bank: PartnerBank, port: number): Partner {
  return {
    bankCode: BANK_CODES[bank],
    bankName: bank.toUpperCase(),
    priority: { bni: 1, bca: 2, mandiri: 3 }[bank],
    keyToken: randomUUID(),
    serviceUrl: `127.0.0.1:${port}`,
    aliases: bank === "mandiri" ? ["008"] : [],
  };
}

/** Writes a partner and routes through the shared registry store, as the seed does. */
export async function seedRegistry(store: RegistryStore, partner: Partner, routes: Route[]): Promise<void> {
  await store.upsertPartner(partner);
  for (const route of routes) await store.upsertRoute(route);
}

/** Today in Asia/Jakarta (UTC+7), yyyy-MM-dd: the transaction_date the gateway would send. */
export const jakartaToday = (): string => jakartaDate(Date.now());
