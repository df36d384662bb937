import { randomUUID } from "node:crypto";
import { PaymentGatewayService } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { createRegistryStore, pingDatabase, readServerClock, type Connection, type Logger, type Refreshing } from "@gerbang/shared";
import { createAppAuthenticator } from "./app-auth";
import { createBankBreakers, type BreakerState } from "./bank-breakers";
import { createBankCaller } from "./bank-client";
import { bankPoliciesOf, overridesWithoutPartner } from "./bank-policy";
import { createBankDirectoryStore } from "./bank-directory-store";
import { createClientStore } from "./client-store";
import { watchClock } from "./clock-check";
import type { GatewayConfig } from "./config";
import { createGatewayServiceImpl } from "./gateway-service";
import { Health } from "@gerbang/gen/es/health/v1/health_pb";
import { ServerReflection as ReflectionV1 } from "@gerbang/gen/es/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ReflectionV1alpha } from "@gerbang/gen/es/grpc/reflection/v1alpha/reflection_pb";
import { registerHealth } from "./grpc-health";
import { createReflectionIndex, registerReflection } from "./grpc-reflection";
import { createAdmissionInterceptor, createAuthInterceptor, createTokenUseInterceptor, createValidationInterceptor } from "./interceptors";
import { createIpMatcher } from "./ip-allowlist";
import { createJtiStore, JTI_PURGE_INTERVAL_MS } from "./jti-store";
import { register, Registry } from "prom-client";
import { createMetrics } from "./metrics";
import { createObserveInterceptor } from "./observe-interceptor";
import { referenceNumberFor } from "./reference-number";
import { createRegistry, type RegistrySnapshot } from "./registry";
import { restRoutes } from "./rest-routes";
import { createGatewayServers } from "./server";
import { createFailpoints } from "./failpoints";
import { sharedCheck } from "./readiness";
import { createResolver, type Resolver } from "./resolver";
import type { ManualReviewAlert } from "./settle";
import { createTransferService } from "./transfer-service";
import { createTransferStore } from "./transfer-store";

/** How long one database ping answers every readiness probe (readiness.ts). */
const READINESS_PING_MS = 1000;

export type GatewaySettings = Omit<GatewayConfig, "logLevel" | "mongodbUri" | "mongodbDatabase">;

export interface GatewayDeps {
  connection: Connection;
  settings: GatewaySettings;
  logger: Logger;
  /** Process-wide metrics (GC, memory) only in a real process, not once per test gateway. */
  defaultMetrics?: boolean;
}

export interface Gateway {
  readonly httpPort: number;
  readonly grpcPort: number;
  /** The operators' port: /metrics, /healthz, /readyz. */
  readonly opsPort: number;
  /** Names this instance in leases. */
  readonly instanceId: string;
  /** The resolver of this instance (tests call runOnce() when the loop is off). */
  readonly resolver: Resolver;
  /** Reloads partners, routes, clients and the bank directory now (tests; otherwise every few seconds). */
  refreshRegistry(): Promise<void>;
  breakerStates(): Record<string, BreakerState>;
  /**
   * Graceful stop: servers stop taking requests and let those in flight finish (shutdownGraceMs),
   * the resolver finishes the transfers it works on, the leases this instance holds are handed back (due now, so
   * another instance takes over at once), except those whose bank call is still on its way. The
   * caller closes the database afterwards.
   */
  close(): Promise<void>;
}

/** Wires and starts the edge on the given database. main.ts and the integration tests both use it. */
export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const { connection, settings, logger } = deps;
  const [clientStore, directoryStore, jtiStore, ledger] = await Promise.all([
    createClientStore(connection), createBankDirectoryStore(connection), createJtiStore(connection),
    createTransferStore(connection),
  ]);
  const registry: Refreshing<RegistrySnapshot> = await createRegistry({
    registryStore: createRegistryStore(connection), clientStore, directoryStore, refreshMs: settings.registryRefreshMs,
    onError: (error) => { logger.error({ err: error }, "registry reload failed; keeping the last good one"); },
    onRowProblem: (problem) => { logger.error({ err: problem }, "registry row needs an operator"); },
  });
  const unmatched = overridesWithoutPartner(settings.bankPolicies, registry.current().partners);
  if (unmatched.length > 0) {
    registry.close();
    throw new Error(`GATEWAY_BANK_POLICIES would apply to no bank: ${unmatched.join("; ")} (partners: ${registry.current().partners.map((p) => p.bankCode).sort((a, b) => a.localeCompare(b)).join(", ") || "none yet: seed first"})`);
  }
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false, unresolved: () => ledger.countUnresolved() });
  const breakerGauge: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };
  const breakers = createBankBreakers(
    { errorPercent: settings.breakerErrorPercent, volumeThreshold: settings.breakerVolumeThreshold, resetMs: settings.breakerResetMs, windowMs: settings.breakerWindowMs },
    logger, (bankCode, state) => { metrics.breakerState.set({ bank: bankCode }, breakerGauge[state]); },
  );
  // Every partner's manual-review series exists from the start, at 0: an alert on its increase
  // would not see the first review of a series that the review itself created.
  for (const partner of registry.current().partners) metrics.manualReviews.labels({ bank: partner.bankCode }).inc(0);
  const bank = createBankCaller({ breakers, maxReconnectBackoffMs: settings.breakerResetMs });
  const policies = bankPoliciesOf(settings);
  const instanceId = `gateway-${randomUUID()}`;
  // An alert: one error line a person can act on (reference and reason), and a counter to page on.
  const onManualReview: ManualReviewAlert = (record, reason) => {
    const bankCode = record.attempts.at(-1)?.partnerBankCode ?? record.route.bankCode;
    metrics.manualReviews.inc({ bank: bankCode });
    logger.error({ alert: "manual-review", referenceNumber: record.referenceNumber, clientId: record.clientId, bankCode, amount: record.amount, reason }, "transfer needs manual review");
  };
  const failpoints = createFailpoints(settings.failpoint);
  const transfers = createTransferService({
    ledger, bank, registry: () => registry.current(), clock: () => new Date(), referenceFor: referenceNumberFor,
    instanceId, policies, leaseMs: settings.leaseMs, duplicateWaitMs: settings.duplicateWaitMs, maxInFlightPerBank: settings.maxInFlightPerBank,
    failpoints, onManualReview, logger,
    onBankCall: (bankCode, outcome, seconds) => { metrics.bankCalls.observe({ bank: bankCode, outcome }, seconds); },
  });
  const resolver = createResolver({
    ledger, bank, registry: () => registry.current(), clock: () => new Date(), instanceId, policies, leaseMs: settings.leaseMs,
    batchSize: settings.resolverBatchSize, intervalMs: settings.resolverIntervalMs, onManualReview, logger, failpoints,
    onInquiry: (bankCode, status) => { metrics.inquiries.inc({ bank: bankCode, status }); },
    onResend: (bankCode) => { metrics.resends.inc({ bank: bankCode }); },
  });
  const auth = createAppAuthenticator({ audience: settings.jwtAudience, clients: () => registry.current().clients });
  const served = [PaymentGatewayService, Health, ReflectionV1, ReflectionV1alpha];
  // Only what apps may call: the bank contract is the mesh's own, and each bank service reflects it.
  const reflection = createReflectionIndex(served);
  // Not ready once stopping (/readyz and gRPC health alike), so a balancer probing either stops
  // sending during GATEWAY_SHUTDOWN_DELAY_MS. The database is pinged at most once a second for
  // all of them (readiness.ts): they need no token.
  const databaseAnswers = sharedCheck(() => pingDatabase(connection), READINESS_PING_MS);
  const ready = async () => !servers.draining() && await databaseAnswers();
  const servers = createGatewayServers({
    routes: (router) => {
      router.service(PaymentGatewayService, createGatewayServiceImpl(transfers));
      registerHealth(router, { health: Health, services: served.map((s) => s.typeName), ready, stopping: () => servers.draining() });
      registerReflection(router, [ReflectionV1, ReflectionV1alpha], reflection);
    },
    routerOptions: {
      interceptors: [createObserveInterceptor(logger, metrics), createAuthInterceptor(auth), createValidationInterceptor(),
        createAdmissionInterceptor({ total: settings.maxInFlight, perClient: settings.maxInFlightPerClient }), createTokenUseInterceptor(auth, jtiStore)],
      readMaxBytes: settings.bodyLimitBytes,
      // Unknown fields are refused (a misspelt field must not be silently dropped from a payment);
      // every field is written, so REST clients always see the whole envelope.
      jsonOptions: { ignoreUnknownFields: false, alwaysEmitImplicit: true },
    },
    restRoutes: restRoutes(PaymentGatewayService),
    restSuccessStatus: (body) => ((body.data as { status?: unknown } | null | undefined)?.status === "PENDING" ? 202 : 200),
    trustedProxies: createIpMatcher(settings.trustedProxies),
    bodyLimitBytes: settings.bodyLimitBytes,
    requestReadTimeoutMs: settings.requestReadTimeoutMs,
    maxRequestsReading: settings.maxRequestsReading, maxRequestsReadingPerAddress: settings.maxRequestsReadingPerAddress,
    authenticate: (authorization, callerIp) => auth.authenticate(authorization, callerIp),
    requests: metrics.requests,
    ready,
    health: () => ({ instanceId, breakers: breakers.states(), resolver: settings.resolverEnabled ? "on" : "off", registryAsOf: registry.asOf().toISOString() }),
    // A real process also shows the database round trips (gerbang_db_command_duration_seconds, in
    // prom-client's default registry, fed by connectDatabase) next to the gateway's own metrics.
    metrics: deps.defaultMetrics === true ? Registry.merge([metrics.registry, register]) : metrics.registry,
    logger,
  });
  const clock = watchClock({ read: () => readServerClock(connection), logger, report: (seconds) => { metrics.clockOffset.set(seconds); } });
  await clock.check();
  const ports = await servers.listen(settings);
  // Used jtis are kept until their token is no longer accepted (exp + clock tolerance), then purged.
  const purge = setInterval(() => {
    jtiStore.purgeExpired(new Date()).catch((error: unknown) => { logger.warn({ err: error }, "jti purge failed"); });
  }, JTI_PURGE_INTERVAL_MS);
  purge.unref();
  if (settings.resolverEnabled) resolver.start();
  if (settings.failpoint !== undefined) logger.warn({ failpoint: settings.failpoint }, "TEST FAILPOINT ACTIVE: this process kills itself at that step of a transfer");
  logger.info({ ...ports, instanceId, resolver: settings.resolverEnabled }, "gateway listening");
  return {
    ...ports,
    instanceId,
    resolver,
    refreshRegistry: async () => { await registry.refresh(); },
    breakerStates: () => breakers.states(),
    close: async () => {
      clearInterval(purge);
      clock.stop();
      await Promise.all([servers.close(settings.shutdownGraceMs, settings.shutdownDelayMs), resolver.stop()]);
      bank.close();
      breakers.close();
      registry.close();
      try {
        // A request cut by the grace may still have its bank call on the way (it dies with this
        // process, but may already have reached the bank): that lease runs out rather than letting
        // another instance re-send the same id while the first send can still land. Any other
        // request cut by the grace starts no call from now on, so its lease can be handed back.
        const stillSending = transfers.stopSending();
        const released = await ledger.releaseLeases(instanceId, new Date(), stillSending);
        logger.info({ released, kept: stillSending.size }, "leases handed back");
      } catch (error) {
        // The database is gone: the leases simply expire and another instance takes over then.
        logger.warn({ err: error }, "could not hand back leases; they expire by themselves");
      }
      // Last: until here /readyz says "stopping" there, and /metrics still shows what the
      // resolver's final round did (a manual review it recorded on its way out is an alert).
      await servers.closeOperators();
    },
  };
}
