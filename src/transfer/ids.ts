import { createHash } from 'node:crypto';
import { isUuid } from '../hsds/uuid';

export { isUuid };

/** The namespace of ids we derive (a v5 UUID of the project's URL in the URL namespace). */
const NAMESPACE = '6c1c1b3e-6b0e-5d53-9d0c-0e7f5d1f8a3b';

/**
 * A stable UUID (RFC 9562 version 5) for an id that is not a UUID, from where it comes
 * from (a feed's base URL, `v1:taxonomy`, …) and the id itself: the same pair gives the
 * same UUID on every run and every machine, so re-imports update rather than duplicate.
 */
export function stableUuid(scope: string, id: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${scope}\u0000${id}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id itself when it is a UUID (lower-cased), else its stable UUID in that scope. */
export function uuidFor(scope: string, id: string | number): string {
  const text = String(id);
  return isUuid(text) ? text.toLowerCase() : stableUuid(scope, text);
}

/**
 * The feed a scope names, as a record's provenance records it: a URL as it is, any other
 * scope (an import's --id-scope, "local" for files) as a URN of ours.
 */
export function scopeFeed(scope: string): string {
  return /^https?:\/\//i.test(scope)
    ? scope
    : `urn:oruk-server:import:${encodeURIComponent(scope)}`;
}
