import { status } from "@grpc/grpc-js";
import { createTokenCache, type IssuedToken } from "./token-cache";

// Unit test with an in-memory token source and a controlled clock.
describe("token cache", () => {
  const setup = (lifetime: number) => {
    let clock = 0;
    let issued = 0;
    const cache = createTokenCache({
      fetchToken: () => new Promise<IssuedToken>((resolve) => { issued += 1; resolve({ value: `t${issued}`, expiresInSeconds: lifetime }); }),
      fetchTimeoutMs: 1000,
      now: () => clock,
    });
    return { cache, advance: (ms: number) => { clock += ms; }, issued: () => issued };
  };
  const signal = () => new AbortController().signal;

  it("reuses a token until shortly before it expires, then fetches a new one", async () => {
    const { cache, advance, issued } = setup(3600);
    expect(await cache.get(signal())).toBe("t1");
    advance(3_500_000); // 100 s before expiry: still more than the 60 s margin
    expect(await cache.get(signal())).toBe("t1");
    advance(50_000); // 50 s before expiry: inside the margin
    expect(await cache.get(signal())).toBe("t2");
    expect(issued()).toBe(2);
  });

  it("refreshes short-lived tokens at four fifths of their life", async () => {
    const { cache, advance } = setup(10);
    expect(await cache.get(signal())).toBe("t1");
    advance(7_900);
    expect(await cache.get(signal())).toBe("t1");
    advance(200);
    expect(await cache.get(signal())).toBe("t2");
  });

  it("shares one fetch among concurrent callers and forgets a token the bank refused", async () => {
    const { cache, issued } = setup(3600);
    expect(await Promise.all([cache.get(signal()), cache.get(signal()), cache.get(signal())])).toEqual(["t1", "t1", "t1"]);
    expect(issued()).toBe(1);
    cache.invalidate("t-other"); // a stale token does not evict the current one
    expect(await cache.get(signal())).toBe("t1");
    cache.invalidate("t1");
    expect(await cache.get(signal())).toBe("t2");
  });

  it("is UNAVAILABLE (not sent) when no token can be obtained", async () => {
    const cache = createTokenCache({ fetchToken: () => Promise.reject(new Error("token endpoint answered HTTP 401")), fetchTimeoutMs: 1000 });
    const error = await cache.get(signal()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.UNAVAILABLE });
    expect(String(error)).toMatch(/not sent.*HTTP 401/);
  });

  it("lets a caller whose budget is spent give up while the fetch goes on", async () => {
    const cache = createTokenCache({ fetchToken: () => new Promise<IssuedToken>(() => undefined), fetchTimeoutMs: 1000 });
    const controller = new AbortController();
    const waiting = cache.get(controller.signal);
    controller.abort("timeout");
    await expect(waiting).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
