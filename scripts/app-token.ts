import { randomUUID } from "node:crypto";
import { signHs256, transferRequestClaim } from "@gerbang/shared";

/**
 * Prints an app token for trying the gateway by hand (curl, buf curl, grpcurl):
 *   npx tsx scripts/app-token.ts                 # for GetTransfer
 *   npx tsx scripts/app-token.ts "$BODY"         # for Transfer: binds `req` to the body's critical fields
 * Defaults to the seeded local client (id "3", its local-only demo key); APP_CLIENT_ID, APP_KEY and
 * APP_AUDIENCE choose others. Each token is single-use (fresh jti) and lives 2 minutes.
 */
const clientId = process.env.APP_CLIENT_ID ?? "3";
const key = process.env.APP_KEY ?? "gerbang-local-demo-key-0000000000000003";
const audience = process.env.APP_AUDIENCE ?? "gerbang";
const bodyText = process.argv[2];

const now = Math.floor(Date.now() / 1000);
const claims: Record<string, unknown> = { sub: clientId, aud: audience, iat: now, exp: now + 120, jti: randomUUID() };
if (bodyText !== undefined) {
  const body = JSON.parse(bodyText) as Record<string, unknown>;
  const field = (name: string) => (typeof body[name] === "string" ? body[name] : "");
  claims.req = transferRequestClaim({
    clientReferenceNo: field("clientReferenceNo"),
    beneficiaryBankCode: field("beneficiaryBankCode"),
    beneficiaryAccountNumber: field("beneficiaryAccountNumber"),
    amount: field("amount"),
  });
}
console.log(signHs256(claims, key));
