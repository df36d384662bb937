import path from "node:path";
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream, type ClientReadableStream, type Metadata, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

/**
 * Clients of the standard gRPC services every server of ours offers (grpc.health.v1 and
 * grpc.reflection), from the .proto files their packages ship: what a load balancer or grpcurl
 * would call, for the gateway's tests and the bank services' alike.
 */

type Constructor<C> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => C;

/** The generic grpc-js client of service `names` (package path, then service) in `file` of npm package `pkg`. */
function clientOf<C extends Client>(pkg: string, file: string, names: readonly string[]): Constructor<C> {
  const root = loadPackageDefinition(loadSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file), { enums: String }));
  return names.reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], root) as Constructor<C>;
}

export type HealthClient = Client & {
  check(req: { service: string }, cb: (error: ServiceError | null, res: { status: string }) => void): void;
  watch(req: { service: string }, metadata?: Metadata): ClientReadableStream<{ status: string }>;
};

/** A grpc.health.v1.Health client of the server at `address` (host:port, no TLS). */
export function healthClient(address: string): HealthClient {
  const Health = clientOf<HealthClient>("grpc-health-check", "proto/health/v1/health.proto", ["grpc", "health", "v1", "Health"]);
  return new Health(address, credentials.createInsecure());
}

type Answer = Record<string, unknown>;
type ReflectionClient = Client & { serverReflectionInfo(): ClientDuplexStream<Answer, Answer> };

/**
 * Asks a server's gRPC reflection (grpc.reflection.v1 or v1alpha) each of `requests` on one
 * stream, as grpcurl does, and returns the answers in order.
 */
export async function askReflection(address: string, requests: readonly Answer[], version: "v1" | "v1alpha" = "v1"): Promise<Answer[]> {
  const Reflection = clientOf<ReflectionClient>("@grpc/reflection", `build/proto/grpc/reflection/${version}/reflection.proto`, ["grpc", "reflection", version, "ServerReflection"]);
  const client = new Reflection(address, credentials.createInsecure());
  try {
    const stream = client.serverReflectionInfo();
    const answers: Answer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on("data", (answer: Answer) => { answers.push(answer); if (answers.length === requests.length) stream.end(); });
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    for (const request of requests) stream.write(request);
    await done;
    return answers;
  } finally {
    client.close();
  }
}
