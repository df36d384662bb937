import type { SandboxContext } from "./context";
import { parseFaultRule } from "./faults";
import { parseJson, send, type Exchange, type Reply } from "./http";

/**
 * Admin endpoints under /_sandbox/ (not part of any bank's API): health, ledger, held requests, repeated request ids, accounts,
 * stats, faults and reset. Bad input gets 400 {"error"} and changes nothing.
 */
export function serveAdmin(ex: Exchange, ctx: SandboxContext): void {
  send(ex, adminReply(ex, ctx));
}

const error = (status: number, message: string): Reply => ({ status, body: { error: message } });

function adminReply(ex: Exchange, ctx: SandboxContext): Reply {
  const route = `${ex.method} ${ex.path}`;
  switch (route) {
    case "GET /_sandbox/health":
      return { status: 200, body: { bank: ctx.bank, ok: true } };
    case "GET /_sandbox/ledger":
      return {
        status: 200,
        body: { entries: ctx.ledger.entries().map((e) => ({ ...e, amount: e.amount.toString(), bookedAt: e.bookedAt.toISOString() })) },
      };
    case "GET /_sandbox/held":
      return {
        status: 200,
        body: { requests: ctx.ledger.held().map((o) => ({ requestId: o.requestId, sourceAccountNumber: o.sourceAccountNumber, beneficiaryAccountNumber: o.beneficiaryAccountNumber, beneficiaryBankCode: o.beneficiaryBankCode, amount: o.amount.toString(), kind: o.kind })) },
      };
    case "GET /_sandbox/repeats":
      return { status: 200, body: { repeats: ctx.ledger.repeats() } };
    case "GET /_sandbox/accounts":
      return { status: 200, body: { accounts: ctx.accounts.list().map((a) => ({ ...a, balance: a.balance.toString() })) } };
    case "GET /_sandbox/stats":
      return { status: 200, body: { refusedTokens: ctx.stats.refusedTokens } };
    case "GET /_sandbox/faults":
      return { status: 200, body: { rules: ctx.faults.list() } };
    case "POST /_sandbox/faults": {
      const parsed = parseJson(ex.body);
      if (parsed === undefined) return error(400, "body must be JSON");
      const rule = parseFaultRule(parsed.value);
      if (!rule.ok) return error(400, rule.error);
      if (!ctx.faults.add(rule.value)) return error(409, "too many fault rules; DELETE /_sandbox/faults first");
      return { status: 200, body: { ok: true, rules: ctx.faults.list() } };
    }
    case "DELETE /_sandbox/faults":
      ctx.faults.clear();
      return { status: 200, body: { ok: true } };
    case "POST /_sandbox/reset":
      ctx.accounts.reset();
      ctx.ledger.reset();
      ctx.faults.clear();
      collectGarbage();
      return { status: 200, body: { ok: true } };
    default:
      return error(404, `no admin endpoint ${route}`);
  }
}

/**
 * Books just emptied can hold hundreds of MB (the benchmark's sandbox-direct run books ~300,000),
 * and V8 keeps that heap mapped until a full collection happens to run, so the next benchmark
 * scenario would be measured with this one's memory. Where node allows it (`--expose-gc`, as the
 * benchmark starts this sandbox) a collection now hands it back; elsewhere this does nothing.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
