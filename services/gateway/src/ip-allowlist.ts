import net from "node:net";

/** A set of IPs and CIDRs (IPv4 and IPv6), e.g. an app's allowlist or the trusted proxies. */
export interface IpMatcher {
  matches(ip: string): boolean;
}

/** IPv4-mapped IPv6 ("::ffff:127.0.0.1") is the IPv4 address; anything that is not an IP is undefined. */
export function normalizeIp(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  const ip = mapped?.[1] ?? trimmed;
  return net.isIP(ip) === 0 ? undefined : ip;
}

/**
 * Builds a matcher; an entry that is neither an IP nor a CIDR is an error (a typo must not open or
 * close the door silently). IPv4 and IPv6 entries are kept apart: one BlockList checks an IPv4
 * address against IPv6 subnets through its mapped form, so "::/64" (meant: IPv6 only) let in every
 * IPv4 caller.
 */
export function createIpMatcher(entries: readonly string[]): IpMatcher {
  const lists = { ipv4: new net.BlockList(), ipv6: new net.BlockList() };
  for (const entry of entries) {
    const [address, prefix, extra] = entry.trim().split("/");
    const ip = normalizeIp(address);
    if (ip === undefined || extra !== undefined) throw new Error(`not an IP or CIDR: "${entry}"`);
    const type = net.isIPv4(ip) ? "ipv4" : "ipv6";
    if (prefix === undefined) {
      lists[type].addAddress(ip, type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (type === "ipv4" ? 32 : 128)) throw new Error(`bad CIDR prefix: "${entry}"`);
    lists[type].addSubnet(ip, bits, type);
  }
  return {
    matches: (candidate) => {
      const ip = normalizeIp(candidate);
      if (ip === undefined) return false;
      const type = net.isIPv4(ip) ? "ipv4" : "ipv6";
      return lists[type].check(ip, type);
    },
  };
}

/**
 * The caller's IP: the socket's peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first other address
 * is the caller. A forged header from an untrusted peer is ignored.
 */
export function callerIp(remoteAddress: string | undefined, forwardedFor: string | undefined, trusted: IpMatcher): string | undefined {
  let ip = normalizeIp(remoteAddress);
  if (ip === undefined || forwardedFor === undefined || !trusted.matches(ip)) return ip;
  const hops = forwardedFor.split(",").reverse();
  for (const hop of hops) {
    const hopIp = normalizeIp(hop);
    if (hopIp === undefined) return undefined; // a garbled chain cannot be trusted
    ip = hopIp;
    if (!trusted.matches(hopIp)) return hopIp;
  }
  return ip;
}

/**
 * Who a request counts against when sources get shares: an IPv4 address, or an IPv6 /64 (one host
 * is usually given a whole /64, and could otherwise take a new share with every address in it).
 */
export function sourceOf(ip: string): string {
  if (!net.isIPv6(ip)) return ip;
  // An embedded IPv4 tail ("64:ff9b::192.0.2.1") is the last two groups, never in the /64.
  const groups = (part: string) => (part === "" ? [] : part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])));
  const [head = "", tail] = ip.split("::", 2);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${full.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}
