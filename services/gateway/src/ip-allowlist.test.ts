import { callerIp, createIpMatcher, normalizeIp, sourceOf } from "./ip-allowlist";

describe("createIpMatcher", () => {
  const matcher = createIpMatcher(["127.0.0.1", "::1", "10.1.0.0/16", "2001:db8::/32"]);

  it("matches listed IPs and addresses inside listed CIDRs, IPv4 and IPv6", () => {
    expect(matcher.matches("127.0.0.1")).toBe(true);
    expect(matcher.matches("::ffff:127.0.0.1")).toBe(true);
    expect(matcher.matches("::1")).toBe(true);
    expect(matcher.matches("10.1.200.3")).toBe(true);
    expect(matcher.matches("2001:db8:1::5")).toBe(true);
  });

  it("refuses addresses outside the list and things that are not addresses", () => {
    expect(matcher.matches("127.0.0.2")).toBe(false);
    expect(matcher.matches("10.2.0.1")).toBe(false);
    expect(matcher.matches("2001:db9::1")).toBe(false);
    expect(matcher.matches("localhost")).toBe(false);
    expect(matcher.matches("")).toBe(false);
  });

  it("keeps IPv6 entries to IPv6 callers: \"::/64\" or \"::/0\" lets in no IPv4 caller (a BlockList alone would, through the mapped form)", () => {
    for (const entry of ["::/64", "::/0", "::ffff:0:0/96"]) {
      const m = createIpMatcher([entry]);
      expect([entry, m.matches("8.8.8.8"), m.matches("127.0.0.1"), m.matches("::ffff:8.8.8.8")]).toEqual([entry, false, false, false]);
    }
    expect(createIpMatcher(["::/0"]).matches("2001:db8::1")).toBe(true);
    expect(createIpMatcher(["0.0.0.0/0"]).matches("::1")).toBe(false);
  });

  it("rejects malformed entries instead of ignoring them", () => {
    expect(() => createIpMatcher(["127.0.0.256"])).toThrow(/not an IP/);
    expect(() => createIpMatcher(["10.0.0.0/33"])).toThrow(/prefix/);
    expect(() => createIpMatcher(["10.0.0.0/8/1"])).toThrow(/not an IP/);
    expect(() => createIpMatcher(["10.0.0.0/x"])).toThrow(/prefix/);
  });

  it("an empty list matches nothing", () => {
    expect(createIpMatcher([]).matches("127.0.0.1")).toBe(false);
  });
});

describe("callerIp", () => {
  const proxies = createIpMatcher(["127.0.0.1"]);

  it("is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(callerIp("::ffff:192.168.1.9", "127.0.0.1", proxies)).toBe("192.168.1.9");
  });

  it("reads X-Forwarded-For from the right when the peer is a trusted proxy", () => {
    expect(callerIp("127.0.0.1", "1.2.3.4, 139.99.60.117", proxies)).toBe("139.99.60.117");
    expect(callerIp("127.0.0.1", "139.99.60.117, 127.0.0.1", proxies)).toBe("139.99.60.117");
  });

  it("is undefined for a garbled forwarded chain or no peer address", () => {
    expect(callerIp("127.0.0.1", "evil, 1.2.3.4", proxies)).toBe("1.2.3.4");
    expect(callerIp("127.0.0.1", "1.2.3.4, nonsense", proxies)).toBeUndefined();
    expect(callerIp(undefined, undefined, proxies)).toBeUndefined();
  });

  it("normalizes IPv4-mapped addresses", () => {
    expect(normalizeIp("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizeIp("nope")).toBeUndefined();
  });
});

describe("sourceOf (who a request counts against)", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
  ])("%s counts as %s", (ip, source) => {
    expect(sourceOf(ip)).toBe(source);
  });

  it("puts every address of one /64 together, and another /64 apart", () => {
    expect(sourceOf("2001:db8:1:2::a")).toBe(sourceOf("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(sourceOf("2001:db8:1:3::a")).not.toBe(sourceOf("2001:db8:1:2::a"));
  });
});
