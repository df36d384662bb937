import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { freePort, pickableRange } from "./free-port";

describe("freePort", () => {
  it("picks below the kernel's ephemeral range, where no bind to port 0 or outgoing connection lands, and above 10000", () => {
    const range = pickableRange();
    if (!existsSync("/proc/sys/net/ipv4/ip_local_port_range")) {
      expect(range).toBeUndefined(); // not Linux: the kernel picks
      return;
    }
    const ephemeralLow = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (range === undefined) {
      expect(ephemeralLow).toBeLessThan(11_000); // no room below it: the kernel picks
      return;
    }
    expect(range.low).toBe(10_000);
    expect(range.high).toBeLessThanOrEqual(ephemeralLow);
    expect(range.high).toBeLessThanOrEqual(27_117); // make run's database port, and above, stay clear
  });

  it("never hands out one port twice while it is reserved (random picks alone would, ~93% of the time in 300)", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(300);
    const range = pickableRange();
    expect(ports.every((port) => range !== undefined && port >= range.low && port < range.high)).toBe(true);
  });

  it("hands out a port that can be bound", async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
    expect(server.address()).toMatchObject({ port });
    await new Promise((resolve) => server.close(resolve));
  });
});
