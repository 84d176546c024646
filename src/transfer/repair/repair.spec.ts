import { SERVICE_FULL } from '../../hsds/shapes';
import { ShapeValidator } from '../../hsds/validation';
import { Doc } from '../documents';
import { stableUuid, uuidFor } from '../ids';
import { Change, RULES } from './changes';
import { repairDocument, RepairResult } from './repair';

/**
 * Each rule of the repairs (docs/import.md), one fault at a time in an otherwise valid
 * service: what it becomes, what is reported, and that the result is valid.
 */

const ID = '5e0c6a1e-0000-4000-8000-000000000001';
const ORG = '5e0c6a1e-0000-4000-8000-000000000002';
const OTHER = '5e0c6a1e-0000-4000-8000-0000000000ff';
const validator = new ShapeValidator();

function service(extra: Doc = {}): Doc {
  return {
    id: ID,
    name: 'Food bank',
    description: 'Food parcels on referral.',
    status: 'active',
    organization: { id: ORG, name: 'Food Aid', description: 'Food banks.' },
    ...extra,
  };
}

function repair(extra: Doc): RepairResult {
  return repairDocument(SERVICE_FULL, service(extra), 'local');
}

/** The value at a JSON Pointer. */
function at(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((value, key) => (value as Doc | undefined)?.[key], doc);
}

function only(result: RepairResult, path: string): Change {
  const found = result.changes.filter((c) => c.path === path);
  expect(found).toHaveLength(1);
  return found[0];
}

function expectValid(result: RepairResult): void {
  expect(result.problems).toEqual([]);
  expect(validator.validate(SERVICE_FULL, result.doc)).toEqual([]);
}

const phone = (extra: Doc = {}) => ({ id: OTHER, number: '0117 496 0000', ...extra });
const location = (extra: Doc) => ({
  service_at_locations: [
    { id: OTHER, location: { id: ORG.replace('02', '03'), name: 'Hall', ...extra } },
  ],
});
const LOCATION = '/service_at_locations/0/location';

describe('a value in another form with one obvious meaning is repaired', () => {
  it.each<[string, Doc, string, unknown, keyof typeof RULES]>([
    [
      'a web address without its scheme',
      { url: 'www.food.example.org.uk' },
      '/url',
      'https://www.food.example.org.uk',
      'url-scheme',
    ],
    [
      'a host name and path',
      { url: 'food.example.org.uk/help?x=1' },
      '/url',
      'https://food.example.org.uk/help?x=1',
      'url-scheme',
    ],
    [
      'a web address with a space',
      { url: 'https://food.example.org.uk/our help' },
      '/url',
      'https://food.example.org.uk/our%20help',
      'url',
    ],
    [
      'an email with a trailing dot',
      { email: 'help@food.example.org.uk.' },
      '/email',
      'help@food.example.org.uk',
      'email',
    ],
    [
      'an email with spaces and a zero-width space',
      { email: ' \u200Bhelp@food.example.org.uk ' },
      '/email',
      'help@food.example.org.uk',
      'email',
    ],
    [
      'a mailto: email',
      { email: 'mailto:help@food.example.org.uk' },
      '/email',
      'help@food.example.org.uk',
      'email',
    ],
    ['an age as text', { minimum_age: '18' }, '/minimum_age', 18, 'number'],
    [
      'a date written 01/03/2024',
      { assured_date: '01/03/2024' },
      '/assured_date',
      '2024-03-01',
      'date',
    ],
    [
      'a date written 1 March 2024',
      { assured_date: '1 March 2024' },
      '/assured_date',
      '2024-03-01',
      'date',
    ],
    [
      'a date-time where a date belongs',
      { assured_date: '2024-03-01T10:00:00Z' },
      '/assured_date',
      '2024-03-01',
      'date',
    ],
    [
      'a summer date-time without an offset (BST)',
      { last_modified: '2024-07-01T12:00:00' },
      '/last_modified',
      '2024-07-01T11:00:00.000Z',
      'date-time',
    ],
    [
      'a winter date-time without an offset (GMT)',
      { last_modified: '2024-01-15 09:30' },
      '/last_modified',
      '2024-01-15T09:30:00.000Z',
      'date-time',
    ],
    [
      'a time written 9am',
      { schedules: [{ id: OTHER, opens_at: '9am' }] },
      '/schedules/0/opens_at',
      '09:00:00',
      'time',
    ],
    [
      'a time written 12.30',
      { schedules: [{ id: OTHER, closes_at: '12.30' }] },
      '/schedules/0/closes_at',
      '12:30:00',
      'time',
    ],
    [
      'an amount as text',
      { cost_options: [{ id: OTHER, amount: '2.50' }] },
      '/cost_options/0/amount',
      2.5,
      'number',
    ],
    [
      'a numeric phone extension',
      { phones: [phone({ extension: 12 })] },
      '/phones/0/extension',
      '12',
      'text',
    ],
    ['a status in another case', { status: 'Active' }, '/status', 'active', 'enum'],
    [
      'a status in other words',
      { status: 'temporarily_closed' },
      '/status',
      'temporarily closed',
      'enum',
    ],
    [
      'a phone type in other words',
      { phones: [phone({ type: 'Mobile' })] },
      '/phones/0/type',
      'voice',
      'enum',
    ],
  ])('%s', (_, extra, path, after, rule) => {
    const result = repair(extra);
    expectValid(result);
    expect(at(result.doc, path)).toEqual(after);
    expect(only(result, path)).toMatchObject({ kind: 'repaired', rule, after });
  });

  it('keeps real sites whose names begin like placeholders (Test Valley is a council)', () => {
    for (const url of [
      'https://www.testvalley.gov.uk/',
      'https://examplebakery.co.uk',
      'https://food.example.org',
      'https://org-id.example/GB-CHC-1034581',
    ]) {
      const result = repair({ url });
      expect(result.doc.url).toBe(url);
      expect(result.changes).toEqual([]);
    }
    for (const url of ['https://foo.test/', 'http://localhost:3000/', 'example.com/help'])
      expect(only(repair({ url }), '/url')).toMatchObject({ kind: 'dropped', rule: 'url' });
  });

  it('writes a date-time with its offset but without seconds as RFC 3339 requires', () => {
    const result = repair({ last_modified: '2025-09-02T10:30Z' });
    expectValid(result);
    expect(result.doc.last_modified).toBe('2025-09-02T10:30:00.000Z');
  });

  it('keeps a date-time with its offset as it is, and says nothing', () => {
    const result = repair({ last_modified: '2024-07-01T12:00:00+01:00' });
    expectValid(result);
    expect(result.doc.last_modified).toBe('2024-07-01T12:00:00+01:00');
    expect(result.changes).toEqual([]);
  });

  it('keeps UUIDs of any version bits, lower-cased without a word', () => {
    const odd = '61B1601E-F681-1D7F-D0FD-93CC27F3F094';
    const result = repairDocument(SERVICE_FULL, service({ id: odd }), 'local');
    expectValid(result);
    expect(result.doc.id).toBe(odd.toLowerCase());
    expect(result.givenId).toBeUndefined();
    expect(result.changes).toEqual([]);
  });
});

describe('a value that cannot be used is left out, the record kept', () => {
  it.each<[string, Doc, string, keyof typeof RULES]>([
    ['a javascript: address', { url: 'javascript:void(0)' }, '/url', 'url'],
    ['a placeholder address', { url: 'http://www.example.com' }, '/url', 'url'],
    ['words where a web address belongs', { url: 'see our leaflet' }, '/url', 'url'],
    ['an email that is none', { email: 'n/a' }, '/email', 'email'],
    ['an age of -1', { minimum_age: -1 }, '/minimum_age', 'age'],
    ['an age of 200', { maximum_age: 200 }, '/maximum_age', 'age'],
    ['a date that is none', { assured_date: 'soon' }, '/assured_date', 'date'],
    ['a date-time that is none', { last_modified: 'yesterday' }, '/last_modified', 'date-time'],
    [
      'a time that is none',
      { schedules: [{ id: OTHER, opens_at: '25:00' }] },
      '/schedules/0/opens_at',
      'time',
    ],
    [
      'an amount that is none',
      { cost_options: [{ id: OTHER, amount: 'free' }] },
      '/cost_options/0/amount',
      'number',
    ],
    ['an object where text belongs', { fees: { amount: 2 } }, '/fees', 'text'],
    [
      'a latitude out of range',
      location({ latitude: 151.2, longitude: -2.6 }),
      `${LOCATION}/latitude`,
      'coordinates',
    ],
    [
      'a field ORUK 3.0 does not have',
      { alternate_name: 'The Hut' },
      '/alternate_name',
      'unknown-field',
    ],
    [
      'a child record that is not an object',
      { phones: ['0117 496 0000'] },
      '/phones/0',
      'not-an-object',
    ],
    [
      'an address without its first line',
      location({ addresses: [{ id: OTHER, city: 'Bristol', postal_code: 'BS1 4AB' }] }),
      `${LOCATION}/addresses/0`,
      'required',
    ],
    [
      'an attribute without a term',
      { attributes: [{ id: OTHER, value: 'yes' }] },
      '/attributes/0',
      'required',
    ],
  ])('%s', (_, extra, path, rule) => {
    const result = repair(extra);
    expectValid(result);
    expect(only(result, path)).toMatchObject({ kind: 'dropped', rule });
    expect(at(result.doc, path)).toBeUndefined();
  });

  it('leaves out both coordinates at 0,0, and both ages when the minimum is above the maximum', () => {
    const result = repair({
      minimum_age: 18,
      maximum_age: 5,
      ...location({ latitude: 0, longitude: 0 }),
    });
    expectValid(result);
    expect(result.changes.map((c) => `${c.kind} ${c.rule} ${c.path}`).sort()).toEqual([
      `dropped age /maximum_age`,
      `dropped age /minimum_age`,
      `dropped coordinates ${LOCATION}/latitude`,
      `dropped coordinates ${LOCATION}/longitude`,
      `repaired required ${LOCATION}/location_type`,
    ]);
    expect(result.doc.minimum_age).toBeUndefined();
  });

  it('fills a status it had to leave out', () => {
    const result = repair({ status: 'nonsense' });
    expectValid(result);
    expect(result.doc.status).toBe('active');
    expect(result.changes.map((c) => `${c.kind} ${c.rule}`)).toEqual([
      'dropped enum',
      'repaired required',
    ]);
  });
});

describe('records and their ids', () => {
  it('gives ids that are not UUIDs stable UUIDs of the scope, the table and the id', () => {
    const result = repairDocument(
      SERVICE_FULL,
      service({
        id: '2259',
        organization: { id: 12045, name: 'Food Aid', description: 'x' },
        phones: [phone({ service_id: '2259' })],
      }),
      'https://feed.example.org',
    );
    expectValid(result);
    const id = uuidFor('https://feed.example.org:service', '2259');
    expect(result.doc.id).toBe(id);
    expect(result.doc.organization).toMatchObject({
      id: uuidFor('https://feed.example.org:organization', '12045'),
    });
    expect(result.givenId).toBe('2259');
    expect(only(result, '/id')).toMatchObject({ rule: 'id-derived', before: '2259', after: id });
    // Its children's links to it follow it, without a word each.
    expect(result.doc.phones).toEqual([expect.objectContaining({ service_id: id })]);
    expect(result.changes.map((c) => c.path)).toEqual(['/id', '/organization/id']);
  });

  it('gives a child without an id one made from its parent and its content: the same each time', () => {
    const once = repair({ phones: [{ number: '0117 496 0000' }, { number: '0117 496 0001' }] });
    const again = repair({ phones: [{ number: '0117 496 0000' }, { number: '0117 496 0001' }] });
    expectValid(once);
    const ids = (once.doc.phones as Doc[]).map((p) => p.id);
    expect(ids).toEqual((again.doc.phones as Doc[]).map((p) => p.id));
    expect(new Set(ids).size).toBe(2);
    expect(only(once, '/phones/0/id')).toMatchObject({ rule: 'id-missing', after: ids[0] });
  });

  it('gives the second of two different records with one id an id of its own; drops an exact twin', () => {
    const twins = repair({ phones: [phone(), phone()] });
    expectValid(twins);
    expect(twins.doc.phones).toHaveLength(1);
    expect(only(twins, '/phones/1/id')).toMatchObject({ kind: 'dropped', rule: 'id-duplicate' });

    const different = repair({ phones: [phone(), phone({ number: '0117 496 0001' })] });
    expectValid(different);
    const [a, b] = different.doc.phones as Doc[];
    expect(a.id).toBe(OTHER);
    expect(b.id).not.toBe(OTHER);
    expect(only(different, '/phones/1/id')).toMatchObject({
      kind: 'repaired',
      rule: 'id-duplicate',
    });
  });

  it('links a nested record to the parent it sits in, and an attribute to its table', () => {
    const result = repair({
      phones: [phone({ service_id: ORG })],
      attributes: [
        {
          id: OTHER,
          link_entity: 'service_at_location',
          taxonomy_term_id: ORG,
          taxonomy_term: { id: ORG, name: 'Youth', description: 'For young people' },
        },
      ],
    });
    expectValid(result);
    expect(result.doc.phones).toEqual([expect.objectContaining({ service_id: ID })]);
    expect(only(result, '/phones/0/service_id')).toMatchObject({ rule: 'nested-link', after: ID });
    expect(only(result, '/attributes/0/link_entity')).toMatchObject({
      rule: 'link-entity',
      before: 'service_at_location',
      after: 'service',
    });
  });

  it('fills required values from others, and takes one record where a list belongs', () => {
    const result = repair({
      organization: { id: ORG, name: 'Food Aid' },
      phones: phone(),
      ...location({
        addresses: [{ id: OTHER, address_1: '1 Quay St', city: 'Bristol', postal_code: 'BS1 4AB' }],
      }),
    });
    expectValid(result);
    expect(result.doc.organization).toMatchObject({ description: 'Food Aid' });
    expect(at(result.doc, `${LOCATION}/addresses/0`)).toMatchObject({
      state_province: 'Bristol',
      country: 'GB',
    });
    expect(result.doc.phones).toHaveLength(1);
    expect(result.changes.map((c) => `${c.kind} ${c.rule} ${c.path}`).sort()).toEqual([
      `repaired not-an-object /phones`,
      `repaired required /organization/description`,
      `repaired required ${LOCATION}/addresses/0/address_type`,
      `repaired required ${LOCATION}/addresses/0/country`,
      `repaired required ${LOCATION}/addresses/0/state_province`,
      `repaired required ${LOCATION}/location_type`,
    ]);
  });

  it('takes the id of a nested record without one from the link that names it', () => {
    const term = ORG.replace('02', '0a');
    const result = repair({
      attributes: [{ id: OTHER, taxonomy_term_id: term, taxonomy_term: { name: 'Debt' } }],
    });
    expectValid(result);
    expect(result.doc.attributes).toEqual([
      expect.objectContaining({
        taxonomy_term_id: term,
        taxonomy_term: expect.objectContaining({ id: term }),
      }),
    ]);
    expect(result.changes.filter((c) => c.rule === 'nested-link')).toEqual([]);
  });

  it('drops what a document can only be given by an export (provenance), and keys of Object.prototype', () => {
    const result = repair({
      provenance: { source_feed: 'https://feed.example.org', source_id: '1' },
      constructor: { x: null },
    });
    expectValid(result);
    expect(Object.hasOwn(result.doc, 'provenance')).toBe(false);
    expect(Object.hasOwn(result.doc, 'constructor')).toBe(false);
    expect(result.changes.map((c) => `${c.rule} ${c.path}`)).toEqual([
      'unknown-field /constructor',
    ]);
  });

  it('makes distinct the ids of services without one, of the same name, when asked', () => {
    const anonymous = () => {
      const doc = service();
      delete doc.id;
      return doc;
    };
    const seen = new Map<string, number>();
    const distinct = (id: string) => {
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return n === 1 ? id : stableUuid('local:service', `${id}#${n}`);
    };
    const [a, b] = [anonymous(), anonymous()].map((d) =>
      repairDocument(SERVICE_FULL, d, 'local', distinct),
    );
    expect(a.doc.id).not.toBe(b.doc.id);
    expect(only(b, '/id').reason).toMatch(/rank/);
  });

  it('rejects only a service without a name or an organization', () => {
    const result = repairDocument(SERVICE_FULL, { id: ID, status: 'active' }, 'local');
    expect(result.problems.map((p) => p.path).sort()).toEqual(['/name', '/organization']);
  });

  it('makes the id of a service without one from its name and organization', () => {
    const anonymous = service();
    delete anonymous.id;
    const result = repairDocument(SERVICE_FULL, anonymous, 'local');
    expectValid(result);
    expect(result.doc.id).toBe(
      stableUuid('local:service', `name:${JSON.stringify('Food bank')}|${JSON.stringify(ORG)}`),
    );
  });
});
