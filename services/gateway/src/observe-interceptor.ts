import type { Interceptor } from "@connectrpc/connect";
import { maskAccount, maskAccountsIn, type Logger } from "@gerbang/shared";
import { identityKey, interceptedKey, transportKey } from "./context";
import { statusCodeOf, toConnectError } from "./errors";
import { routeLabel, type GatewayMetrics } from "./metrics";

interface Enveloped { statusCode?: unknown; data?: { referenceNumber?: unknown; bankCode?: unknown; usage?: unknown; beneficiaryAccountNumber?: unknown } }

/**
 * Outermost interceptor: one log line and one metric per call (client, route, transport,
 * statusCode, duration), and the single place where domain errors become ConnectErrors.
 * Account numbers are masked; tokens and keys are never logged.
 */
export function createObserveInterceptor(logger: Logger, metrics: GatewayMetrics): Interceptor {
  return (next) => async (req) => {
    const started = process.hrtime.bigint();
    const intercepted = req.contextValues.get(interceptedKey);
    if (intercepted !== undefined) intercepted.reached = true;
    const route = routeLabel(req.method);
    const transport = req.contextValues.get(transportKey);
    const finish = (statusCode: string, fields: Record<string, unknown>) => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.requests.inc({ route, transport, statusCode });
      const client = req.contextValues.get(identityKey)?.client.clientId;
      logger.info({ client, route, transport, statusCode, durationMs: Math.round(durationMs * 10) / 10, ...fields }, "request");
    };
    try {
      const res = await next(req);
      const body = (res.stream ? {} : res.message) as Enveloped;
      const data = body.data;
      finish(typeof body.statusCode === "string" ? body.statusCode : "000", {
        referenceNumber: data?.referenceNumber, bankCode: data?.bankCode, usage: data?.usage,
        beneficiary: typeof data?.beneficiaryAccountNumber === "string" ? maskAccount(data.beneficiaryAccountNumber) : undefined,
      });
      return res;
    } catch (error) {
      const connectError = toConnectError(error);
      finish(statusCodeOf(connectError), { code: connectError.code, error: maskAccountsIn(connectError.rawMessage) });
      if (connectError.cause !== undefined && statusCodeOf(connectError) === "999") logger.error({ err: connectError.cause, route }, "internal error");
      throw connectError;
    }
  };
}

/** Where the log line and the count of a refusal no interceptor saw go. */
export interface RefusalSink {
  requests: GatewayMetrics["requests"];
  logger: Logger;
}

/**
 * The log line and the count of a refusal no interceptor saw (the REST layer's own, or Connect's
 * while reading a request), as the interceptor writes them for every other call.
 */
export function observeRefusal(sink: RefusalSink, at: { route: string; logRoute: string; transport: string; started: bigint; statusCode: string; message: string }): void {
  const durationMs = Number(process.hrtime.bigint() - at.started) / 1e6;
  sink.requests.inc({ route: at.route, transport: at.transport, statusCode: at.statusCode });
  sink.logger.info({ route: at.logRoute, transport: at.transport, statusCode: at.statusCode, durationMs: Math.round(durationMs * 10) / 10, error: maskAccountsIn(at.message) }, "request");
}
