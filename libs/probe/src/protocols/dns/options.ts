/** The DNS plugin's options (part of the scan's protocol options). */
export interface DnsOptions {
  /** Name asked in DNS queries (default: the root, `.`, type NS, which any server answers somehow). */
  dnsQueryName?: string;
}
