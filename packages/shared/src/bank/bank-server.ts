import { isIPv6 } from "node:net";
import path from "node:path";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { BankTransferServiceService, type BankTransferServiceServer } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { repoRoot } from "../embedded-db";
import { createBankTransferService, type BankServiceDeps } from "./bank-service";

const SERVICE_NAME = "payment.v1.BankTransferService";

export interface BankServer {
  /** The implementation, typed as the generated interface (every RPC, not a partial). */
  readonly service: BankTransferServiceServer;
  readonly server: Server;
  /** Binds host:port (0 = any free port), reports SERVING, and returns the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Reports NOT_SERVING, lets calls in flight finish (up to graceMs), then closes. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A bank service's gRPC server, unstarted: BankTransferService from the bank's adapter, plus
 * grpc.health.v1 (load balancers) and reflection (grpcurl, Postman) from proto/payment/v1/bank.proto.
 */
export function createBankServer(deps: BankServiceDeps): BankServer {
  const service = createBankTransferService(deps);
  // Big enough for any transfer request; grpc-js' default of 4 MB invites abuse.
  const server = new Server({ "grpc.max_receive_message_length": 64 * 1024 });
  server.addService(BankTransferServiceService, service);
  const health = new HealthImplementation({ "": "NOT_SERVING", [SERVICE_NAME]: "NOT_SERVING" });
  health.addToServer(server);
  const definition = loadSync("payment/v1/bank.proto", { includeDirs: [path.join(repoRoot, "proto")] });
  new ReflectionService(definition).addToServer(server);
  const setHealth = (status: "SERVING" | "NOT_SERVING") => {
    health.setStatus("", status);
    health.setStatus(SERVICE_NAME, status);
  };

  return {
    service,
    server,
    listen: (host, port) =>
      new Promise<number>((resolve, reject) => {
        server.bindAsync(isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) => {
          if (error !== null) { reject(error); return; }
          setHealth("SERVING");
          resolve(bound);
        });
      }),
    stop: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        setHealth("NOT_SERVING");
        const force = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
        server.tryShutdown(() => { clearTimeout(force); resolve(); });
      }),
  };
}
