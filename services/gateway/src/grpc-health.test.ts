import { getEventListeners } from "node:events";
import { createClient, createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { Health } from "@gerbang/gen/es/health/v1/health_pb";
import { registerHealth } from "./grpc-health";

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
