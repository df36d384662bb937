import http from "node:http";
import * as grpc from "@grpc/grpc-js";
import { BankTransferServiceService, BankTransferStatus, type BankTransferServiceServer } from "@gerbang/gen/ts-proto/payment/v1/bank";

/**
 * The ceilings of any Node server on this machine, nothing else done per request:
 * node:http answering a fixed JSON, and a grpc-js server of the bank contract answering SUCCESS
 * at once (the floor of one gRPC hop of the mesh, generated code and all).
 * Run as its own process by the benchmark: `node --import tsx bench/ceiling-server.ts <http port> <grpc port>`.
 */
const body = JSON.stringify({ statusCode: "000", message: "Success transfer!", data: { referenceNumber: "GRB000000000000" } });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1");

const success = { status: BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS, bankRequestId: "ceiling", bankCode: "0001", bankMessage: "Success", bankReference: "ceiling" };
const echo: BankTransferServiceServer = {
  transfer: (call, callback) => { callback(null, { ...success, bankRequestId: call.request.referenceNumber }); },
  getTransferStatus: (call, callback) => { callback(null, { ...success, bankRequestId: call.request.referenceNumber }); },
};
const grpcServer = new grpc.Server();
grpcServer.addService(BankTransferServiceService, echo);
grpcServer.bindAsync(`127.0.0.1:${process.argv[3] ?? "0"}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error !== null) throw error;
});

process.on("SIGTERM", () => { server.close(); grpcServer.forceShutdown(); process.exit(0); });
