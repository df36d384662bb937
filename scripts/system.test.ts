import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { DEFAULT_PORTS, freePort, repoRoot } from "@gerbang/shared";
import { testDatabaseUri } from "../test/database";
import { busyPorts, notHoisted, startSystem, stillRunning, stopBackstopMs, thirdPartyDependencies, type ComponentName } from "./system";

// `make bench` runs every service from an esbuild bundle in .state/build, which loads its
// third-party packages from the root node_modules. A lockfile that nests one under a workspace
// (as npm did when Connect was pinned to 2.1) still passes every test run through tsx and
// breaks only the bench, so the layout is checked here.
describe("scripts/system.ts bundles", () => {
  it("finds every workspace's third-party dependency in the root node_modules", () => {
    const names = thirdPartyDependencies();
    expect(names).toContain("@connectrpc/connect-node");
    expect(names).toContain("@grpc/grpc-js");
    expect(notHoisted(names)).toEqual([]);
  });

  it("names a package that is not there", () => {
    expect(notHoisted(["@grpc/grpc-js", "@gerbang-test/not-installed"])).toEqual(["@gerbang-test/not-installed"]);
  });
});

describe("stopBackstopMs", () => {
  it("waits out a gateway's longer shutdown before killing it, and 45 s at least", () => {
    expect(stopBackstopMs({ GATEWAY_SHUTDOWN_DELAY_MS: "60000" })).toBe(60_000 + 20_000 + 10_000 + 5_000);
    expect(stopBackstopMs({})).toBe(45_000); // the default budget is 30 s
    expect(stopBackstopMs({ GATEWAY_SHUTDOWN_DELAY_MS: "soon" })).toBe(45_000); // refused settings: the gateway never started
  });
});

describe("startSystem", () => {
  it("stops the database and every started component when one cannot start", async () => {
    const mark = randomUUID();
    const stateDir = path.join(repoRoot, ".state/test-system", mark);
    try {
      await expect(startSystem({
        stateDir, fixedPorts: false, stdio: "ignore", commonEnv: { GERBANG_TEST_MARK: mark },
        skip: ["sandbox-bca", "sandbox-mandiri", "bank-bca", "bank-mandiri"],
        env: { gateway: { GATEWAY_HTTP_PORT: "not-a-port" } },
      })).rejects.toThrow(/gateway exited \(1\) before listening/);
      // The sandbox and bank service carry the mark in their environment, the database its folder.
      expect(processesMentioning(mark)).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("startSystem", () => {
  it("fails, stopping everything, when a component that came up dies before the whole system has", async () => {
    const mark = randomUUID();
    const stateDir = path.join(repoRoot, ".state/test-system", mark);
    // The sandbox exits 300 ms after it listens: while the bank service, a cold tsx start, is still coming up.
    const dieSoonAfterListening = "data:text/javascript,import http from 'node:http';const listen=http.Server.prototype.listen;"
      + "http.Server.prototype.listen=function(...a){this.once('listening',()=>setTimeout(()=>process.exit(7),300));return listen.apply(this,a)}";
    try {
      await expect(startSystem({
        stateDir, fixedPorts: false, stdio: "ignore", commonEnv: { GERBANG_TEST_MARK: mark },
        mongodbUri: testDatabaseUri(), databaseName: `test_system_${randomBytes(4).toString("hex")}`,
        skip: ["sandbox-bca", "sandbox-mandiri", "bank-bca", "bank-mandiri"],
        nodeArgs: { "sandbox-bni": ["--import", dieSoonAfterListening] },
      })).rejects.toThrow("sandbox-bni exited (7) while the system was starting");
      expect(processesMentioning(mark)).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("startSystem's watch on its components", () => {
  it("reports a component that dies unasked, and not one it was asked to kill, restart or stop", async () => {
    const exits: [ComponentName | "database", number | null, NodeJS.Signals | null][] = [];
    let firstExit: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => { firstExit = resolve; });
    const system = await startSystem({
      stateDir: path.join(repoRoot, ".state/test-system"), fixedPorts: false, stdio: "ignore",
      mongodbUri: testDatabaseUri(), databaseName: `test_system_${randomBytes(4).toString("hex")}`,
      skip: ["sandbox-bca", "sandbox-mandiri", "bank-bni", "bank-bca", "bank-mandiri", "gateway"],
      onUnexpectedExit: (...exit) => { exits.push(exit); firstExit(); },
    });
    try {
      process.kill(required(system.pid("sandbox-bni"), "sandbox-bni"), "SIGKILL"); // from outside, as a crash would
      await reported;
      expect(exits).toEqual([["sandbox-bni", null, "SIGKILL"]]);
      await system.restart("sandbox-bni");
      await system.kill("sandbox-bni");
      await system.restart("sandbox-bni");
    } finally {
      await system.stop();
    }
    expect(exits).toHaveLength(1);
  }, 60_000);

  it("reports the embedded database when it crashes, and not when it was asked to restart or stop", async () => {
    const exits: [ComponentName | "database", number | null, NodeJS.Signals | null][] = [];
    let firstExit: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => { firstExit = resolve; });
    const stateDir = path.join(repoRoot, ".state/test-system-db");
    rmSync(stateDir, { recursive: true, force: true });
    const system = await startSystem({
      stateDir, fixedPorts: false, stdio: "ignore",
      skip: ["sandbox-bni", "sandbox-bca", "sandbox-mandiri", "bank-bni", "bank-bca", "bank-mandiri", "gateway"],
      onUnexpectedExit: (...exit) => { exits.push(exit); firstExit(); },
    });
    try {
      await system.restartDatabase();
      process.kill(required(system.pid("database"), "database"), "SIGKILL"); // from outside, as a crash would
      await reported;
      expect(exits).toEqual([["database", null, "SIGKILL"]]);
    } finally {
      await system.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("with ownProcessGroups, puts the database and every component in a process group of its own (a terminal's Ctrl-C reaches only make run), and stop() still ends them", async () => {
    const mark = randomUUID();
    const stateDir = path.join(repoRoot, ".state/test-system", mark);
    const system = await startSystem({
      stateDir, fixedPorts: false, stdio: "ignore", commonEnv: { GERBANG_TEST_MARK: mark }, ownProcessGroups: true,
      skip: ["sandbox-bca", "sandbox-mandiri", "bank-bni", "bank-bca", "bank-mandiri", "gateway"],
    });
    try {
      const groups = (["database", "sandbox-bni"] as const).map((name) => processGroupOf(required(system.pid(name), name)));
      expect(groups).toEqual([required(system.pid("database"), "database"), required(system.pid("sandbox-bni"), "sandbox-bni")]);
      expect(groups).not.toContain(processGroupOf(process.pid));
    } finally {
      await system.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(processesMentioning(mark)).toEqual([]);
  }, 60_000);

  it("lists its processes in its state folder while it runs, and none once stopped", async () => {
    const stateDir = path.join(repoRoot, ".state/test-system", randomUUID());
    const system = await startSystem({
      stateDir, fixedPorts: false, stdio: "ignore",
      skip: ["sandbox-bca", "sandbox-mandiri", "bank-bni", "bank-bca", "bank-mandiri", "gateway"],
    });
    try {
      expect(stillRunning(stateDir)).toEqual([
        { name: "database", pid: required(system.pid("database"), "database") }, { name: "sandbox-bni", pid: required(system.pid("sandbox-bni"), "sandbox-bni") },
      ]);
    } finally {
      await system.stop();
    }
    expect(stillRunning(stateDir)).toEqual([]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("names what an earlier run left running when a port is taken (make run killed with SIGKILL), and starts nothing", async () => {
    const stateDir = path.join(repoRoot, ".state/test-system", randomUUID());
    mkdirSync(stateDir, { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // a process that has exited: not named
    // This test's own pid stands for processes left running (alive); an exited one is not named.
    writeFileSync(path.join(stateDir, "pids.json"), JSON.stringify({ database: process.pid, "sandbox-bni": gone, gateway: process.pid }));
    // make run's own port for the BNI sandbox, held here (or by a make run beside this test: taken either way).
    const holder = createServer();
    await new Promise<void>((resolve) => { holder.once("error", () => { resolve(); }).listen(DEFAULT_PORTS.sandboxBni, "127.0.0.1", resolve); });
    try {
      await expect(startSystem({ stateDir, fixedPorts: true, stdio: "ignore" }))
        .rejects.toThrow(`an earlier run, stopped without stopping them, left gateway (pid ${process.pid}), database (pid ${process.pid}): kill ${process.pid}, then kill ${process.pid}); nothing was started`);
    } finally {
      holder.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("finds the ports something already listens on", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
    try {
      const taken = (server.address() as { port: number }).port;
      const free = await freePort();
      expect(await busyPorts([free, taken])).toEqual([taken]);
    } finally {
      server.close();
    }
  });
});

/** A pid to signal: never 0, which would signal this whole process group (jest included). */
function required(pid: number | undefined, what: string): number {
  if (pid === undefined || pid <= 0) throw new Error(`${what} has no pid (not started, or already gone)`);
  return pid;
}

/** The process group of a live process (field 5 of /proc/<pid>/stat, after the parenthesised name). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** Live processes whose command line or environment contains `text`. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (cmdline.includes(text) || environ.includes(text)) found.push(`${pid}: ${cmdline.replaceAll("\0", " ")}`);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}
