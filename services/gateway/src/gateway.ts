import { randomUUID } from "node:crypto";
import { PaymentGatewayService } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { file_payment_v1_bank } from "@gerbang/gen/es/payment/v1/bank_pb";
import { createRegistryStore, pingDatabase, type Logger, type Refreshing } from "@gerbang/shared";
import { createAppAuthenticator } from "./app-auth";
import { createBankCaller } from "./bank-client";
import { createBankDirectoryStore } from "./bank-directory-store";
import { createClientStore } from "./client-store";
import type { GatewayConfig } from "./config";
import { createGatewayServiceImpl } from "./gateway-service";
import { Health } from "@gerbang/gen/es/health/v1/health_pb";
import { ServerReflection as ReflectionV1 } from "@gerbang/gen/es/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ReflectionV1alpha } from "@gerbang/gen/es/grpc/reflection/v1alpha/reflection_pb";
import { registerHealth } from "./grpc-health";
import { createReflectionIndex, registerReflection } from "./grpc-reflection";
import { createAuthInterceptor, createTokenUseInterceptor, createValidationInterceptor } from "./interceptors";
import { createIpMatcher } from "./ip-allowlist";
import { createJtiStore } from "./jti-store";
import { register, Registry } from "prom-client";
import { createMetrics } from "./metrics";
import { createObserveInterceptor } from "./observe-interceptor";
import { newReferenceNumber } from "./reference-number";
import { createRegistry, type RegistrySnapshot } from "./registry";
import { restRoutes } from "./rest-routes";
import { createGatewayServers } from "./server";
import { createTransferService } from "./transfer-service";
import { createTransferStore } from "./transfer-store";

/** A mongoose connection, named without importing mongoose (only *-store.ts files do). */
type Connection = Parameters<typeof createRegistryStore>[0];

export type GatewaySettings = Pick<GatewayConfig,
  "host" | "httpPort" | "grpcPort" | "jwtAudience" | "trustedProxies" | "bodyLimitBytes" | "bankDeadlineMs" | "duplicateWaitMs" | "registryRefreshMs" | "pendingRecheckMs">;

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
  /** Reloads partners, routes, clients and the bank directory now (tests; otherwise every few seconds). */
  refreshRegistry(): Promise<void>;
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
  });
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });
  const bank = createBankCaller({ deadlineMs: settings.bankDeadlineMs });
  const transfers = createTransferService({
    ledger, bank, registry: () => registry.current(), clock: () => new Date(), newReference: newReferenceNumber,
    instanceId: `gateway-${randomUUID()}`, bankDeadlineMs: settings.bankDeadlineMs, duplicateWaitMs: settings.duplicateWaitMs,
    pendingRecheckMs: settings.pendingRecheckMs, logger,
    onBankCall: (bankCode, outcome, seconds) => { metrics.bankCalls.observe({ bank: bankCode, outcome }, seconds); },
  });
  const auth = createAppAuthenticator({ audience: settings.jwtAudience, clients: () => registry.current().clients });
  const served = [PaymentGatewayService, Health, ReflectionV1, ReflectionV1alpha];
  // Reflection also describes the bank contract, so one grpcurl session can inspect the whole mesh's types.
  const reflection = createReflectionIndex(served, [file_payment_v1_bank]);
  const ready = () => pingDatabase(connection);
  const servers = createGatewayServers({
    routes: (router) => {
      router.service(PaymentGatewayService, createGatewayServiceImpl(transfers));
      registerHealth(router, { health: Health, services: served.map((s) => s.typeName), ready });
      registerReflection(router, [ReflectionV1, ReflectionV1alpha], reflection);
    },
    routerOptions: {
      interceptors: [createObserveInterceptor(logger, metrics), createAuthInterceptor(auth), createValidationInterceptor(), createTokenUseInterceptor(auth, jtiStore)],
      readMaxBytes: settings.bodyLimitBytes,
      // Unknown fields are refused (a misspelt field must not be silently dropped from a payment);
      // every field is written, so REST clients always see the whole envelope.
      jsonOptions: { ignoreUnknownFields: false, alwaysEmitImplicit: true },
    },
    restRoutes: restRoutes(PaymentGatewayService),
    restSuccessStatus: (body) => ((body.data as { status?: unknown } | null | undefined)?.status === "PENDING" ? 202 : 200),
    trustedProxies: createIpMatcher(settings.trustedProxies),
    bodyLimitBytes: settings.bodyLimitBytes,
    ready,
    // A real process also shows the database round trips (gerbang_db_command_duration_seconds, in
    // prom-client's default registry, fed by connectDatabase) next to the gateway's own metrics.
    metrics: deps.defaultMetrics === true ? Registry.merge([metrics.registry, register]) : metrics.registry,
    logger,
  });
  const ports = await servers.listen(settings.host, settings.httpPort, settings.grpcPort);
  // Used jtis are kept until their token expires (at most 5 minutes), then purged.
  const purge = setInterval(() => {
    jtiStore.purgeExpired(new Date()).catch((error: unknown) => { logger.warn({ err: error }, "jti purge failed"); });
  }, 60_000);
  purge.unref();
  logger.info({ httpPort: ports.httpPort, grpcPort: ports.grpcPort }, "gateway listening");
  return {
    ...ports,
    refreshRegistry: async () => { await registry.refresh(); },
    close: async () => {
      clearInterval(purge);
      registry.close();
      await servers.close();
      bank.close();
    },
  };
}
