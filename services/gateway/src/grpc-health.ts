import { setTimeout as sleep } from "node:timers/promises";
import { create, type DescMessage, type DescMethod, type DescMethodServerStreaming, type DescMethodUnary, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { callerSourceKey } from "./context";
import { createShares } from "./shares";

/**
 * grpc.health.v1.Health as a Connect service (no maintained Connect implementation exists).
 * "" (the whole server) and every served service are SERVING while `ready` says so (the database
 * answers and the gateway is not stopping), NOT_SERVING otherwise; an unknown name is NOT_FOUND,
 * as the health protocol says.
 */

const SERVING = 1;
const NOT_SERVING = 2;

/**
 * Watch streams open at once on one gateway; more are RESOURCE_EXHAUSTED. Health needs no token,
 * and each stream holds its call's state and a timer for as long as the caller keeps it open:
 * without a bound, a stranger opening 100 per connection on enough connections would run the
 * gateway out of its heap. Balancers probe with Check; a few watchers per gateway is the norm.
 */
export const MAX_HEALTH_WATCHERS = 64;
/**
 * Of those, from one source (the caller's IP, an IPv6 /64): one stranger cannot take every place.
 * A gRPC client that checks health itself (a channel's healthCheckConfig) watches, and counts a
 * refused Watch as unhealthy: that is what one source must not do to everyone else.
 */
export const MAX_HEALTH_WATCHERS_PER_SOURCE = 8;

export interface HealthDeps {
  health: DescService;
  /** Fully qualified names of the services this server answers for. */
  services: readonly string[];
  ready: () => Promise<boolean>;
  /** True once the gateway is stopping: Watch streams say NOT_SERVING and end. */
  stopping: () => boolean;
  /** How often Watch re-checks. */
  watchIntervalMs?: number;
}

export function registerHealth(router: ConnectRouter, deps: HealthDeps): void {
  const { health } = deps;
  const method = (name: string): DescMethod => {
    const m = health.methods.find((x) => x.name === name);
    if (m === undefined) throw new Error(`grpc.health.v1.Health has no ${name}`);
    return m;
  };
  const check = method("Check") as DescMethodUnary;
  const watch = method("Watch") as DescMethodServerStreaming;
  const list = method("List") as DescMethodUnary;
  const statusOf = async (service: string): Promise<number> => {
    if (service !== "" && !deps.services.includes(service)) throw new ConnectError(`unknown service ${service}`, Code.NotFound);
    return (await deps.ready()) ? SERVING : NOT_SERVING;
  };
  const answer = (output: DescMessage, status: number) => create(output, { status });
  const serviceName = (req: unknown) => (req as { service?: string }).service ?? "";

  router.rpc(check, async (req) => answer(check.output, await statusOf(serviceName(req))));
  router.rpc(list, async () => {
    const status = (await deps.ready()) ? SERVING : NOT_SERVING;
    const statuses = Object.fromEntries(["", ...deps.services].map((name) => [name, { status }]));
    return create(list.output, { statuses });
  });
  // Sends the current status, then every change, until the caller hangs up (ctx.signal) or the
  // gateway stops: once it has said NOT_SERVING the stream ends, or closing the port would wait
  // for every watcher until GATEWAY_SHUTDOWN_GRACE_MS (the caller watches again, elsewhere).
  const watchers = createShares({ total: MAX_HEALTH_WATCHERS, perKey: MAX_HEALTH_WATCHERS_PER_SOURCE });
  router.rpc(watch, async function* (req, ctx) {
    const place = watchers.take(ctx.values.get(callerSourceKey));
    if (place.refused !== undefined) {
      const open = place.refused === "total" ? `${MAX_HEALTH_WATCHERS} Watch streams are open on this gateway` : `${MAX_HEALTH_WATCHERS_PER_SOURCE} Watch streams from this address are open`;
      throw new ConnectError(`${open} already; use Check, or Watch again later`, Code.ResourceExhausted);
    }
    try {
      const service = serviceName(req);
      let last: number | undefined;
      while (!ctx.signal.aborted) {
        const status = service === "" || deps.services.includes(service) ? await statusOf(service) : 3; // SERVICE_UNKNOWN
        if (status !== last) yield answer(watch.output, status);
        last = status;
        if (deps.stopping()) {
          // Stopping may have begun after the status above was read: the last word is NOT_SERVING.
          if (last !== NOT_SERVING) yield answer(watch.output, NOT_SERVING);
          return;
        }
        // Its abort listener goes when the pause ends: one added each round and never removed
        // would hold a closure per second for as long as the watcher stays.
        await sleep(deps.watchIntervalMs ?? 1000, undefined, { signal: ctx.signal }).catch(() => undefined); // aborted: the loop ends
      }
    } finally {
      place.release();
    }
  });
}
