import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import { startSystem, type RunningSystem } from "./system";

/**
 * `make run`: the whole system on this machine's loopback with the paper's ports (fixed: the
 * port variables are for running a service on its own). Uses MONGODB_URI when set, otherwise
 * the embedded FerretDB with its files in .state/run, and MONGODB_DATABASE (default gerbang),
 * as `make show`, `settle` and `reconcile` do.
 * Ctrl-C, a SIGTERM or a hang-up of the terminal stops every process in order, the database last:
 * each component runs in a process group of its own, so the terminal's signal reaches only this
 * one, and the gateway still has its database while it hands its leases back and records the
 * answers in flight. So does any component that dies, and a signal while starting stops what has
 * started. A second Ctrl-C while they stop kills them all at once. (A SIGKILL to this process alone
 * leaves the components running, as it always did: they hold the ports, and the next make run says so.)
 */
/** A signal this soon after the first is the same Ctrl-C (relayed by tsx), not a second one. */
const REPEAT_MS = 1_000;

async function main(): Promise<void> {
  // Listening before anything starts: a signal while starting stops what has started (the
  // default action would leave it running, holding the ports the next make run needs).
  const starting = new AbortController();
  const started: { system?: RunningSystem } = {};
  let stoppingSince: number | undefined;
  const shutdown = (exitCode: number) => {
    const { system } = started;
    if (system === undefined) {
      starting.abort(new Error("stopped while starting; everything started was stopped"));
      return;
    }
    if (stoppingSince !== undefined) {
      // tsx relays the terminal's signal, so one Ctrl-C arrives twice within milliseconds: only
      // another one a moment later means "now", for a stop that takes too long.
      if (Date.now() - stoppingSince < REPEAT_MS) return;
      console.log("\nKilling every process now: the gateway's leases run out instead of being handed back.");
      for (const name of [...system.started, "database" as const]) {
        const pid = system.pid(name);
        try { if (pid !== undefined) process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
      }
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log("\nStopping... (Ctrl-C again to kill everything at once)");
    system.stop().then(() => { console.log("Stopped."); process.exit(exitCode); }, (error: unknown) => { console.error(error); process.exit(1); });
  };
  process.on("SIGINT", () => { shutdown(0); });
  process.on("SIGTERM", () => { shutdown(0); });
  process.on("SIGHUP", () => { shutdown(0); });
  const system = await startSystem({
    stateDir: path.join(repoRoot, ".state/run"),
    fixedPorts: true,
    mongodbUri: process.env.MONGODB_URI ?? "",
    ...(process.env.MONGODB_DATABASE ? { databaseName: process.env.MONGODB_DATABASE } : {}), // unset or empty: the default
    stdio: "inherit",
    persistentBanks: true,
    ownProcessGroups: true,
    // Half a system must not look like a running one: a component that dies takes the rest down.
    onUnexpectedExit: (name, code, signal) => {
      console.error(`\n${name} exited unexpectedly (${code ?? signal ?? "?"}): stopping everything`);
      shutdown(1);
    },
    signal: starting.signal,
  });
  started.system = system;
  const p = system.ports;
  const where: [string, string][] = [
    ["database", process.env.MONGODB_URI !== undefined && process.env.MONGODB_URI !== "" ? "MONGODB_URI" : `mongodb://127.0.0.1:${p.database} (embedded FerretDB, files in .state/run/db)`],
    ["sandbox-bni", `http://127.0.0.1:${p.sandboxBni}`],
    ["sandbox-bca", `http://127.0.0.1:${p.sandboxBca}`],
    ["sandbox-mandiri", `http://127.0.0.1:${p.sandboxMandiri}`],
    ["bank-bni", `grpc 127.0.0.1:${p.bankBni}`],
    ["bank-bca", `grpc 127.0.0.1:${p.bankBca}`],
    ["bank-mandiri", `grpc 127.0.0.1:${p.bankMandiri}`],
    ["gateway", `http://127.0.0.1:${p.gatewayHttp} (REST, Connect, gRPC-Web)  grpc 127.0.0.1:${p.gatewayGrpc} (gRPC, Connect)`],
    ["gateway", `http://127.0.0.1:${p.gatewayOps} (operators: /metrics, /healthz, /readyz)`],
  ];
  console.log("\nGerbang is up:");
  for (const [name, url] of where) {
    if (name === "database" || system.started.includes(name as never)) console.log(`  ${name.padEnd(16)} ${url}`);
  }
  console.log("Ctrl-C stops everything.\n");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
