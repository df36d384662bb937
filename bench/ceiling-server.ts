import http from "node:http";

/**
 * The ceiling of any Node server on this machine: node:http answering a fixed JSON, nothing else.
 * Run as its own process by the benchmark: `node --import tsx bench/ceiling-server.ts <port>`.
 */
const body = JSON.stringify({ statusCode: "000", message: "Success transfer!", data: { referenceNumber: "GRB000000000000" } });
const port = Number(process.argv[2] ?? 0);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => { server.close(); process.exit(0); });
