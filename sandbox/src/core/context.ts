import type { Logger, PartnerBank } from "@gerbang/shared";
import type { Accounts } from "./accounts";
import type { FaultRules } from "./faults";
import type { Holds } from "./holds";
import type { Exchange, Reply } from "./http";
import type { Ledger } from "./ledger";

/** The state one sandbox process holds; every bank's routes get the same shape. */
export interface SandboxContext {
  bank: PartnerBank;
  accounts: Accounts;
  ledger: Ledger;
  faults: FaultRules;
  holds: Holds;
  /** Milliseconds since the epoch (tests pass a controllable clock). */
  now: () => number;
  /** Lifetime of issued access tokens, in seconds. */
  tokenTtlSeconds: number;
  /**
   * Access tokens refused on API calls (expired, unknown), since start: what GET /_sandbox/stats
   * reports, so a test can tell a client that refreshed in time from one rescued by a re-send.
   */
  stats: { refusedTokens: number };
  logger: Logger;
}

/**
 * What an API gateway in front of a bank sends when it sheds load, for a bank that publishes no
 * rate-limit answer of its own (BNI, Mandiri): a bare 429 without the bank's envelope. (ours)
 */
export const gatewayRateLimited = (): Reply => ({ status: 429, body: { message: "Too Many Requests" } });

/** The bank's own answers for conditions every sandbox shares. */
export interface BankErrors {
  /** A missing or invalid field or parameter (message names it). */
  invalidRequest(message: string): Reply;
  contentType(): Reply;
  invalidJson(): Reply;
  /** Body over the size limit. */
  tooLarge(): Reply;
  /** No such endpoint or method. */
  notFound(): Reply;
  /** 5xx before anything happened (fault error-before, unexpected failure). */
  systemError(): Reply;
  /** 5xx "timeout, outcome unknown" after the work was done (fault error-after). */
  timeoutAfter(): Reply;
  /** 429 from the bank's API gateway before anything happened (fault rate-limited). */
  rateLimited(): Reply;
  /** "Taken, still in progress: check later", answered before the booking (fault in-progress). */
  inProgress(): Reply;
}

export interface Route {
  method: "GET" | "POST";
  /** Exact path, or a pattern whose groups are passed to handle. */
  path: string | RegExp;
  handle(ex: Exchange, params: string[]): Promise<void>;
}

/** One bank's API: its routes and its error answers. */
export interface BankApi {
  errors: BankErrors;
  routes: Route[];
}
