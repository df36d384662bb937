import { randomUUID } from "node:crypto";
import { signHs256, signServiceToken, transferBinding, transferRequestClaim, verifyHs256, verifyServiceToken, type Partner, type Route } from "@gerbang/shared";
import { createAppAuthenticator } from "../services/gateway/src/app-auth";
import { createIpMatcher } from "../services/gateway/src/ip-allowlist";
import type { RegisteredClient } from "../services/gateway/src/registry";
import { decideRoute } from "../services/gateway/src/routing";
import { bcaSignature } from "../services/bank-bca/src/signature";
import { bniSignature } from "../services/bank-bni/src/signature";

/**
 * Micro-benchmark of the functions on every transfer's hot path: route resolution, app token
 * verification, service tokens, bank signatures. Prints operations per second and µs per
 * operation; guides optimisation (each should be far below the protocol's own cost).
 * Run: `npx tsx bench/micro.ts` (also part of `make bench`).
 */
function measure(name: string, op: (i: number) => unknown, seconds = 1): { name: string; opsPerSecond: number; microsPerOp: number } {
  for (let i = 0; i < 2000; i++) op(i); // warm-up: JIT
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++) op(n++);
  }
  const elapsed = (performance.now() - start) / 1000;
  return { name, opsPerSecond: Math.round(n / elapsed), microsPerOp: Math.round((elapsed / n) * 1e7) / 10 };
}

// Partner keys as long as real ones must be (MIN_KEY_TOKEN_LENGTH): a short key is refused outright.
const bniKey = "micro-bench-partner-key-009-00000000";
const partners: Partner[] = [
  { bankCode: "009", bankName: "BNI", priority: 1, keyToken: bniKey, serviceUrl: "127.0.0.1:2002", aliases: [] },
  { bankCode: "014", bankName: "BCA", priority: 2, keyToken: "micro-bench-partner-key-014-00000000", serviceUrl: "127.0.0.1:2004", aliases: [] },
  { bankCode: "800", bankName: "Mandiri", priority: 3, keyToken: "micro-bench-partner-key-800-00000000", serviceUrl: "127.0.0.1:2003", aliases: ["008"] },
];
const route = (bankCode: string, usage: Route["usage"]): Route => ({ bankCode, usage, method: "POST", localEndpoint: "/", externalEndpoint: "https://{{h}}/" });
const tables = {
  partners,
  routes: [route("009", "TRANSFER"), route("009", "TRANSFER_INTERBANK"), route("014", "TRANSFER"), route("800", "TRANSFER")],
  directory: new Map([["002", { bankCode: "002", bankName: "BRI" }], ["014", { bankCode: "014", bankName: "BCA" }]]),
};
const key = "gerbang-local-demo-key-0000000000000003";
const client = { clientId: "3", serviceName: "local", keyToken: key, allowedIps: ["127.0.0.1"], escrowAccounts: [], active: true, allow: createIpMatcher(["127.0.0.1", "::1"]) } as unknown as RegisteredClient;
const auth = createAppAuthenticator({ audience: "gerbang", clients: () => new Map([["3", client]]) });
const fields = { clientReferenceNo: "INV-1", beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681", amount: "2475000" };
const now = Math.floor(Date.now() / 1000);
const appToken = signHs256({ sub: "3", aud: "gerbang", iat: now, exp: now + 300, jti: randomUUID(), req: transferRequestClaim(fields) }, key);
const transferCall = {
  referenceNumber: "GRB1", attempt: 1, amount: "10000", currency: "IDR", sourceAccountNumber: "0115470003", beneficiaryBankCode: "009",
  beneficiaryAccountNumber: "0115476119", usage: 1, transactionDate: "2026-11-27",
};
const serviceToken = signServiceToken(bniKey, "009", transferBinding(transferCall));
const bniBody = JSON.stringify({ request: { header: { companyId: "GERBANG", parentCompanyId: "G", requestUuid: "0123456789ABCDEF" }, accountNumber: "0115470003", beneficiaryAccountNumber: "0115476119", currency: "IDR", amount: "10000", remark: "x" } });
const bcaRequest = { method: "POST", relativeUrl: "/banking/corporates/transfers", accessToken: "token", body: '{"CorporateID":"GERBANGBCA","Amount":"100000.00","Remark1":"Transfer Test"}', timestamp: "2026-11-26T10:00:00.000+07:00" };

const results = [
  measure("decideRoute: partner's own code", () => decideRoute(tables, "014")),
  measure("decideRoute: interbank by priority", () => decideRoute(tables, "002")),
  measure("app token: authenticate (HS256 verify, claims, IP)", () => auth.authenticate(`Bearer ${appToken}`, "127.0.0.1")),
  measure("app token: req claim (SHA-256 of the critical fields)", () => transferRequestClaim(fields)),
  measure("verifyHs256 alone", () => verifyHs256(appToken, key, { audience: "gerbang", maxLifetimeSeconds: 300 })),
  measure("service token: sign (gateway -> bank)", (i) => signServiceToken(bniKey, "009", transferBinding({ ...transferCall, referenceNumber: `GRB${i}` }))),
  measure("service token: verify (bank service)", () => { verifyServiceToken(serviceToken, bniKey, "009", transferBinding(transferCall)); }),
  measure("BNI body JWT signature", () => bniSignature(bniBody, "secret")),
  measure("BCA X-BCA-Signature", () => bcaSignature("secret", bcaRequest)),
];
console.table(results);
