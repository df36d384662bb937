import { create, toBinary, type DescFile, type DescMethodBiDiStreaming, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";

/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha: same messages, two packages) as a
 * Connect service, answering from the descriptors protoc-gen-es embeds in gen/es, so grpcurl,
 * `buf curl --reflect` and Postman work without the .proto files.
 */

interface ReflectionRequest {
  messageRequest: { case: "fileByFilename" | "fileContainingSymbol" | "listServices"; value: string }
    | { case: "fileContainingExtension" | "allExtensionNumbersOfType"; value: unknown }
    | { case: undefined; value?: undefined };
}

export interface ReflectionIndex {
  services: string[];
  byFilename(name: string): DescFile | undefined;
  bySymbol(symbol: string): DescFile | undefined;
}

/**
 * Indexes every symbol (messages, enums, services, methods, nested) of the served services' files
 * and their imports.
 */
export function createReflectionIndex(services: readonly DescService[]): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const addFile = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    for (const m of file.messages) addMessage(file, m);
    for (const e of file.enums) symbols.set(e.typeName, file);
    for (const s of file.services) {
      symbols.set(s.typeName, file);
      for (const method of s.methods) symbols.set(`${s.typeName}.${method.name}`, file);
    }
    for (const dep of file.dependencies) addFile(dep);
  };
  const addMessage = (file: DescFile, message: DescFile["messages"][number]): void => {
    symbols.set(message.typeName, file);
    for (const nested of message.nestedMessages) addMessage(file, nested);
    for (const e of message.nestedEnums) symbols.set(e.typeName, file);
  };
  for (const s of services) addFile(s.file);
  return {
    services: services.map((s) => s.typeName),
    byFilename: (name) => files.get(name),
    bySymbol: (symbol) => symbols.get(symbol.replace(/^\./, "")),
  };
}

/** The file and everything it imports, serialized, as FileDescriptorResponse wants them. */
function withDependencies(file: DescFile): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  const visit = (f: DescFile): void => {
    if (seen.has(f.proto.name)) return;
    seen.set(f.proto.name, toBinary(FileDescriptorProtoSchema, f.proto));
    for (const dep of f.dependencies) visit(dep);
  };
  visit(file);
  return [...seen.values()];
}

export function registerReflection(router: ConnectRouter, reflectionServices: readonly DescService[], index: ReflectionIndex): void {
  for (const service of reflectionServices) {
    const found = service.methods[0];
    if (found?.methodKind !== "bidi_streaming") throw new Error(`${service.typeName} is not the reflection service`);
    const method = found as DescMethodBiDiStreaming;
    router.rpc(method, async function* (requests) {
      for await (const request of requests) {
        const req = request as unknown as ReflectionRequest;
        yield create(method.output, { validHost: "", originalRequest: request, messageResponse: respond(req, index) });
      }
    });
  }
}

function respond(req: ReflectionRequest, index: ReflectionIndex): unknown {
  const notFound = (what: string) => ({ case: "errorResponse", value: { errorCode: 5, errorMessage: `${what} not found` } });
  const files = (file: DescFile | undefined, what: string) =>
    file === undefined ? notFound(what) : { case: "fileDescriptorResponse", value: { fileDescriptorProto: withDependencies(file) } };
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices": return { case: "listServicesResponse", value: { service: index.services.map((name) => ({ name })) } };
    case "fileByFilename": return files(index.byFilename(r.value), `file ${r.value}`);
    case "fileContainingSymbol": return files(index.bySymbol(r.value), `symbol ${r.value}`);
    // Our protos declare no extensions of their own; clients treat NOT_FOUND as "none".
    case "fileContainingExtension": case "allExtensionNumbersOfType": return notFound("extension");
    case undefined: return { case: "errorResponse", value: { errorCode: 3, errorMessage: "empty reflection request" } };
  }
}
