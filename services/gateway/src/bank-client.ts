import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { BankTransferServiceClient, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { signServiceToken, type Partner } from "@gerbang/shared";
import { answerFromError, answerFromResponse, type BankAnswer } from "./bank-outcome";

/** Calls bank services through the generated grpc-js client; one client (one channel) per serviceUrl. */
export interface BankCaller {
  transfer(partner: Partner, request: BankTransferServiceTransferRequest): Promise<BankAnswer>;
  close(): void;
}

export function createBankCaller(options: { deadlineMs: number }): BankCaller {
  const clients = new Map<string, BankTransferServiceClient>();
  const clientFor = (serviceUrl: string): BankTransferServiceClient => {
    let client = clients.get(serviceUrl);
    if (client === undefined) {
      // Mesh traffic stays on loopback or a private network; TLS is the deployment's concern.
      client = new BankTransferServiceClient(serviceUrl, credentials.createInsecure());
      clients.set(serviceUrl, client);
    }
    return client;
  };
  return {
    transfer: (partner, request) => new Promise<BankAnswer>((resolve) => {
      const metadata = new Metadata();
      // aud = the partner's code, bound to this attempt, 60 s: useless for any other call.
      const token = signServiceToken(partner.keyToken, partner.bankCode, { referenceNumber: request.referenceNumber, attempt: request.attempt });
      metadata.set("authorization", `Bearer ${token}`);
      const deadline = new Date(Date.now() + options.deadlineMs);
      clientFor(partner.serviceUrl).transfer(request, metadata, { deadline }, (error: ServiceError | null, response) => {
        resolve(error === null ? answerFromResponse(response) : answerFromError(error));
      });
    }),
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
