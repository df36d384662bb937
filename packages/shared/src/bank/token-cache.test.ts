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

  const settle = () => new Promise((resolve) => { setImmediate(resolve); });

  it("reuses a token until shortly before it expires, then renews it in the background, handing out the valid one meanwhile", async () => {
    const { cache, advance, issued } = setup(3600);
    expect(await cache.get(signal())).toBe("t1");
    advance(3_500_000); // 100 s before expiry: still more than the 60 s margin
    expect(await cache.get(signal())).toBe("t1");
    advance(50_000); // 50 s before expiry: inside the margin
    expect(await cache.get(signal())).toBe("t1"); // still valid: this payment does not wait for the renewal
    await settle();
    expect(await cache.get(signal())).toBe("t2");
    expect(issued()).toBe(2);
  });

  it("refreshes short-lived tokens at four fifths of their life, and waits for one only at its expiry", async () => {
    const { cache, advance } = setup(10);
    expect(await cache.get(signal())).toBe("t1");
    advance(7_900);
    expect(await cache.get(signal())).toBe("t1");
    advance(1_200); // 9.1 s of 10: within a tenth of its life from expiry, no longer handed out
    expect(await cache.get(signal())).toBe("t2");
  });

  it("keeps handing out a valid token while its renewal fails, retrying at most every second; refuses once it has expired", async () => {
    let clock = 0;
    let fail = false;
    let fetches = 0;
    const cache = createTokenCache({
      fetchToken: () => {
        fetches += 1;
        return fail ? Promise.reject(new Error("token endpoint answered HTTP 503")) : Promise.resolve({ value: `t${fetches}`, expiresInSeconds: 3600 });
      },
      fetchTimeoutMs: 1000,
      now: () => clock,
    });
    expect(await cache.get(signal())).toBe("t1");
    fail = true;
    clock = 3_560_000; // 40 s before expiry
    for (let i = 0; i < 5; i++) expect(await cache.get(signal())).toBe("t1");
    await settle();
    expect(fetches).toBe(2); // one renewal tried, not one per payment
    clock += 1_000;
    expect(await cache.get(signal())).toBe("t1");
    await settle();
    expect(fetches).toBe(3);
    clock = 3_596_000; // 4 s before expiry: not handed out; the fetch fails, so not sent
    await expect(cache.get(signal())).rejects.toMatchObject({ code: status.UNAVAILABLE });
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
