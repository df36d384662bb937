import { getEventListeners } from "node:events";
import { Code, ConnectError, createClient, createRouterTransport, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { Health } from "@gerbang/gen/es/health/v1/health_pb";
import { callerSourceKey } from "./context";
import { sourceOf } from "./ip-allowlist";
import { MAX_HEALTH_WATCHERS, MAX_HEALTH_WATCHERS_PER_SOURCE, registerHealth } from "./grpc-health";

// The health service alone, on Connect's in-memory transport (its behaviour on the gateway's real
// ports is in gateway-grpc.test.ts): what a long Watch leaves behind.
describe("grpc.health.v1 Watch", () => {
  it("leaves no listener behind on the call's signal per round: a watcher held for hours costs the same as one for a second", async () => {
    let rounds = 0;
    const signals: AbortSignal[] = [];
    const transport = createRouterTransport((router) => {
      // The router as registerHealth sees it, keeping each call's signal to count its listeners.
      const spying = {
        ...router,
        rpc: (method: never, impl: (req: unknown, ctx: { signal: AbortSignal }) => unknown, options?: never) =>
          router.rpc(method, ((req: unknown, ctx: { signal: AbortSignal }) => { signals.push(ctx.signal); return impl(req, ctx); }) as never, options),
      } as unknown as ConnectRouter;
      registerHealth(spying, { health: Health, services: [], ready: () => { rounds += 1; return Promise.resolve(true); }, stopping: () => false, watchIntervalMs: 1 });
    });
    const aborting = new AbortController();
    const iterator = createClient(Health, transport).watch({ service: "" }, { signal: aborting.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ status: 1 }); // SERVING
    // The in-memory transport runs the handler only while a message is asked for: ask (no change
    // comes, so it stays pending) and let the rounds go by.
    const next = iterator.next().catch(() => undefined);
    while (rounds < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    const listeners = signals.map((signal) => getEventListeners(signal, "abort").length);
    aborting.abort();
    await next;
    expect(signals).toHaveLength(1);
    expect(listeners[0]).toBeLessThan(5); // one per round before: 50 and counting
  });
});

describe("grpc.health.v1 Watch places", () => {
  it(`serves ${MAX_HEALTH_WATCHERS_PER_SOURCE} watchers per source and ${MAX_HEALTH_WATCHERS} in all; beyond either, RESOURCE_EXHAUSTED, and the other sources are still served`, async () => {
    const transport = createRouterTransport((router) => {
      // The caller's source as the gateway's transports put it in each call's context (server.ts),
      // here from an IP in a header the test sets.
      const withCaller = {
        ...router,
        rpc: (method: never, impl: (req: unknown, ctx: HandlerContext) => unknown, options?: never) =>
          router.rpc(method, ((req: unknown, ctx: HandlerContext) => { const ip = ctx.requestHeader.get("x-test-caller"); ctx.values.set(callerSourceKey, ip === null ? undefined : sourceOf(ip)); return impl(req, ctx); }) as never, options),
      } as unknown as ConnectRouter;
      registerHealth(withCaller, { health: Health, services: [], ready: () => Promise.resolve(true), stopping: () => false, watchIntervalMs: 60_000 });
    });
    const client = createClient(Health, transport);
    const aborting = new AbortController();
    /** A Watch from `ip`: its first answer's status, or the refusal's code. */
    const watch = async (ip: string) => {
      const iterator = client.watch({ service: "" }, { signal: aborting.signal, headers: { "x-test-caller": ip } })[Symbol.asyncIterator]();
      try {
        const next = await iterator.next();
        return next.done === true ? "ended" : `status ${next.value.status}`;
      } catch (error) {
        return `code ${ConnectError.from(error).code}`;
      }
    };
    try {
      const first = await Promise.all(Array.from({ length: MAX_HEALTH_WATCHERS_PER_SOURCE }, () => watch("198.51.100.1")));
      expect(new Set(first)).toEqual(new Set(["status 1"]));
      expect(await watch("198.51.100.1")).toBe(`code ${Code.ResourceExhausted}`); // that source's share
      expect(await watch("2001:db8::1")).toBe("status 1"); // another source is served
      expect(await watch("2001:db8::2")).toBe("status 1"); // ... and an IPv6 caller counts by its /64 with it
      const sources = MAX_HEALTH_WATCHERS / MAX_HEALTH_WATCHERS_PER_SOURCE;
      const rest = Array.from({ length: MAX_HEALTH_WATCHERS - MAX_HEALTH_WATCHERS_PER_SOURCE - 2 }, (_, i) => `198.51.100.${2 + (i % sources)}`);
      expect(new Set(await Promise.all(rest.map(watch)))).toEqual(new Set(["status 1"]));
      expect(await watch("203.0.113.9")).toBe(`code ${Code.ResourceExhausted}`); // the gateway's total
    } finally {
      aborting.abort();
    }
  });
});
