import { isIP } from 'node:net';

/** What Express's "trust proxy" setting accepts, as far as we allow it. */
export type TrustProxy = false | number | string[];

const NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: `false` (the default: the client is the peer of the TCP connection), a hop
 * count (`1`: one reverse proxy in front, take the last address of X-Forwarded-For), or a
 * comma-separated list of proxy addresses, CIDR ranges and Express's names (`loopback`,
 * `linklocal`, `uniquelocal`). `true` (trust every hop, so any client can choose its own
 * address and escape the rate limit) is refused. Returns undefined for a bad value.
 */
export function parseTrustProxy(value: string): TrustProxy | undefined {
  const text = value.trim();
  if (text === 'false') return false;
  if (/^\d{1,3}$/.test(text)) return Number(text) || false;
  const entries = text.split(',').map((e) => e.trim());
  if (!entries.length || !entries.every(isProxyEntry)) return undefined;
  return entries;
}

function isProxyEntry(entry: string): boolean {
  if (NAMES.includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}
