import path from "node:path";
import { loadSync } from "@grpc/proto-loader";
import { create, createFileRegistry, fromBinary, type DescFile, type DescService, type FileRegistry } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema, FileDescriptorSetSchema,
  type DescriptorProto, type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";

/**
 * Descriptors of the stock gRPC health and reflection services, so the edge can serve them as
 * ordinary Connect services. Their .proto files ship in the npm packages grpc-health-check and
 * @grpc/reflection but are not part of our buf generation, so they are parsed here once, at
 * start-up, with @grpc/proto-loader (protobufjs). protobufjs writes type names relative to their
 * scope and names files after the package; both are put right so stock clients (grpcurl, buf
 * curl) can resolve them.
 */

const packageRoot = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

const SOURCES = [
  { file: "grpc/health/v1/health.proto", from: () => path.join(packageRoot("grpc-health-check"), "proto/health/v1/health.proto") },
  { file: "grpc/reflection/v1/reflection.proto", from: () => path.join(packageRoot("@grpc/reflection"), "build/proto/grpc/reflection/v1/reflection.proto") },
  { file: "grpc/reflection/v1alpha/reflection.proto", from: () => path.join(packageRoot("@grpc/reflection"), "build/proto/grpc/reflection/v1alpha/reflection.proto") },
] as const;

export interface GrpcInfraDescriptors {
  readonly health: DescService;
  readonly reflectionV1: DescService;
  readonly reflectionV1alpha: DescService;
  /** The three files, for the reflection service to hand out. */
  readonly files: DescFile[];
}

export function loadGrpcInfraDescriptors(): GrpcInfraDescriptors {
  const protos = SOURCES.map((source) => loadFileProto(source.from(), source.file));
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: protos }));
  return {
    health: serviceOf(registry, "grpc.health.v1.Health"),
    reflectionV1: serviceOf(registry, "grpc.reflection.v1.ServerReflection"),
    reflectionV1alpha: serviceOf(registry, "grpc.reflection.v1alpha.ServerReflection"),
    files: SOURCES.map((source) => {
      const file = registry.getFile(source.file);
      if (file === undefined) throw new Error(`descriptor ${source.file} missing`);
      return file;
    }),
  };
}

function serviceOf(registry: FileRegistry, typeName: string): DescService {
  const service = registry.getService(typeName);
  if (service === undefined) throw new Error(`service ${typeName} missing from its .proto file`);
  return service;
}

function loadFileProto(protoPath: string, canonicalName: string): FileDescriptorProto {
  const definition = loadSync(protoPath);
  // Every message type's definition carries the serialized file it came from.
  let bytes: Buffer | undefined;
  for (const value of Object.values(definition)) {
    if ("fileDescriptorProtos" in value && Array.isArray(value.fileDescriptorProtos)) bytes ??= value.fileDescriptorProtos[0];
  }
  if (bytes === undefined) throw new Error(`no descriptor in ${protoPath}`);
  const proto = fromBinary(FileDescriptorProtoSchema, bytes);
  proto.name = canonicalName;
  for (const message of proto.messageType) nameMapEntries(message);
  qualifyTypeNames(proto);
  return proto;
}

/** protoc names a map's entry type `<Field>Entry`; protobufjs uses the field name alone. */
function nameMapEntries(message: DescriptorProto): void {
  for (const nested of message.nestedType) {
    nameMapEntries(nested);
    if (nested.options?.mapEntry !== true || nested.name.endsWith("Entry")) continue;
    const old = nested.name;
    nested.name = `${old}Entry`;
    for (const field of message.field) if (field.typeName === old) field.typeName = nested.name;
  }
}

/** Rewrites relative type names to fully qualified ones, resolving scopes as protoc does (innermost first). */
function qualifyTypeNames(file: FileDescriptorProto): void {
  const known = new Set<string>();
  const collect = (scope: string, message: DescriptorProto): void => {
    const name = `${scope}.${message.name}`;
    known.add(name);
    for (const e of message.enumType) known.add(`${name}.${e.name}`);
    for (const nested of message.nestedType) collect(name, nested);
  };
  const root = `.${file.package}`;
  for (const m of file.messageType) collect(root, m);
  for (const e of file.enumType) known.add(`${root}.${e.name}`);
  const resolve = (scope: string, typeName: string): string => {
    if (typeName.startsWith(".")) return typeName;
    for (let s = scope; s !== ""; s = s.slice(0, s.lastIndexOf("."))) {
      if (known.has(`${s}.${typeName}`)) return `${s}.${typeName}`;
    }
    throw new Error(`type ${typeName} not found from ${scope}`);
  };
  const fix = (scope: string, message: DescriptorProto): void => {
    const name = `${scope}.${message.name}`;
    for (const field of message.field) if (field.typeName !== "") field.typeName = resolve(name, field.typeName);
    for (const nested of message.nestedType) fix(name, nested);
  };
  for (const m of file.messageType) fix(root, m);
  for (const service of file.service) {
    for (const method of service.method) {
      method.inputType = resolve(root, method.inputType);
      method.outputType = resolve(root, method.outputType);
    }
  }
}
