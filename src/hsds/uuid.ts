/**
 * The one id rule of the store (docs/standard.md, "Output rules"): an id is 32 hexadecimal
 * digits in the 8-4-4-4-12 form, whatever its version and variant bits (real feeds publish
 * UUID-shaped ids that are not RFC 4122 ones, and PostgreSQL's uuid type holds them all),
 * compared without regard to case. Every `/{id}` path and `*_id` filter takes exactly what
 * the store can hold.
 */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Also accepted from imports: braces, no hyphens, a urn:uuid: prefix. */
const LOOSE =
  /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The canonical (lower-case, hyphenated) form of a UUID, or undefined when it is not one. */
export function canonicalUuid(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (CANONICAL.test(value)) return value; // the common case, without a copy
  const match = LOOSE.exec(value.trim());
  return match ? match.slice(1, 6).join('-').toLowerCase() : undefined;
}
