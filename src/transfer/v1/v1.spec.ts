import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SERVICE_FULL, TAXONOMY_FULL } from '../../hsds/shapes';
import { ShapeValidator } from '../../hsds/validation';
import { Doc } from '../documents';
import { Change } from '../repair/changes';
import { repairDocument } from '../repair/repair';
import { isUuid, uuidFor } from '../ids';
import { isV1Page, isV1Service, v1PageContents } from './detect';
import { fromV1Service } from './mapper';
import { isoDate, time } from '../values';

/** The changes of a mapping, as text, for matching. */
const notes = (changes: Change[]) =>
  changes.map((c) =>
    [c.path, c.reason, c.before, c.after]
      .map((x) => (typeof x === 'string' ? x : (JSON.stringify(x) ?? '')))
      .join(' '),
  );
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'v1');
const FEED = 'https://directory.leeds.example.org/api';
const read = (file: string): any => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
const fixtures: [string, Doc][] = readdirSync(join(FIXTURES, 'services'))
  .sort()
  .map((file) => [file, read(join('services', file))]);
const fixture = (v1Id: string): Doc => read(join('services', `${v1Id}.json`));
const validator = new ShapeValidator();

/** A small v1 service, to vary one field at a time. */
function v1Service(extra: Doc = {}): Doc {
  return {
    id: '12',
    organization: { id: '12', name: 'Leeds Food Aid', description: 'Food banks across Leeds.' },
    name: 'Food bank',
    status: 'active',
    ...extra,
  };
}

/** A 3.0 service as a publisher would write it, used when the official example is absent. */
function v3Service(): Doc {
  return {
    id: '1a2b3c4d-0000-4000-8000-000000000001',
    organization_id: '1a2b3c4d-0000-4000-8000-000000000002',
    name: 'Food bank',
    status: 'active',
    minimum_age: 18,
    last_modified: '2024-01-01T00:00:00.000Z',
    organization: {
      id: '1a2b3c4d-0000-4000-8000-000000000002',
      name: 'Leeds Food Aid',
      description: 'Food banks across Leeds.',
      website: 'https://food.example.org',
    },
    schedules: [{ id: '1a2b3c4d-0000-4000-8000-000000000003', freq: 'WEEKLY', byday: 'MO' }],
    languages: [{ id: '1a2b3c4d-0000-4000-8000-000000000004', name: 'English', code: 'en' }],
    funding: [{ id: '1a2b3c4d-0000-4000-8000-000000000005', source: 'Donations' }],
    contacts: [],
    service_at_locations: [
      {
        id: '1a2b3c4d-0000-4000-8000-000000000006',
        location: {
          id: '1a2b3c4d-0000-4000-8000-000000000007',
          location_type: 'physical',
          addresses: [],
          accessibility: [],
        },
      },
    ],
    attributes: [],
  };
}

/** Valid once repaired, as every import repairs it (src/transfer/repair/). */
function expectValid(mapped: { service: Doc; taxonomies: Doc[] }): void {
  const service = repairDocument(SERVICE_FULL, mapped.service, FEED);
  expect(service.problems).toEqual([]);
  expect(validator.validate(SERVICE_FULL, service.doc)).toEqual([]);
  for (const taxonomy of mapped.taxonomies) {
    const repaired = repairDocument(TAXONOMY_FULL, taxonomy, FEED);
    expect(repaired.problems).toEqual([]);
    expect(validator.validate(TAXONOMY_FULL, repaired.doc)).toEqual([]);
  }
}

const schedules = (service: Doc) => service.schedules as Doc[];
const attributes = (service: Doc) => service.attributes as Doc[];
const firstLocation = (service: Doc) =>
  (service.service_at_locations as Doc[])[0].location as Doc & { addresses: Doc[] };

describe('fromV1Service on the fixture feed', () => {
  it('has the documents the harvest test serves', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
    const listed = [read('page-1.json'), read('page-2.json')].flatMap(v1PageContents);
    expect(listed.map((s) => `${s.id as string}.json`).sort()).toEqual(fixtures.map(([f]) => f));
  });

  it.each(fixtures)('maps %s to a schema-valid 3.0 service and taxonomies', (_file, doc) => {
    const mapped = fromV1Service(doc, FEED);
    expectValid(mapped);
    const { minimum_age: min, maximum_age: max } = mapped.service as Record<string, number>;
    if (min !== undefined && max !== undefined) expect(min).toBeLessThanOrEqual(max);
    expect(isV1Service(mapped.service)).toBe(false);
  });

  it.each(fixtures)('gives every record of %s a UUID, none twice', (_file, doc) => {
    const ids: string[] = [];
    const collect = (value: unknown, key = ''): void => {
      if (Array.isArray(value)) value.forEach((v) => collect(v));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) collect(v, k);
      } else if (key === 'id') ids.push(value as string);
    };
    const { service } = fromV1Service(doc, FEED);
    collect({ ...service, attributes: attributes(service).map((a) => ({ id: a.id })) });
    expect(ids.every(isUuid)).toBe(true);
    const organization = service.organization as Doc;
    // Every record once, except a location's id, repeated on nothing but itself.
    expect(new Set(ids).size).toBe(ids.length);
    expect(organization.id).toBe(service.organization_id);
  });

  it('maps the list items of the v1 pages too (no children)', () => {
    for (const item of v1PageContents(read('page-1.json'))) {
      expect(isV1Service(item)).toBe(true);
      expectValid(fromV1Service(item, FEED));
    }
  });

  it('is deterministic: the same input gives byte-identical output, and the input is kept', () => {
    for (const [, doc] of fixtures) {
      const before = JSON.stringify(doc);
      const once = JSON.stringify(fromV1Service(doc, FEED));
      const twice = JSON.stringify(fromV1Service(structuredClone(doc), FEED));
      expect(twice).toBe(once);
      expect(JSON.stringify(doc)).toBe(before);
    }
  });
});

describe('ids', () => {
  it('keeps UUID ids and derives stable UUIDs from other ids, per kind and per feed', () => {
    const uuidService = fromV1Service(fixture('b5c0e6f2-1d2e-4f3a-9b8c-7d6e5f4a3b2c'), FEED);
    expect(uuidService.service.id).toBe('b5c0e6f2-1d2e-4f3a-9b8c-7d6e5f4a3b2c');
    expect(uuidService.service.organization_id).toBe('0e4b9f7a-3c21-4d5e-8f60-91a2b3c4d5e6');

    const { service } = fromV1Service(fixture('1021'), FEED);
    expect(service.id).toBe(uuidFor(`${FEED}:service`, '1021'));
    expect(firstLocation(service).id).toBe(uuidFor(`${FEED}:location`, 'L-12'));
    expect(schedules(service)[0].id).toBe(uuidFor(`${FEED}:regular_schedule`, '5001'));

    const same = fromV1Service(v1Service(), FEED).service;
    expect(same.id).not.toBe(same.organization_id);
    expect(fromV1Service(v1Service(), 'https://other.example.org').service.id).not.toBe(same.id);
  });

  it('lower-cases UUIDs', () => {
    const { service } = fromV1Service(
      v1Service({ id: 'B5C0E6F2-1D2E-4F3A-9B8C-7D6E5F4A3B2C' }),
      FEED,
    );
    expect(service.id).toBe('b5c0e6f2-1d2e-4f3a-9b8c-7d6e5f4a3b2c');
  });
});

describe('schedules', () => {
  it('maps regular schedules: byday, times, dates, freq and interval', () => {
    const [weekly, fortnightly] = schedules(fromV1Service(fixture('1021'), FEED).service);
    expect(weekly).toMatchObject({
      freq: 'WEEKLY',
      interval: 1,
      byday: 'TU',
      opens_at: '10:00:00',
      closes_at: '12:00:00',
    });
    expect(fortnightly).toMatchObject({
      freq: 'WEEKLY',
      interval: 2,
      byday: 'TH',
      valid_from: '2024-01-04',
      valid_to: '2024-12-19',
      dtstart: '2024-01-04',
    });
  });

  it('turns weekday names and ISO numbers into RRULE days, WEEKLY when no freq is given', () => {
    const [fromNames] = schedules(
      fromV1Service(fixture('3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d'), FEED).service,
    );
    expect(fromNames).toMatchObject({ freq: 'WEEKLY', byday: 'TU,TH' });

    const { service, changes } = fromV1Service(
      v1Service({
        regular_schedules: [
          { id: '1', weekday: 1, opens_at: '9:00', closes_at: '5pm' },
          { id: '2', weekday: 7 },
          { id: '3', byday: 'Mon-Fri' },
          { id: '4', byday: 'Saturdays; sun' },
          { id: '5', freq: 'MONTHLY', byday: '1MO,-1FR' },
          { id: '6', freq: 'DAILY' },
          { id: '7', byday: 'Mo, someday' },
        ],
      }),
      FEED,
    );
    expect(schedules(service).map((s) => [s.freq, s.byday])).toEqual([
      ['WEEKLY', 'MO'],
      ['WEEKLY', 'SU'],
      ['WEEKLY', 'MO,TU,WE,TH,FR'],
      ['WEEKLY', 'SA,SU'],
      ['MONTHLY', '1MO,-1FR'],
      ['WEEKLY', 'MO,TU,WE,TH,FR,SA,SU'],
      ['WEEKLY', 'MO'],
    ]);
    expect(schedules(service)[0]).toMatchObject({ opens_at: '09:00:00', closes_at: '17:00:00' });
    expect(notes(changes)).toContainEqual(expect.stringContaining('"someday"'));
    expectValid(fromV1Service(v1Service({ regular_schedules: [{ id: '1', byday: 'X' }] }), FEED));
  });

  it('keeps a schedule listed on the service and on its location once, linked to both', () => {
    const { service } = fromV1Service(fixture('3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d'), FEED);
    const sal = (service.service_at_locations as Doc[])[0];
    expect(schedules(service)).toHaveLength(1);
    expect(schedules(service)[0].service_at_location_id).toBe(sal.id);
  });

  it('maps holiday opening hours to a daily schedule and closures to a description', () => {
    const opening = schedules(fromV1Service(fixture('2047'), FEED).service)[2];
    expect(opening).toMatchObject({
      valid_from: '2024-10-28',
      valid_to: '2024-11-01',
      freq: 'WEEKLY',
      byday: 'MO,TU,WE,TH,FR,SA,SU',
      opens_at: '10:00:00',
      closes_at: '12:00:00',
    });
    const { service, changes } = fromV1Service(fixture('1021'), FEED);
    const closure = schedules(service)[2];
    expect(closure).toEqual({
      id: uuidFor(`${FEED}:holiday_schedule`, 'H-1'),
      valid_from: '2024-12-24',
      valid_to: '2024-12-27',
      description: 'Closed from 2024-12-24 to 2024-12-27 (holiday).',
    });
    expect(notes(changes)).toContainEqual(expect.stringContaining('closure'));
  });
});

describe('values', () => {
  it('reads the dates and times v1 servers sent', () => {
    expect(isoDate('2024-01-15')).toBe('2024-01-15');
    // Java dates at UK midnight, serialised in UTC: the UK calendar day is meant.
    expect(isoDate('2023-10-01T23:00:00.000+0000')).toBe('2023-10-02');
    expect(isoDate('2024-01-15T00:00:00.000+0000')).toBe('2024-01-15');
    expect(isoDate(Date.UTC(2023, 5, 30, 23))).toBe('2023-07-01');
    expect(isoDate('15/01/2024')).toBe('2024-01-15');
    expect(isoDate('soon')).toBe('soon');
    expect(time('09:00')).toBe('09:00:00');
    expect(time('9:30:15')).toBe('09:30:15');
    expect(time('0900')).toBe('09:00:00');
    expect(time('12pm')).toBe('12:00:00');
    expect(time('12:30am')).toBe('00:30:00');
    expect(time('24:00')).toBe('00:00:00');
    expect(time('1970-01-01T18:30:00')).toBe('18:30:00');
    expect(time('late')).toBe('late');
  });

  it('maps the assured date of the fixture in UK time', () => {
    const { service } = fromV1Service(fixture('b5c0e6f2-1d2e-4f3a-9b8c-7d6e5f4a3b2c'), FEED);
    expect(service.assured_date).toBe('2023-10-02');
  });

  it('maps status values outside the 3.0 enum, and a missing one to active', () => {
    const status = (value: unknown) => fromV1Service(v1Service({ status: value }), FEED).service;
    expect(status(null).status).toBe('active');
    expect(status('').status).toBe('active');
    expect(status('Temporarily Closed').status).toBe('temporarily closed');
    expect(status('temporarily_closed').status).toBe('temporarily closed');
    expect(status('closed').status).toBe('inactive');
    expect(status('defunct').status).toBe('defunct');
    const odd = fromV1Service(v1Service({ status: 'pending' }), FEED);
    expect(odd.service.status).toBe('active');
    expect(notes(odd.changes)).toContainEqual(expect.stringContaining('pending'));
  });

  it('drops nulls and empty strings', () => {
    const { service } = fromV1Service(
      v1Service({ description: '', url: null, email: '  ', fees: null }),
      FEED,
    );
    for (const key of ['description', 'url', 'email', 'fees'])
      expect(service).not.toHaveProperty(key);
    expect(JSON.stringify(fromV1Service(fixture('2047'), FEED))).not.toMatch(/null|""/);
  });

  it('keeps invalid coordinates, for the validator to refuse', () => {
    const mapped = fromV1Service(
      v1Service({
        service_at_locations: [{ id: '1', location: { id: '1', latitude: 100, longitude: -1.5 } }],
      }),
      FEED,
    );
    expect(firstLocation(mapped.service).latitude).toBe(100);
    expect(validator.validate(SERVICE_FULL, mapped.service)).toEqual([
      expect.objectContaining({ path: '/service_at_locations/0/location/latitude' }),
    ]);
  });
});

describe('ages and eligibility', () => {
  it('takes minimum and maximum age from the eligibility records', () => {
    const ages = (id: string) => {
      const { service } = fromV1Service(fixture(id), FEED);
      return [service.minimum_age, service.maximum_age];
    };
    expect(ages('1021')).toEqual([18, undefined]);
    expect(ages('2047')).toEqual([0, 5]);
    expect(ages('3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d')).toEqual([16, 25]);
  });

  it('covers the union of several records, open where one record is', () => {
    const ages = (...eligibilitys: Doc[]) => {
      const { service } = fromV1Service(v1Service({ eligibilitys }), FEED);
      return [service.minimum_age, service.maximum_age];
    };
    expect(
      ages({ minimum_age: 5, maximum_age: 11 }, { minimum_age: '12', maximum_age: 16 }),
    ).toEqual([5, 16]);
    expect(ages({ minimum_age: 18 }, { maximum_age: 17 })).toEqual([undefined, undefined]);
    expect(ages({ minimum_age: 18, maximum_age: 999 })).toEqual([18, undefined]);
    expect(ages({ eligibility: 'adult' })).toEqual([undefined, undefined]);
  });

  it('maps the eligibility text and eligibility taxonomies to attributes', () => {
    const { service } = fromV1Service(fixture('3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d'), FEED);
    const eligibility = attributes(service).filter((a) => a.link_type === 'eligibility');
    expect(eligibility.map((a) => (a.taxonomy_term as Doc).name)).toEqual(['female', 'Female']);
    expect(eligibility[1].taxonomy_term).toMatchObject({
      taxonomy: 'esdCircumstances',
      term_uri: 'http://id.esd.org.uk/circumstance/Gender_Female',
      code: 'esdCircumstance:Gender_Female',
    });
  });
});

describe('taxonomies', () => {
  it('makes one taxonomy per v1 vocabulary, with stable ids', () => {
    const a = fromV1Service(fixture('1021'), FEED).taxonomies;
    const b = fromV1Service(fixture('2047'), FEED).taxonomies;
    const byName = (list: Doc[], name: string) => list.find((t) => t.name === name)!;
    expect(byName(a, 'leedsServiceTypes').id).toBe(byName(b, 'leedsServiceTypes').id);
    expect(byName(a, 'leedsServiceTypes').id).toBe(
      uuidFor(`${FEED}:vocabulary`, 'leedsServiceTypes'),
    );
    expect(byName(a, 'esdServiceTypes')).toMatchObject({
      uri: 'http://id.esd.org.uk/list/services',
    });
    expect(a.map((t) => t.name)).toEqual([
      'esdServiceTypes',
      'leedsServiceTypes',
      'ORUK v1 eligibility',
      'ORUK v1 deliverable type',
      'ORUK v1 attending type',
      'ORUK v1 attending access',
    ]);
  });

  it('keeps parent links, with every parent term in its taxonomy before its children', () => {
    const { service, taxonomies } = fromV1Service(fixture('2047'), FEED);
    const terms = taxonomies.find((t) => t.name === 'leedsServiceTypes')!.taxonomy_terms as Doc[];
    const id = (v1Id: string) => uuidFor(`${FEED}:taxonomy`, v1Id);
    expect(terms.map((t) => [t.name, t.id, t.parent_id])).toEqual([
      ['Children and families', id('300'), undefined],
      ['Parenting support', id('310'), id('300')],
      ['Stay and play groups', id('311'), id('310')],
    ]);
    const [play] = attributes(service);
    expect(play.taxonomy_term_id).toBe(id('311'));
    expect(play.taxonomy_term).toEqual(terms[2]);
  });

  it('keeps a parent given only by id, and derives esd term URIs honestly', () => {
    const { taxonomies } = fromV1Service(
      v1Service({
        service_taxonomys: [
          { id: '1', taxonomy: { id: '7', name: 'Food banks', vocabulary: 'local', parent: '6' } },
          { id: '2', taxonomy: { id: '242', name: 'Care at home', vocabulary: 'esdServiceTypes' } },
          {
            id: '3',
            taxonomy: { id: 'esdNeed:69', name: 'Social inclusion', vocabulary: 'needs' },
          },
          { id: '4', taxonomy: { id: 'esdServiceType:x1', name: 'Odd', vocabulary: 'esd' } },
        ],
      }),
      FEED,
    );
    const terms = taxonomies.flatMap((t) => t.taxonomy_terms as Doc[]);
    expect(terms[0].parent_id).toBe(uuidFor(`${FEED}:taxonomy`, '6'));
    expect(terms.map((t) => t.term_uri)).toEqual([
      undefined,
      'http://id.esd.org.uk/service/242',
      'http://id.esd.org.uk/need/69',
      undefined,
    ]);
  });

  it('maps service_taxonomys and the v1 enumerated fields to attributes', () => {
    const { service } = fromV1Service(fixture('1021'), FEED);
    expect(
      attributes(service).map((a) => [a.link_type, (a.taxonomy_term as Doc).name, a.id]),
    ).toEqual([
      [undefined, 'Carers support groups', uuidFor(`${FEED}:service_taxonomy`, 'ST-1')],
      [undefined, 'Carers assessment', uuidFor(`${FEED}:service_taxonomy`, 'ST-2')],
      [undefined, 'Carers', uuidFor(`${FEED}:service_taxonomy`, 'ST-3')],
      ['eligibility', 'adult', expect.any(String)],
      ['deliverable_type', 'Advice', expect.any(String)],
      ['attending_type', 'venue', expect.any(String)],
      ['attending_access', 'drop-in', expect.any(String)],
    ]);
  });

  it('shares the derived vocabularies between feeds, and drops values outside v1 enums', () => {
    const here = fromV1Service(v1Service({ attending_type: 'Venue' }), FEED);
    const there = fromV1Service(v1Service({ attending_type: 'venue' }), 'https://other.example');
    expect(attributes(here.service)[0].taxonomy_term_id).toBe(
      attributes(there.service)[0].taxonomy_term_id,
    );
    // A value outside v1's list is kept, as a term of its own, and said so.
    const odd = fromV1Service(v1Service({ attending_type: 'carrier pigeon' }), FEED);
    expect(odd.service.attributes).toEqual([
      expect.objectContaining({
        taxonomy_term: expect.objectContaining({ name: 'carrier pigeon' }),
      }),
    ]);
    expect(notes(odd.changes)).toContainEqual(expect.stringContaining('carrier pigeon'));
    // An obvious spelling of a v1 value is that value.
    const self = fromV1Service(v1Service({ attending_access: 'Self referral' }), FEED);
    expect(self.service.attributes).toEqual([
      expect.objectContaining({ taxonomy_term: expect.objectContaining({ name: 'referral' }) }),
    ]);
  });
});

describe('locations, contacts and the other children', () => {
  it('maps physical addresses and accessibility', () => {
    const location = firstLocation(fromV1Service(fixture('1021'), FEED).service);
    expect(location).toMatchObject({
      location_type: 'physical',
      name: 'Chapeltown Community Centre',
      latitude: 53.8155,
      longitude: -1.5339,
      addresses: [
        {
          address_1: '1 Reginald Terrace',
          city: 'Leeds',
          state_province: 'West Yorkshire',
          postal_code: 'LS7 3EU',
          country: 'GB',
          address_type: 'physical',
        },
      ],
      accessibility: [
        {
          description: 'Step-free access and an accessible toilet on the ground floor.',
          accessibility: 'Step-free access and an accessible toilet on the ground floor.',
        },
      ],
    });
    const bramley = firstLocation(
      fromV1Service(fixture('3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d'), FEED).service,
    );
    expect(bramley.addresses[0].country).toBe('GB');
  });

  it('keeps an address without a county (the repairs fill it), and the location', () => {
    const { service } = fromV1Service(fixture('3110'), FEED);
    expect(firstLocation(service).addresses).toHaveLength(1);
    expect(firstLocation(service).addresses[0].state_province).toBeUndefined();
    expect(firstLocation(service).latitude).toBe(53.7965);
  });

  it('maps contacts with their phones, and phone languages', () => {
    const [contact] = fromV1Service(fixture('1021'), FEED).service.contacts as Doc[];
    expect(contact).toMatchObject({
      id: uuidFor(`${FEED}:contact`, 'C-101'),
      name: 'Amina Hussain',
      title: 'Carers Support Worker',
      phones: [
        { number: '0113 496 0123', languages: [{ name: 'English', code: 'en' }] },
        { number: '0113 496 0124', languages: [{ name: 'Urdu', code: 'ur' }] },
      ],
    });
    const other = fromV1Service(fixture('b5c0e6f2-1d2e-4f3a-9b8c-7d6e5f4a3b2c'), FEED);
    expect(((other.service.contacts as Doc[])[0].phones as Doc[]).map((p) => p.number)).toEqual([
      '0113 496 0456',
    ]);
  });

  it('maps languages, funding, cost options and service areas; reviews are reported', () => {
    const { service, changes } = fromV1Service(fixture('1021'), FEED);
    expect(service.languages).toEqual([
      { id: uuidFor(`${FEED}:language`, 'LG-1'), name: 'English', code: 'en' },
      { id: uuidFor(`${FEED}:language`, 'LG-2'), name: 'Urdu', code: 'ur' },
    ]);
    expect((service.funding as Doc[]).map((f) => f.source)).toEqual([
      'Leeds City Council Adult Social Care grant',
      'National Lottery Community Fund',
    ]);
    expect(service.cost_options).toEqual([
      {
        id: uuidFor(`${FEED}:cost_option`, '6001'),
        option: 'All carers',
        amount: 0,
        amount_description: 'Free',
      },
    ]);
    expect(service.service_areas).toEqual([
      {
        id: uuidFor(`${FEED}:service_area`, '4401'),
        name: 'Leeds',
        uri: 'http://statistics.data.gov.uk/id/statistical-geography/E08000035',
        service_area: 'Leeds',
      },
    ]);
    expect(service).toMatchObject({ fees: 'Free', accreditations: 'Carers Trust Network Partner' });
    expect(service).not.toHaveProperty('reviews');
    expect(notes(changes)).toContainEqual(expect.stringContaining('review'));
  });
});

describe('detection', () => {
  it('detects v1 services, full and listed', () => {
    for (const [, doc] of fixtures) expect(isV1Service(doc)).toBe(true);
    const item = v1PageContents(read('page-2.json'))[0];
    expect(isV1Service(item)).toBe(true);
  });

  it('never takes a 3.0 service for v1', () => {
    const dir = process.env.ORUK_SCHEMA_DIR;
    const official: Doc = dir
      ? JSON.parse(readFileSync(resolve(dir, '..', 'examples', 'service_full.json'), 'utf8'))
      : v3Service();
    expect(isV1Service(official)).toBe(false);
    expect(isV1Service(v3Service())).toBe(false);
    expect(isV1Service({ ...v3Service(), reviews: [] })).toBe(false);
  });

  it('detects v1 page envelopes and lists their items', () => {
    const page = read('page-1.json');
    expect(isV1Page(page)).toBe(true);
    expect(v1PageContents(page)).toHaveLength(3);
    const v3Page = {
      total_items: 1,
      total_pages: 1,
      page_number: 1,
      size: 1,
      first_page: true,
      last_page: true,
      empty: false,
      contents: [v3Service()],
    };
    expect(isV1Page(v3Page)).toBe(false);
    expect(v1PageContents(v3Page)).toEqual([]);
    expect(isV1Page([])).toBe(false);
    expect(isV1Page(null)).toBe(false);
  });
});
