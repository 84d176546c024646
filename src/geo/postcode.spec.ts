import { compactPostcode, normalisePostcode, postcodePrefixes } from './postcode';

describe('normalisePostcode', () => {
  it.each([
    // every outward format: A9, A99, AA9, AA99, A9A, AA9A
    ['M1 1AE', 'M1 1AE'],
    ['B33 8TH', 'B33 8TH'],
    ['CR2 6XH', 'CR2 6XH'],
    ['DN55 1PT', 'DN55 1PT'],
    ['W1A 0AX', 'W1A 0AX'],
    ['EC1A 1BB', 'EC1A 1BB'],
    ['SW1A 1AA', 'SW1A 1AA'],
    ['BS1 5TR', 'BS1 5TR'],
    ['BS10 5PN', 'BS10 5PN'],
    ['BS99 7EP', 'BS99 7EP'],
    ['GIR 0AA', 'GIR 0AA'],
  ])('keeps %s', (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  it.each([
    ['sw1a1aa', 'SW1A 1AA'],
    [' SW1A  1AA ', 'SW1A 1AA'],
    ['Sw1A 1aA', 'SW1A 1AA'],
    ['bs105pn', 'BS10 5PN'],
    ['BS10  5PN', 'BS10 5PN'],
    ['B S 1 0 5 P N', 'BS10 5PN'],
    ['\tbs1 5tr\n', 'BS1 5TR'],
    ['BS1\u00a05TR', 'BS1 5TR'], // a non-breaking space pasted from a web page
    ['m11ae', 'M1 1AE'],
    ['gir0aa', 'GIR 0AA'],
    ['bs1a5tr', 'BS1A 5TR'], // well-formed, though no such district exists
    ['GIR  0AA', 'GIR 0AA'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'BS1',
    'BS1 5T',
    'BS1 5TRX',
    'BS 5TR', // no district digit
    '1S1 5TR', // area must start with a letter
    'BS1 TR5', // inward is digit, letter, letter
    'BS1 55R',
    'BS123 5TR', // district of three digits
    'ABCDE 1AA', // outward of five characters
    'Q1 1AA', // Q, V and X never start a postcode
    'V1 1AA',
    'XX1 1XX',
    'AI1 1AA', // I, J and Z are never second
    'AJ1 1AA',
    'AZ1 1AA',
    'A1I 1AA', // third letter of A9A only from ABCDEFGHJKPSTUW
    'AB1Z 1AA', // fourth letter of AA9A only from ABEHMNPRVWXY
    'BS1 1CA', // C, I, K, M, O and V never appear in the inward unit
    'BS1 1AI',
    'BS1 1KA',
    'BS1 1AM',
    'BS1 1OA',
    'BS1 1AV',
    'GIR 0AB', // GIR goes only with 0AA
    'GIR 1AA',
    'BS1-5TR',
    'BS1_5TR',
    'BS1.5TR',
    'BS1 5TR;',
    "BS1 5TR' OR '1'='1",
    'BS1 5TR; DROP TABLE postcode; --',
    '%BS1%',
    'BS1 5T%',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    'BS1 5TR\u0000',
    'ＢＳ１ ５ＴＲ', // full-width letters and digits
    'gır 0aa', // dotless i upper-cases to I
    'bſ1 5tr', // long s upper-cases to S
    'BS1 5TR\u200b', // zero-width space is not whitespace
    'BS1 5TR BS1 5TR',
    'BS1 5TR'.repeat(10),
    ' '.repeat(100_000) + 'BS1 5TR',
    'A'.repeat(1_000_000),
  ])('rejects %j', (input) => {
    expect(normalisePostcode(input)).toBeUndefined();
  });

  it('rejects what is not a string at run time (e.g. a repeated query parameter)', () => {
    for (const value of [undefined, null, 42, ['BS1 5TR'], { postcode: 'BS1 5TR' }])
      expect(normalisePostcode(value as unknown as string)).toBeUndefined();
  });

  it('is idempotent', () => {
    for (const input of ['sw1a1aa', 'BS10 5PN', 'gir0aa', ' m1 1ae '])
      expect(normalisePostcode(normalisePostcode(input)!)).toBe(normalisePostcode(input));
  });
});

describe('compactPostcode', () => {
  it('drops the space of the normalised form', () => {
    expect(compactPostcode(' bs10 5pn ')).toBe('BS105PN');
    expect(compactPostcode('GIR 0AA')).toBe('GIR0AA');
    expect(compactPostcode('not a postcode')).toBeUndefined();
  });
});

describe('postcodePrefixes', () => {
  it.each([
    ['SW1A 1AA', { area: 'SW', district: 'SW1A', sector: 'SW1A 1' }],
    ['sw1a1aa', { area: 'SW', district: 'SW1A', sector: 'SW1A 1' }],
    ['BS10 5PN', { area: 'BS', district: 'BS10', sector: 'BS10 5' }],
    ['bs1 5tr', { area: 'BS', district: 'BS1', sector: 'BS1 5' }],
    ['M1 1AE', { area: 'M', district: 'M1', sector: 'M1 1' }],
    ['B33 8TH', { area: 'B', district: 'B33', sector: 'B33 8' }],
    ['W1A 0AX', { area: 'W', district: 'W1A', sector: 'W1A 0' }],
    ['EC1A 1BB', { area: 'EC', district: 'EC1A', sector: 'EC1A 1' }],
    ['GIR 0AA', { area: 'GIR', district: 'GIR', sector: 'GIR 0' }],
  ])('of %s', (input, expected) => {
    expect(postcodePrefixes(input)).toEqual(expected);
  });

  it('is undefined for a malformed postcode', () => {
    for (const input of ['', 'BS1', 'Q1 1AA', 'BS1 5TR; --'])
      expect(postcodePrefixes(input)).toBeUndefined();
  });

  it('gives prefixes each of which starts the next and the postcode', () => {
    const { area, district, sector } = postcodePrefixes('BS13 0JN')!;
    expect(district.startsWith(area)).toBe(true);
    expect(sector.startsWith(district)).toBe(true);
    expect('BS13 0JN'.startsWith(sector)).toBe(true);
  });
});
