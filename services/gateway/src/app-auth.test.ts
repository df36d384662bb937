import { CLOCK_TOLERANCE_SECONDS, signHs256 } from "@gerbang/shared";
import { createAppAuthenticator, MAX_AUTHORIZATION_LENGTH } from "./app-auth";
import { createIpMatcher } from "./ip-allowlist";
import type { RegisteredClient } from "./registry";

const KEY = "app-auth-test-key-000000000000000000";
const client: RegisteredClient = {
  clientId: "7", serviceName: "test-app", keyToken: KEY, allowedIps: ["127.0.0.1"], escrowAccounts: [], active: true,
  allow: createIpMatcher(["127.0.0.1"]),
};
const NOW = 1_800_000_000;
const authenticator = createAppAuthenticator({ audience: "gerbang", clients: () => new Map([[client.clientId, client]]), nowSeconds: () => NOW });
const tokenExpiringAt = (exp: number) => "Bearer " + signHs256({ sub: "7", aud: "gerbang", iat: exp - 60, exp, jti: `jti-${exp}` }, KEY);

describe("app authentication: how long a jti must be remembered", () => {
  it("accepts a token up to the clock tolerance after its exp", () => {
    expect(() => authenticator.authenticate(tokenExpiringAt(NOW - CLOCK_TOLERANCE_SECONDS + 1), "127.0.0.1")).not.toThrow();
    expect(() => authenticator.authenticate(tokenExpiringAt(NOW - CLOCK_TOLERANCE_SECONDS - 1), "127.0.0.1")).toThrow(/expired/);
  });

  it("keeps the jti until the token stops being accepted (exp + tolerance), not until exp: a purge at exp would let a replay through", () => {
    const exp = NOW + 30;
    const identity = authenticator.authenticate(tokenExpiringAt(exp), "127.0.0.1");
    expect(identity.expiresAt.getTime()).toBe((exp + CLOCK_TOLERANCE_SECONDS) * 1000);
  });
});

describe("app authentication: size", () => {
  it("refuses an authorization longer than 4096 characters before decoding it, whoever signed it", () => {
    const padded = (length: number) => "Bearer " + signHs256({ sub: "7", aud: "gerbang", iat: NOW - 1, exp: NOW + 60, jti: "j", pad: "x".repeat(length) }, KEY);
    const long = padded(4000);
    expect(long.length).toBeGreaterThan(MAX_AUTHORIZATION_LENGTH);
    expect(() => authenticator.authenticate(long, "127.0.0.1")).toThrow("authorization longer than 4096 characters");
    expect(() => authenticator.authenticate(padded(2500), "127.0.0.1")).not.toThrow(); // signed by the client and under the bound: accepted
  });
});
