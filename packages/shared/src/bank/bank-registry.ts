import { createRefreshing, type Refreshing } from "../refreshing";
import type { Partner, RegistryStore, Route, RouteUsage } from "../registry-store";
import type { ResolvedRoute } from "./bank-adapter";
import { failedPrecondition } from "./refused-error";

/** This bank's rows of the partner registry: its partner row (key token, aliases) and its routes. */
export interface BankRegistry {
  partner: Partner | undefined;
  routes: Route[];
}

export async function loadBankRegistry(store: RegistryStore, bankCode: string): Promise<BankRegistry> {
  const [partners, routes] = await Promise.all([store.listPartners(), store.listRoutes(bankCode)]);
  return { partner: partners.find((p) => p.bankCode === bankCode), routes };
}

/** Keeps this bank's registry rows in memory, reloaded every intervalMs (changes apply within seconds). */
export function watchBankRegistry(store: RegistryStore, bankCode: string, intervalMs: number, onError: (error: unknown) => void): Promise<Refreshing<BankRegistry>> {
  return createRefreshing(() => loadBankRegistry(store, bankCode), intervalMs, onError);
}

const TEMPLATE_VARIABLE = /\{\{(\w+)\}\}/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Whether a configured bank host names its scheme (http://127.0.0.1:7002) or is bare (host:port). */
export function hasScheme(value: string): boolean {
  return SCHEME.test(value);
}

/**
 * Resolves `{{hostX}}` in a route's externalEndpoint from config. A configured value with a
 * scheme (http://127.0.0.1:7002) replaces the template's own `https://` too, because locally the
 * sandboxes speak plain HTTP on loopback; a bare host:port keeps the template's scheme.
 */
export function resolveEndpoint(template: string, hosts: Readonly<Record<string, string>>): string {
  let text = template;
  for (const [name, value] of Object.entries(hosts)) {
    const withScheme = hasScheme(value);
    let origin = value;
    while (origin.endsWith("/")) origin = origin.slice(0, -1);
    if (withScheme) text = text.replace(new RegExp(`^[a-z][a-z0-9+.-]*://\\{\\{${name}\\}\\}`, "i"), origin);
    text = text.replaceAll(`{{${name}}}`, withScheme ? origin.replace(SCHEME, "") : origin);
  }
  const unknown = [...text.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1]);
  if (unknown.length > 0) throw new Error(`endpoint ${template} uses unconfigured host variable(s): ${unknown.join(", ")}`);
  // Checked as a URL but returned as written: path templates such as {TransactionID} must survive.
  try {
    new URL(text); // throws when the text is not a URL
    return text;
  } catch (error) {
    throw new Error(`endpoint ${template} does not resolve to a URL (${text})`, { cause: error });
  }
}

/**
 * The route for a usage, with hosts resolved. No row (or a row that does not resolve) means the
 * bank cannot be called: FAILED_PRECONDITION, nothing sent.
 */
export function resolveRoute(registry: BankRegistry, usage: RouteUsage, hosts: Readonly<Record<string, string>>): ResolvedRoute {
  const row = registry.routes.find((r) => r.usage === usage);
  if (row === undefined) throw failedPrecondition(`no ${usage} route for bank ${registry.partner?.bankCode ?? "(no partner row)"} in the routes table`);
  try {
    return { method: row.method, url: resolveEndpoint(row.externalEndpoint, hosts) };
  } catch (error) {
    throw failedPrecondition(`${usage} route is misconfigured: ${error instanceof Error ? error.message : String(error)}`);
  }
}
