import type { ChildProcess } from "node:child_process";
import net from "node:net";

/** Helpers for the processes the scripts, tests and the embedded database start and stop. */

/** A child process as far as waitForPort cares: whether it has ended. */
interface Watched {
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
}

/**
 * Waits until `child` accepts connections on loopback `port`; bounded by `timeoutMs`, and a child
 * that ends first says so (with `detail()`, e.g. the tail of its stderr).
 */
export async function waitForPort(port: number, child: Watched, name: string, detail: () => string = () => "see its log", timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}\n${detail()}`);
    }
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}

/** Whether something accepts connections on loopback `port` (whoever it is). */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => { resolve(false); });
  });
}

/**
 * Stops `child` with `signal` (SIGTERM: gracefully), SIGKILLs it if it is still there after
 * `graceMs`, and resolves once it has exited. A child that already ended resolves at once.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(killer);
}
