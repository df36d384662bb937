import { randomBytes } from "node:crypto";
import { signHs256, transferRequestClaim } from "@gerbang/shared";

/**
 * Talks to a gateway over REST exactly as an app does: a fresh HS256 token per call (fresh jti,
 * `req` bound to the transfer), fetch with a bounded timeout. A dropped connection (the gateway
 * was killed) is an answer of its own kind, never an exception, so scenarios can count it.
 */

/** The local client the seed creates (services/gateway/README.md, "Seeded clients"). */
export const LOCAL_CLIENT = { id: "3", keyToken: "gerbang-local-demo-key-0000000000000003", audience: "gerbang" } as const;

export interface TransferBody {
  clientReferenceNo: string;
  beneficiaryBankCode: string;
  beneficiaryAccountNumber: string;
  beneficiaryAccountName: string;
  amount: string;
  remark?: string;
}

/** What the app got back. `kind: "none"`: no HTTP answer at all (connection refused or reset, timeout). */
export type AppAnswer =
  | { kind: "answer"; httpStatus: number; statusCode: string; referenceNumber?: string; status?: string; replayed?: boolean }
  | { kind: "none"; error: string };

/** One request the app sent and what came back, kept for the end-of-run invariants. */
export interface SentRequest {
  body: TransferBody;
  answer: AppAnswer;
}

export interface AppClient {
  readonly origin: string;
  transfer(body: TransferBody): Promise<AppAnswer>;
  getByClientReference(clientReferenceNo: string): Promise<AppAnswer>;
}

function appToken(req?: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub: LOCAL_CLIENT.id, aud: LOCAL_CLIENT.audience, iat, exp: iat + 300, jti: randomBytes(12).toString("hex") };
  return signHs256(req === undefined ? claims : { ...claims, req }, LOCAL_CLIENT.keyToken);
}

interface Envelope { statusCode?: unknown; data?: { referenceNumber?: unknown; status?: unknown } | null; replayed?: unknown }

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<AppAnswer> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let envelope: Envelope = {};
    try { envelope = JSON.parse(text) as Envelope; } catch { /* a non-JSON body still has an HTTP status worth keeping */ }
    const data = envelope.data ?? undefined;
    return {
      kind: "answer",
      httpStatus: res.status,
      statusCode: typeof envelope.statusCode === "string" ? envelope.statusCode : "",
      ...(typeof data?.referenceNumber === "string" && data.referenceNumber !== "" ? { referenceNumber: data.referenceNumber } : {}),
      ...(typeof data?.status === "string" ? { status: data.status } : {}),
      ...(typeof envelope.replayed === "boolean" ? { replayed: envelope.replayed } : {}),
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return { kind: "none", error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}

/** `timeoutMs` bounds every call; it must exceed the gateway's bank deadline, or the app gives up before the gateway answers. */
export function createAppClient(origin: string, timeoutMs = 20_000): AppClient {
  return {
    origin,
    transfer: (body) => call(`${origin}/api/v1/transfers`, {
      method: "POST",
      headers: { authorization: `Bearer ${appToken(transferRequestClaim(body))}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }, timeoutMs),
    getByClientReference: (clientReferenceNo) => call(
      `${origin}/api/v1/transfers?clientReferenceNo=${encodeURIComponent(clientReferenceNo)}`,
      { headers: { authorization: `Bearer ${appToken()}` } },
      timeoutMs,
    ),
  };
}

/** The answers that did not carry a transfer (no answer at all, or a refusal), described for an assertion. */
export function withoutTransfer(answers: readonly AppAnswer[]): string[] {
  return answers.filter((a) => a.kind === "none" || a.referenceNumber === undefined)
    .map((a) => (a.kind === "none" ? `no answer (${a.error})` : `HTTP ${a.httpStatus} statusCode ${a.statusCode}`));
}

/** Sends at most `concurrency` jobs at a time; every job runs exactly once. */
export async function runLimited<T, R>(items: readonly T[], concurrency: number, job: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
