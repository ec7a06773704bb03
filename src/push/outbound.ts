import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { NotificationConfig } from '../config.js';

// Requests to addresses users give us (web-hook receivers, push services). A user must
// not be able to make the server probe its own network: an address is checked when it
// is registered and again, resolved afresh, before every delivery (DNS may change), and
// redirects are not followed.

export class AddressError extends Error {}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Ranges no public receiver lives in (RFC 6890 special-purpose, private, link-local, CGNAT, multicast). */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Parses and checks an address as registered: https, or http on loopback when allowed. Throws AddressError. */
export function parseAddress(address: string, config: NotificationConfig): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new AddressError('The address is not an absolute URL');
  }
  if (url.username || url.password) throw new AddressError('The address must not carry credentials');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && config.allowHttpLoopback && isLoopbackName(url.hostname)) return url;
  throw new AddressError(config.allowHttpLoopback ? 'The address must be https (or http on loopback)' : 'The address must be https');
}

function isLoopbackName(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  return isIP(host) !== 0 && LOOPBACK.check(unmapped(host), family(unmapped(host)));
}

/** Resolves the URL's host and refuses it when any address it has is one users may not reach. */
export async function checkReachable(url: URL, config: NotificationConfig): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new AddressError(`The host ${host} cannot be resolved`);
  for (const raw of addresses) {
    const address = unmapped(raw);
    if (LOOPBACK.check(address, family(address))) {
      if (!config.allowHttpLoopback && !config.allowPrivateNetworks) throw new AddressError('Loopback addresses are not allowed');
    } else if (PRIVATE.check(address, family(address)) && !config.allowPrivateNetworks) {
      throw new AddressError(`${host} is in a private network`);
    }
  }
}

/** parseAddress then checkReachable: what a registration runs. */
export async function checkAddress(address: string, config: NotificationConfig): Promise<URL> {
  const url = parseAddress(address, config);
  await checkReachable(url, config);
  return url;
}

/** A receiver that takes longer than this to answer has failed this attempt. */
const TIMEOUT_MS = 10_000;

/**
 * POSTs to a checked address, resolving it afresh; redirects are answered, not followed.
 * Returns the status; throws on network errors, timeouts and refused addresses.
 */
export async function post(address: string, config: NotificationConfig, init: { headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string }): Promise<number> {
  const url = parseAddress(address, config);
  await checkReachable(url, config);
  const res = await fetch(url, {
    method: 'POST', headers: init.headers, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  return res.status;
}
