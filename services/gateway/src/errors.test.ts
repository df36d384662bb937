import { Code } from "@connectrpc/connect";
import { mongo } from "mongoose";
import { GatewayError, statusCodeOf, toConnectError } from "./errors";

const named = (name: string) => Object.assign(new Error("connection 8 to 127.0.0.1:27117 closed"), { name });

describe("toConnectError", () => {
  it("keeps a refusal's own code and statusCode", () => {
    const error = toConnectError(new GatewayError("FORBIDDEN_IP", "caller IP not allowed"));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(statusCodeOf(error)).toBe("202");
  });

  it.each(["MongoServerSelectionError", "MongooseServerSelectionError", "MongoNetworkError", "MongoNetworkTimeoutError", "MongoPoolClearedError", "PoolClearedOnNetworkError"])(
    "makes the driver's %s UNAVAILABLE (901, HTTP 503): the app may retry with the same clientReferenceNo",
    (name) => {
      const error = toConnectError(named(name));
      expect(error.code).toBe(Code.Unavailable);
      expect(statusCodeOf(error)).toBe("901");
      expect(error.rawMessage).toMatch(/database is unreachable/);
    },
  );

  it("sees the network error a grouped insert's MongoBulkWriteError wraps: UNAVAILABLE too", () => {
    const wrapped = new mongo.MongoBulkWriteError(new mongo.MongoNetworkError("connection 8 to 127.0.0.1:27117 closed"), {} as never);
    expect(wrapped.name).toBe("MongoBulkWriteError");
    expect(statusCodeOf(toConnectError(wrapped))).toBe("901");
    const refused = new mongo.MongoBulkWriteError({ message: "E11000 duplicate key", code: 11000, writeErrors: [] }, {} as never);
    expect(statusCodeOf(toConnectError(refused))).toBe("999"); // a refusal by the server is no outage
  });

  it("makes anything else INTERNAL (999) and keeps the original as the cause", () => {
    const original = named("MongoServerError");
    const error = toConnectError(original);
    expect(error.code).toBe(Code.Internal);
    expect(statusCodeOf(error)).toBe("999");
    expect(error.cause).toBe(original);
    // It may come after the insert: the app must retry with the same reference, not a new one.
    expect(error.rawMessage).toMatch(/may have been recorded; retry it with the same clientReferenceNo, never a new one/);
  });
});
