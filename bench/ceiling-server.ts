import http from "node:http";
import http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { GetTransferResponseSchema, PaymentGatewayService, TransferResponseSchema } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { BankTransferServiceService, BankTransferStatus, type BankTransferServiceServer } from "@gerbang/gen/ts-proto/payment/v1/bank";

/**
 * The ceilings of any Node server on this machine, nothing else done per request:
 * node:http answering a fixed JSON, a grpc-js server of the bank contract answering SUCCESS at
 * once (the floor of one gRPC hop of the mesh, generated code and all), and Connect on HTTP/2
 * cleartext answering the gateway's Transfer at once (the floor of the gRPC edge, served as the
 * gateway serves it). Run as its own process by the benchmark:
 * `node --import tsx bench/ceiling-server.ts <http port> <grpc port> <connect port>`.
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

const accepted = create(TransferResponseSchema, { statusCode: "000", message: "Success transfer!" });
const connectServer = http2.createServer(connectNodeAdapter({
  routes: (router) => {
    router.service(PaymentGatewayService, { transfer: () => accepted, getTransfer: () => create(GetTransferResponseSchema, { statusCode: "000" }) });
  },
}));
connectServer.listen(Number(process.argv[4] ?? 0), "127.0.0.1");

process.on("SIGTERM", () => { server.close(); grpcServer.forceShutdown(); connectServer.close(); process.exit(0); });
