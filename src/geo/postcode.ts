/**
 * UK postcodes: recognising and normalising them, and the prefixes that name the areas
 * they are in. Pure functions, no database.
 *
 * A postcode is an outward code (area letters, district digits, sometimes a letter: "SW1A",
 * "BS10", "M1") and an inward code (sector digit, two unit letters: "1AA"). The pattern is
 * the standard one (the Cabinet Office data standard, as used by the ONS): it checks which
 * letters may stand in each position, so "Q1 1AA" or "BS1 1CI" are rejected, and accepts
 * the one historic exception, GIR 0AA. It does not know which postcodes exist: that is
 * the postcode table's job.
 */

const OUTWARD =
  '(?:[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y]))';
const INWARD = '[0-9][ABD-HJLNP-UW-Z]{2}';
/** Outward code and inward code, without the space. */
const POSTCODE = new RegExp(`^(?:(${OUTWARD})(${INWARD})|(GIR)(0AA))$`);

/** Longer than any postcode with generous spacing: not worth looking at. */
const MAX_INPUT_LENGTH = 32;

/**
 * The postcode in its standard form (upper case, one space before the inward code:
 * "sw1a1aa" and " SW1A  1AA " → "SW1A 1AA"), or undefined when `input` is not a
 * well-formed UK postcode. Case and whitespace (including non-breaking spaces pasted
 * from web pages) are ignored; any other character makes it malformed.
 */
export function normalisePostcode(input: string): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return undefined;
  const compact = input.replace(/\s+/g, '');
  // ASCII only, checked before upper-casing: 'ı'.toUpperCase() is 'I', 'ß' becomes 'SS'.
  if (!/^[A-Za-z0-9]{5,7}$/.test(compact)) return undefined;
  const match = POSTCODE.exec(compact.toUpperCase());
  if (!match) return undefined;
  const outward = match[1] ?? match[3];
  const inward = match[2] ?? match[4];
  return `${outward} ${inward}`;
}

/** The normalised postcode without its space ("SW1A1AA"), or undefined when malformed. */
export function compactPostcode(input: string): string | undefined {
  return normalisePostcode(input)?.replace(' ', '');
}

export interface PostcodePrefixes {
  /** The postcode area: the leading letters, e.g. "SW", "B", "BS". */
  area: string;
  /** The postcode district: the outward code, e.g. "SW1A", "BS10". */
  district: string;
  /** The postcode sector: the outward code, a space and the inward digit, e.g. "SW1A 1". */
  sector: string;
}

/**
 * The area, district and sector a postcode belongs to, for matching coverage declared by
 * prefix ("BS", "BS10", "BS10 5"). Accepts any spelling normalisePostcode accepts;
 * undefined when the postcode is malformed.
 */
export function postcodePrefixes(postcode: string): PostcodePrefixes | undefined {
  const normalised = normalisePostcode(postcode);
  if (!normalised) return undefined;
  const [district, inward] = normalised.split(' ');
  return {
    area: /^[A-Z]+/.exec(district)![0],
    district,
    sector: `${district} ${inward[0]}`,
  };
}
