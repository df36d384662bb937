import { randomInt } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { DEFAULT_PORTS } from "./local-fixtures";

/**
 * A free loopback TCP port for a process that binds it a moment later (a child started with
 * PORT=...). Until that bind nothing holds the port, and whatever binds first gets it: the child
 * then fails, or worse, a test finds someone else's server listening there. Two rules keep others
 * off it:
 * - it is picked below the kernel's ephemeral range (`ip_local_port_range`), where every bind to
 *   port 0 and every outgoing connection takes theirs (the servers tests start in-process, and
 *   the kernel's own choice that an earlier version of this function returned), and above 10000,
 *   clear of the well-known ports and of `make run`'s;
 * - it is reserved across processes for RESERVED_MS or more, by a file created exclusively in the
 *   temp folder, so two callers (two jest workers, a test and its system) never get the same port.
 * It is then checked free by binding it once. Where the ephemeral range leaves no room below it,
 * the kernel picks, as before.
 */
export async function freePort(): Promise<number> {
  const range = pickableRange();
  if (range !== undefined) {
    for (let tries = 0; tries < 100; tries++) {
      const port = randomInt(range.low, range.high);
      if (reserve(port) && (await canListen(port))) return port;
    }
  }
  return kernelPort();
}

/** Long enough for any child to start and bind; a reservation lasts one to two of these. */
const RESERVED_MS = 5 * 60_000;
/** Below: well-known and registered ports, `make run`'s among them (2002-9080). */
const LOWEST = 10_000;
/** The range needs room enough that random picks rarely meet a port in use. */
const MIN_RANGE = 1_000;

let pickable: { low: number; high: number } | null | undefined;
/** Where freePort picks: [low, high), or undefined when the kernel must. */
export function pickableRange(): { low: number; high: number } | undefined {
  if (pickable === undefined) {
    const ephemeralLow = readEphemeralLow();
    // The embedded database's default port sits under the usual ephemeral range: stay below it too.
    const high = ephemeralLow === undefined ? 0 : Math.min(ephemeralLow, DEFAULT_PORTS.database);
    pickable = high - LOWEST >= MIN_RANGE ? { low: LOWEST, high } : null;
  }
  return pickable ?? undefined;
}

function readEphemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined; // not Linux: the kernel picks
  }
}

const reservations = path.join(os.tmpdir(), `gerbang-ports-${os.userInfo().uid}`);
let swept = false;

/**
 * Claims `port` for this caller unless another claimed it in this period of RESERVED_MS or the one
 * before. A claim is a file named `<port>.<period>`, only ever created exclusively and never
 * replaced, so two callers cannot both win one; files of older periods are deleted, which races
 * with nobody since no one creates them any more.
 */
function reserve(port: number): boolean {
  const period = Math.floor(Date.now() / RESERVED_MS);
  if (!swept) {
    mkdirSync(reservations, { recursive: true });
    for (const name of readdirSync(reservations)) {
      if (Number(name.split(".")[1]) < period - 1) rmSync(path.join(reservations, name), { force: true });
    }
    swept = true;
  }
  if (existsSync(path.join(reservations, `${port}.${period - 1}`))) return false;
  try {
    closeSync(openSync(path.join(reservations, `${port}.${period}`), "wx"));
    return true;
  } catch {
    return false; // claimed this period already
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => { resolve(false); });
    server.listen(port, "127.0.0.1", () => { server.close(() => { resolve(true); }); });
  });
}

/** The kernel's choice: listen on 0, read it, close. */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}
