import http from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, LOCAL_BANK_CREDENTIALS, sandboxAccounts, type Logger } from "@gerbang/shared";
import { createBcaApi } from "./bca/routes";
import { createBniApi } from "./bni/routes";
import { createMandiriApi } from "./mandiri/routes";
import { createAccounts } from "./core/accounts";
import { serveAdmin } from "./core/admin";
import type { BankApi, SandboxContext } from "./core/context";
import { createFaultRules } from "./core/faults";
import { createHolds, DEFAULT_HOLD_MS } from "./core/holds";
import { MAX_BODY_BYTES, readBody, ReplyError, send, type Exchange } from "./core/http";
import { fileJournal } from "./core/journal";
import { createLedger } from "./core/ledger";
import type { BankCredentials } from "./credentials";

export type SandboxOptions = (BankCredentials | { bank: BankCredentials["bank"]; credentials?: undefined }) & {
  /** Token lifetime in seconds; 0 or absent: the bank's own (BNI 3600, BCA 3599, Mandiri 3600). */
  tokenTtlSeconds?: number;
  logger?: Logger;
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  now?: () => number;
  /** How long a `timeout` fault holds the socket (default 120 s). */
  holdMs?: number;
  /** File of the bank's books (core/journal.ts); absent: they live in memory only. */
  journalFile?: string;
};

export interface Sandbox {
  readonly server: http.Server;
  /** Listens on 127.0.0.1 (port 0: any free port); resolves to the port. */
  listen(port?: number): Promise<number>;
  /** Base URL once listening, e.g. http://127.0.0.1:7002. */
  url(): string;
  /** Stops listening, ends held sockets and open connections. */
  close(): Promise<void>;
}

const BANK_TTL = { bni: 3600, bca: 3599, mandiri: 3600 } as const;

function bankApi(options: SandboxOptions, ctx: SandboxContext): BankApi {
  switch (options.bank) {
    case "bni":
      return createBniApi(ctx, options.credentials ?? LOCAL_BANK_CREDENTIALS.bni);
    case "bca":
      return createBcaApi(ctx, options.credentials ?? LOCAL_BANK_CREDENTIALS.bca);
    case "mandiri":
      return createMandiriApi(ctx, options.credentials ?? LOCAL_BANK_CREDENTIALS.mandiri);
  }
}

/** The path's captured groups when it matches, else undefined. */
function matchPath(pattern: string | RegExp, path: string): string[] | undefined {
  if (typeof pattern === "string") return pattern === path ? [] : undefined;
  return pattern.exec(path)?.slice(1);
}

/** An unstarted sandbox of one bank: tests run it in-process on port 0, main.ts on its port. */
export function createSandbox(options: SandboxOptions): Sandbox {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(`sandbox-${options.bank}`, "silent");
  const accounts = createAccounts(() => sandboxAccounts(options.bank));
  const ctx: SandboxContext = {
    bank: options.bank, accounts, faults: createFaultRules(),
    ledger: createLedger(accounts, now, options.journalFile === undefined ? undefined : fileJournal(options.journalFile)),
    holds: createHolds(options.holdMs ?? DEFAULT_HOLD_MS), now, logger,
    tokenTtlSeconds: options.tokenTtlSeconds !== undefined && options.tokenTtlSeconds > 0 ? options.tokenTtlSeconds : BANK_TTL[options.bank],
    stats: { refusedTokens: 0 },
  };
  const api = bankApi(options, ctx);

  const handle = async (ex: Exchange): Promise<void> => {
    const body = await readBody(ex.req, MAX_BODY_BYTES);
    if (body === undefined) {
      // The rest of the body is never read, so the connection cannot be reused.
      ex.res.setHeader("Connection", "close");
      send(ex, api.errors.tooLarge());
      return;
    }
    ex.body = body;
    if (ex.path.startsWith("/_sandbox/")) {
      serveAdmin(ex, ctx);
      return;
    }
    for (const route of api.routes) {
      const match = matchPath(route.path, ex.path);
      if (match === undefined || route.method !== ex.method) continue;
      await route.handle(ex, match);
      return;
    }
    send(ex, api.errors.notFound());
  };

  const server = http.createServer((req, res) => {
    const started = now();
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const ex: Exchange = {
      req, res, method: req.method ?? "GET",
      path: q < 0 ? target : target.slice(0, q), rawQuery: q < 0 ? "" : target.slice(q + 1),
      query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)), body: Buffer.alloc(0), log: {},
    };
    // One line per request, written when its connection is done with it (answered, reset or released).
    res.once("close", () => {
      logger.info({ method: ex.method, path: ex.path, ms: now() - started, ...ex.log }, "request");
    });
    handle(ex).catch((error: unknown) => {
      if (error instanceof ReplyError) {
        send(ex, error.reply);
        return;
      }
      logger.error({ err: error, path: ex.path }, "request failed");
      send(ex, api.errors.systemError());
    });
  });

  let port = 0;
  return {
    server,
    listen: (wanted = 0) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(wanted, "127.0.0.1", () => {
          server.off("error", reject);
          port = (server.address() as AddressInfo).port;
          resolve(port);
        });
      }),
    url: () => `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        ctx.holds.closeAll();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
        server.closeAllConnections();
      }),
  };
}
