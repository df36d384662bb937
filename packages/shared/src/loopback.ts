/** Whether a host name (no port; IPv6 in brackets, as URLs write it) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
