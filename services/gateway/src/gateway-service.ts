import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { GetTransferResponseSchema, TransferResponseSchema, type PaymentGatewayService } from "@gerbang/gen/es/payment/v1/gateway_pb";
import type { AppIdentity } from "./app-auth";
import { identityKey, useTokenKey } from "./context";
import { GatewayError } from "./errors";
import type { TransferService } from "./transfer-service";
import { statusOf, toTransferMessage } from "./transfer-view";

/** The Connect implementation of PaymentGatewayService: guards ran in the interceptors; this maps to and from messages. */
export function createGatewayServiceImpl(transfers: TransferService): ServiceImpl<typeof PaymentGatewayService> {
  return {
    transfer: async (req, ctx) => {
      const { record, replayed } = await transfers.transfer(identityOf(ctx).client, req, tokenUseOf(ctx));
      return create(TransferResponseSchema, { ...statusOf(record), data: toTransferMessage(record), replayed });
    },
    getTransfer: async (req, ctx) => {
      const record = await transfers.getTransfer(identityOf(ctx).client, req);
      return create(GetTransferResponseSchema, { ...statusOf(record), data: toTransferMessage(record) });
    },
  };
}

function identityOf(ctx: HandlerContext): AppIdentity {
  const identity = ctx.values.get(identityKey);
  // The auth interceptor always runs first; reaching here without it is a wiring bug, refused anyway.
  if (identity === undefined) throw new GatewayError("UNAUTHENTICATED", "not authenticated");
  return identity;
}

function tokenUseOf(ctx: HandlerContext): () => Promise<void> {
  const useToken = ctx.values.get(useTokenKey);
  // Set by the token-use interceptor on every Transfer; without it the token could be used twice.
  if (useToken === undefined) throw new GatewayError("UNAUTHENTICATED", "not authenticated");
  return useToken;
}
