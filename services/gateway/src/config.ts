import type convict from "convict";
import { commonConfigSchema, DEFAULT_PORTS, loadConfig } from "@gerbang/shared";

/** The gateway's settings; read once in main.ts (env) or passed by tests (overrides). */
export interface GatewayConfig {
  logLevel: string;
  mongodbUri: string;
  mongodbDatabase: string;
  httpPort: number;
  grpcPort: number;
  host: string;
  jwtAudience: string;
  trustedProxies: string[];
  bodyLimitBytes: number;
  bankDeadlineMs: number;
  duplicateWaitMs: number;
  registryRefreshMs: number;
  pendingRecheckMs: number;
}

export const gatewayConfigSchema: convict.Schema<GatewayConfig> = {
  ...commonConfigSchema,
  httpPort: {
    doc: "HTTP/1.1 port: REST, Connect and gRPC-Web, plus /healthz, /readyz, /metrics.",
    format: "port",
    default: DEFAULT_PORTS.gatewayHttp,
    env: "GATEWAY_HTTP_PORT",
  },
  grpcPort: {
    doc: "HTTP/2 cleartext port: gRPC and Connect, with gRPC health checking and reflection.",
    format: "port",
    default: DEFAULT_PORTS.gatewayGrpc,
    env: "GATEWAY_GRPC_PORT",
  },
  host: {
    doc: "Address both ports listen on (loopback only on this machine).",
    format: String,
    default: "127.0.0.1",
    env: "GATEWAY_HOST",
  },
  jwtAudience: {
    doc: "The `aud` every app token must carry.",
    format: String,
    default: "gerbang",
    env: "GATEWAY_JWT_AUDIENCE",
  },
  trustedProxies: {
    doc: "Comma-separated IPs or CIDRs of proxies whose X-Forwarded-For is believed; empty: none.",
    format: Array,
    default: [],
    env: "GATEWAY_TRUSTED_PROXIES",
  },
  bodyLimitBytes: {
    doc: "Largest accepted request body, in bytes (REST, Connect and gRPC alike).",
    format: "nat",
    default: 16 * 1024,
    env: "GATEWAY_BODY_LIMIT_BYTES",
  },
  bankDeadlineMs: {
    doc: "Deadline of one call to a bank service; no answer within it leaves the transfer PENDING.",
    format: "nat",
    default: 30_000,
    env: "GATEWAY_BANK_DEADLINE_MS",
  },
  duplicateWaitMs: {
    doc: "How long a duplicate of an in-flight transfer waits for the first request's answer.",
    format: "nat",
    default: 2_000,
    env: "GATEWAY_DUPLICATE_WAIT_MS",
  },
  registryRefreshMs: {
    doc: "How often partners, routes, clients and the bank directory are reloaded from the database.",
    format: "nat",
    default: 3_000,
    env: "GATEWAY_REGISTRY_REFRESH_MS",
  },
  pendingRecheckMs: {
    doc: "When a PENDING transfer is first due for a status inquiry (read by the resolver).",
    format: "nat",
    default: 30_000,
    env: "GATEWAY_PENDING_RECHECK_MS",
  },
};

/** Validated settings (env, then overrides); strict, so a misspelt key is an error. */
export function loadGatewayConfig(overrides: Record<string, unknown> = {}): GatewayConfig {
  return loadConfig(gatewayConfigSchema, overrides).getProperties();
}
