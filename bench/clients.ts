import { createSecretKey, randomBytes } from "node:crypto";
import http from "node:http";
import * as grpc from "@grpc/grpc-js";
import jwt from "jsonwebtoken";
import { BankTransferServiceClient, BankTransferStatus, TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { PaymentGatewayServiceClient } from "@gerbang/gen/ts-proto/payment/v1/gateway";
import { connectDatabase, ESCROW_ACCOUNTS, fetchClientCredentialsToken, IDLE_SOCKET_TIMEOUT_MS, jakartaDate, LOCAL_BANK_CREDENTIALS, signHs256, signServiceToken, text, transferBinding, transferRequestClaim } from "@gerbang/shared";
import type { Send } from "./load/drivers";
import type { HttpJudge } from "./load/stats";

/**
 * Request factories for each benchmark scenario. Every transfer gets a fresh reference, so the
 * load really books money (never a replay), and every app token a fresh jti.
 */

const run = randomBytes(3).toString("hex");
let counter = 0;
export const nextReference = (prefix: string) => `${prefix}-${run}-${++counter}`;

/** The local client the seed creates (id and key as in the gateway's README). */
export interface AppClient { id: string; keyToken: string }

/** A seeded partner's key token, for calling its bank service as the gateway does. */
export async function partnerKey(system: { mongodbUri: string; databaseName: string }, bankCode: string): Promise<string> {
  const connection = await connectDatabase({ uri: system.mongodbUri, dbName: system.databaseName });
  try {
    const doc = await connection.collection("partners").findOne({ bankCode });
    if (doc === null || typeof doc.keyToken !== "string") throw new Error(`the seed did not create partner ${bankCode}`);
    return doc.keyToken;
  } finally {
    await connection.close();
  }
}

export const BNI_BENEFICIARY = "0115476119";
// Small, so the fixture escrow (Rp 10 bn, refilled by each scenario's reset) outlasts any run:
// sandbox-direct books ~600,000 transfers in a default run, and at Rp 10,000 a run twice as long emptied it.
const AMOUNT = "100";

/** The expected answer is this HTTP status, whatever the body (the ceiling, the rejection path). */
export const httpStatus = (expected: number): HttpJudge => (status) => status === expected || `HTTP ${status}`;

/** A transfer the gateway answered as done: HTTP 200 with statusCode "000" (a declined or unsent transfer is final too, and 200). */
export const transferSucceeded: HttpJudge = (status, body) => {
  const code = jsonText(body, "statusCode");
  if (status !== 200) return `HTTP ${status} statusCode ${code}`;
  return code === "000" || `statusCode ${code}`;
};

/** A booking at the BNI sandbox: responseCode "0001" (BNI answers a refusal, e.g. insufficient funds, with HTTP 200 too). */
export const bniBooked: HttpJudge = (status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  const code = jsonText(body, "response", "responseCode") || jsonText(body, "Response", "parameters", "responseCode");
  return code === "0001" || `responseCode ${code}`;
};

/** A nested string field of a JSON body, read as the bank services read their banks' answers (`text`). */
function jsonText(body: string, ...path: string[]): string {
  let value: unknown;
  try { value = JSON.parse(body); } catch { return "(not JSON)"; }
  return text(value, ...path);
}

/** Body and headers of a REST transfer with a valid app token. */
export function restTransfer(client: AppClient, audience: string) {
  const clientReferenceNo = nextReference("bench");
  const body = { clientReferenceNo, beneficiaryBankCode: "009", beneficiaryAccountNumber: BNI_BENEFICIARY, beneficiaryAccountName: "ERRY JULIO", amount: AMOUNT };
  return { headers: { authorization: `Bearer ${appToken(client, audience, transferRequestClaim(body))}`, "content-type": "application/json" }, body: JSON.stringify(body) };
}

export function appToken(client: AppClient, audience: string, req?: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return signHs256({ sub: client.id, aud: audience, iat, exp: iat + 300, jti: randomBytes(12).toString("hex"), ...(req === undefined ? {} : { req }) }, client.keyToken);
}

/** gRPC transfer through the gateway with the generated grpc-js client. */
export function gatewayGrpcSender(address: string, client: AppClient, audience: string): { send: Send; close: () => void } {
  const stub = new PaymentGatewayServiceClient(address, grpc.credentials.createInsecure());
  const send: Send = (onWire) => new Promise((resolve) => {
    const clientReferenceNo = nextReference("bench-grpc");
    const request = { clientReferenceNo, beneficiaryBankCode: "009", beneficiaryAccountNumber: BNI_BENEFICIARY, beneficiaryAccountName: "ERRY JULIO", amount: AMOUNT, currency: "", remark: "" };
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${appToken(client, audience, transferRequestClaim(request))}`);
    onWire?.();
    stub.transfer(request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => {
      resolve(grpcAnswer(error, () => (response.statusCode === "000" ? true : `statusCode ${response.statusCode}`)));
    });
  });
  return { send, close: () => { stub.close(); } };
}

/** gRPC transfer straight to the BNI bank service, with the gateway's service token. */
export function bankServiceSender(address: string, keyToken: string): { send: Send; close: () => void } {
  const stub = new BankTransferServiceClient(address, grpc.credentials.createInsecure());
  const escrow = ESCROW_ACCOUNTS["3"]?.bni;
  if (escrow === undefined) throw new Error("no escrow account for client 3 at BNI");
  const send: Send = (onWire) => new Promise((resolve) => {
    const request = {
      referenceNumber: nextReference("BNCH"), attempt: 1, transactionDate: jakartaDate(Date.now()), usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
      sourceAccountNumber: escrow.accountNumber, sourceAccountName: escrow.accountName, beneficiaryBankCode: "009", beneficiaryBankName: "BNI",
      beneficiaryAccountNumber: BNI_BENEFICIARY, beneficiaryAccountName: "ERRY JULIO", amount: AMOUNT, currency: "IDR", remark: "bench",
    };
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${signServiceToken(keyToken, "009", transferBinding(request))}`);
    onWire?.();
    stub.transfer(request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => {
      resolve(grpcAnswer(error, () => (response.status === BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS ? true : `status ${BankTransferStatus[response.status]}`)));
    });
  });
  return { send, close: () => { stub.close(); } };
}

/** A BNI p2pl transfer straight to the BNI sandbox: OAuth token once, JWT body signature per request. */
export async function bniSandboxRequest(origin: string): Promise<() => { headers: Record<string, string>; body: string; path: string }> {
  const c = LOCAL_BANK_CREDENTIALS.bni;
  const { value: token } = await fetchClientCredentialsToken(`${origin}/api/oauth/token`, c.clientId, c.clientSecret, AbortSignal.timeout(10_000));
  const escrow = ESCROW_ACCOUNTS["3"]?.bni;
  if (escrow === undefined) throw new Error("no escrow account for client 3 at BNI");
  const apiSecret = createSecretKey(Buffer.from(c.apiSecret)); // a string key costs jsonwebtoken ~500 µs per call
  return () => {
    const requestUuid = randomBytes(8).toString("hex").toUpperCase();
    const unsigned = { request: { header: { companyId: c.companyId, parentCompanyId: c.parentCompanyId, requestUuid }, accountNumber: escrow.accountNumber, beneficiaryAccountNumber: BNI_BENEFICIARY, currency: "IDR", amount: AMOUNT, remark: "bench" } };
    const signature = jwt.sign(unsigned, apiSecret, { algorithm: "HS256", noTimestamp: true });
    const body = { request: { ...unsigned.request, header: { ...unsigned.request.header, signature } } };
    return { path: `/p2pl/payment/transfer?access_token=${encodeURIComponent(token)}`, headers: { "x-api-key": c.apiKey, "content-type": "application/json" }, body: JSON.stringify(body) };
  };
}

/** An open-loop HTTP sender on a keep-alive agent (autocannon drives the closed-loop runs). */
export function httpSender(origin: string, method: "GET" | "POST", build: () => { path?: string; headers?: Record<string, string>; body?: string }, judge: HttpJudge): { send: Send; close: () => void } {
  // Idle sockets closed by us before the server's keep-alive timeout, as the bank services do
  // (bank-http.ts): a reset on a reused socket would count as an error.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_SOCKET_TIMEOUT_MS });
  const url = new URL(origin);
  const send: Send = () => new Promise((resolve) => {
    const made = build();
    const req = http.request({ host: url.hostname, port: url.port, method, path: made.path ?? url.pathname, headers: made.headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => { chunks.push(chunk); });
      res.on("end", () => { resolve(judge(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))); });
    });
    req.on("error", (error) => { resolve(`socket: ${error.message}`); });
    req.on("timeout", () => { req.destroy(); });
    req.end(made.body);
  });
  return { send, close: () => { agent.destroy(); } };
}

/** A gRPC call's answer for the load drivers: the status code's name when the call failed. */
function grpcAnswer(error: grpc.ServiceError | null, judge: () => true | string): true | string {
  return error === null ? judge() : `gRPC ${grpc.status[error.code]}`;
}

