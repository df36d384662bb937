/** Test harness for bank services: import as "@gerbang/shared/src/bank/testing" from *.test.ts only. */
export * from "./grpc-caller";
export * from "./registry-rows";
export * from "./sandbox-admin";
export * from "./sandbox-process";
export * from "./conformance";
export * from "./midnight";
export * from "./standard-services";
