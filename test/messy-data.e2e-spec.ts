import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { csvLine, readCsv } from '../src/common/csv';
import { projectRoot } from '../src/config/config';
import { ENTITIES } from '../src/hsds/entities';
import { tableOf } from '../src/hsds/fields';
import { writeCsvPackage } from '../src/transfer/csv-package/write';
import { harvest } from '../src/transfer/harvest';
import { isUuid, uuidFor } from '../src/transfer/ids';
import {
  ImportAborted,
  importDocuments,
  ImportOptions,
  ImportSummary,
  ReportEntry,
} from '../src/transfer/importer';
import { storedChanges } from '../src/transfer/changes';
import { openSource, SourceOptions } from '../src/transfer/sources';
import { createTestApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { listen, send, TestServer } from './support/feed-server';
import { officialErrors, officialIt } from './support/oruk-schemas';
import { Doc, seedServices } from './support/seed-data';

/**
 * Real councils' data (docs/import.md): the faults found in published feeds, reproduced
 * by the fixtures of test/fixtures/messy, through every input path (ORUK v1 and 3.0 JSON,
 * HSDS 3.x documents, ndjson, CSV packages of HSDS 3.0 and 1.1, a harvest, the command
 * line): what is stored, what is served (every record by its id, whatever the version
 * bits or the case of its UUID), and what is reported, where and why.
 */

let t: TestApp;
let dir: string;
const get = (path: string) => request(t.http).get(path);
const fixture = (name: string) => join(projectRoot(), 'test', 'fixtures', 'messy', name);

interface Loaded {
  summary: ImportSummary;
  report: ReportEntry[];
  warnings: string[];
}

async function load(
  input: string,
  options: ImportOptions & SourceOptions = {},
  db = t.db,
): Promise<Loaded> {
  const report: ReportEntry[] = [];
  const warnings: string[] = [];
  const source = await openSource(input, {
    ...options,
    onWarning: (at, message) => warnings.push(`${at}: ${message}`),
  });
  const summary = await importDocuments(db, source.documents, {
    ...options,
    onReport: (entry) => report.push(entry),
  });
  return { summary, report, warnings };
}

/** The report's entries of one record, by JSON path. */
function entries(loaded: Loaded, id: string): Map<string, ReportEntry> {
  return new Map(loaded.report.filter((e) => e.id === id).map((e) => [e.path, e]));
}

/** The report's changes to the records stored, counted by kind and rule. */
function tallied(loaded: Loaded, stored: Set<string>): ImportSummary['changes'] {
  const counts: ImportSummary['changes'] = { repaired: {}, dropped: {}, rejected: {} };
  for (const e of loaded.report) {
    if (e.kind !== 'rejected' && !stored.has(e.id!)) continue;
    counts[e.kind][e.rule] = (counts[e.kind][e.rule] ?? 0) + 1;
  }
  return counts;
}

async function count(table: string): Promise<number> {
  return (await t.db.query(`SELECT count(*)::int AS n FROM "${table}"`))[0].n;
}

beforeAll(async () => {
  t = await createTestApp();
  await t.db.query(`TRUNCATE ${ENTITIES.map(tableOf).join(', ')} CASCADE`);
  dir = mkdtempSync(join(tmpdir(), 'oruk-messy-'));
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an ORUK v1 feed of a commercial directory product', () => {
  const FILE = 'oruk-v1-vendor.json';
  const SERVICE = '61b1601e-f681-1d7f-d0fd-93cc27f3f094'; // UUID-shaped, not RFC 4122
  const ORGANIZATION = '0b5f7a92-3c1d-2e4f-a6b8-c9d0e1f2a3b4';
  const NUMBERED = uuidFor('local:service', '2259');
  let loaded: Loaded;

  beforeAll(async () => {
    loaded = await load(fixture(FILE));
  });

  it('stores every usable record and rejects only the one without a name, saying where and why', () => {
    expect(loaded.summary.services).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(loaded.summary.rejections).toEqual([
      expect.objectContaining({
        at: `${FILE}[2]`,
        id: uuidFor('local:service', '1502'),
        kind: 'rejected',
        rule: 'required',
        path: '/name',
        reason: 'a service needs a name',
      }),
    ]);
  });

  it('serves the records by ids that are not RFC 4122 UUIDs, in either case, and filters by them', async () => {
    for (const id of [SERVICE, SERVICE.toUpperCase()])
      expect((await get(`/services/${id}`).expect(200)).body.id).toBe(SERVICE);
    await get(`/organizations/${ORGANIZATION.toUpperCase()}`).expect(200);
    const { body } = await get(`/services?organization_id=${ORGANIZATION}`).expect(200);
    expect(body.contents.map((s: Doc) => s.id)).toEqual([SERVICE]);
    const sals = await get(`/service_at_locations?organization_id=${ORGANIZATION}`).expect(200);
    expect(sals.body.total_items).toBe(1);
  });

  it('repairs what has one obvious meaning, and reports each repair', async () => {
    const { body } = await get(`/services/${SERVICE}`).expect(200);
    expect(body).toMatchObject({
      url: 'https://www.riverside-befriending.example-charity.org.uk',
      email: 'hello@riverside-befriending.org.uk',
      minimum_age: 65,
      // pc_metadata's date_modified, without an offset: UK time, GMT in November.
      last_modified: '2025-11-03T14:20:00.000Z',
      assured_date: '2025-11-03',
      assurer_email: 'directory.team@example-council.gov.uk',
      organization: { website: 'https://riverside-befriending.example-charity.org.uk' },
    });
    expect(body.maximum_age).toBeUndefined();
    const contact = body.contacts[0];
    expect(contact.email).toBe('coordinator@riverside-befriending.org.uk');
    expect(contact.phones.every((p: Doc) => isUuid(p.id))).toBe(true);
    expect(contact.phones.map((p: Doc) => p.extension ?? null).sort()).toEqual(['12', null]);
    const times = body.schedules.map((s: Doc) => `${s.opens_at}-${s.closes_at}`).sort();
    expect(times).toEqual(['10:00:00-12:00:00', '10:00:00-12:30:00']);
    expect(body.schedules.find((s: Doc) => s.valid_from)?.valid_from).toBe('2025-12-24');

    const mine = entries(loaded, SERVICE);
    expect(mine.get('/url')).toMatchObject({
      at: `${FILE}[0]`,
      kind: 'repaired',
      rule: 'url-scheme',
      before: 'www.riverside-befriending.example-charity.org.uk',
      after: 'https://www.riverside-befriending.example-charity.org.uk',
    });
    expect(mine.get('/email')).toMatchObject({ rule: 'email', after: body.email });
    expect(mine.get('/contacts/0/email')).toMatchObject({
      rule: 'email',
      before: expect.stringContaining('\u200Bcoordinator@'),
    });
    expect(mine.get('/organization/website')).toMatchObject({ rule: 'url-scheme' });
  });

  it('keeps v1 values outside its enumerations as terms, and the audience tags as attributes', async () => {
    const { body } = await get(`/services/${SERVICE}`).expect(200);
    const terms = (type: string) =>
      body.attributes
        .filter((a: Doc) => a.link_type === type)
        .map((a: Doc) => a.taxonomy_term.name)
        .sort();
    expect(terms('deliverable_type')).toEqual(['1 to 1 support']);
    expect(terms('attending_type')).toEqual(['phone']);
    expect(terms('attending_access')).toEqual(['referral']);
    expect(terms('audience')).toEqual(['Carers', 'Older people']);
    expect(entries(loaded, SERVICE).get('/attending_access')).toMatchObject({
      before: 'Self referral',
      after: 'referral',
    });
  });

  it('leaves out only what cannot be used, and says what and why', async () => {
    const { body } = await get(`/services/${NUMBERED}`).expect(200);
    expect(body.url).toBeUndefined(); // javascript:void(0)
    expect(body.organization.website).toBeUndefined(); // a placeholder
    const location = body.service_at_locations[0].location;
    expect(location.latitude).toBeUndefined(); // 0,0
    expect(location.longitude).toBeUndefined();
    expect(location.addresses[0].state_province).toBe('Bristol');
    // The id it was given, where a consumer can see it.
    expect(body.provenance).toMatchObject({
      source_feed: 'urn:oruk-server:import:local',
      source_id: '2259',
    });
    const mine = entries(loaded, NUMBERED);
    expect(mine.get('/url')).toMatchObject({
      kind: 'dropped',
      rule: 'url',
      before: 'javascript:void(0)',
    });
    expect(mine.get('/service_at_locations/0/location/latitude')).toMatchObject({
      kind: 'dropped',
      rule: 'coordinates',
    });
    expect(mine.get('/id')).toMatchObject({ rule: 'id-derived', before: '2259', after: NUMBERED });
    // What the mapping never read is named, not lost without a word.
    const unread = entries(loaded, SERVICE);
    for (const path of ['/linkid', '/service_areas/0/serviceId'])
      expect(unread.get(path)).toMatchObject({ kind: 'dropped', rule: 'v1-mapping' });
    for (const path of ['/pc_metadata/date_created', '/pc_attendingAccess_additionalInfo'])
      expect(unread.get(path)).toMatchObject({ kind: 'dropped', rule: 'vendor-extra' });
  });

  it('counts in its summary exactly what the report lists of the records stored', () => {
    const stored = new Set([SERVICE, NUMBERED]);
    expect(loaded.summary.changes).toEqual(tallied(loaded, stored));
    expect(loaded.summary.changed).toBe(2);
  });
});

describe('an ORUK 3.0 feed of the same product', () => {
  const FILE = 'oruk-3.0-vendor.json';
  const ADVICE = 'afa0c225-ba25-8ee3-f9b6-0a1b2c3d4e5f';
  const FRIDGE = 'B16E3A57-7C1D-4D4E-9F00-1234567890AB';
  let loaded: Loaded;

  beforeAll(async () => {
    loaded = await load(fixture(FILE));
  });

  it('stores what the strict validation refused whole: ages of -1, offset-less times, phones without ids', async () => {
    expect(loaded.summary.services).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(loaded.summary.rejections).toEqual([
      expect.objectContaining({ at: `${FILE}[2]`, path: '/organization', rule: 'required' }),
    ]);
    const { body } = await get(`/services/${ADVICE}`).expect(200);
    expect(body.minimum_age).toBeUndefined();
    expect(body.maximum_age).toBeUndefined();
    // Without an offset: UK time, BST in September.
    expect(body.last_modified).toBe('2025-09-02T10:45:10.000Z');
    expect(body.url).toBe('https://www.advice-example.org.uk/money');
    expect(body.email).toBe('money@advice-example.org.uk');
    expect(body.organization.website).toBe('https://advice-example.org.uk');
    expect(body.organization.uri).toBeUndefined();
    const [phone] = body.contacts[0].phones;
    expect(isUuid(phone.id)).toBe(true);
    expect(phone.extension).toBe('2');
    expect(body.attributes.map((a: Doc) => a.link_entity)).toEqual(['service', 'service']);
    expect(body.schedules[0]).toMatchObject({
      opens_at: '09:00:00',
      closes_at: '13:00:00',
      valid_from: '2025-09-01',
    });
    const mine = entries(loaded, ADVICE);
    expect(mine.get('/minimum_age')).toMatchObject({ kind: 'dropped', rule: 'age', before: -1 });
    expect(mine.get('/last_modified')).toMatchObject({
      rule: 'date-time',
      before: '2025-09-02T11:45:10',
    });
    expect(mine.get('/contacts/0/phones/0/id')).toMatchObject({ rule: 'id-missing' });
    expect(mine.get('/contacts/0/phones/0/extension')).toMatchObject({ rule: 'text', after: '2' });
    expect(mine.get('/attributes/0/link_entity')).toMatchObject({
      rule: 'link-entity',
      before: 'link_entity',
      after: 'service',
    });
  });

  it('serves an upper-case id at its lower-case form, with out-of-range coordinates left out', async () => {
    const { body } = await get(`/services/${FRIDGE}`).expect(200);
    expect(body.id).toBe(FRIDGE.toLowerCase());
    expect(body.organization_id).toBe('b52a99b2-a385-2b25-7987-1a2b3c4d5e6f');
    expect(body.status).toBe('temporarily closed');
    const [sal] = body.service_at_locations;
    expect(isUuid(sal.id) && isUuid(sal.location_id)).toBe(true);
    expect(sal.location.latitude).toBeUndefined();
    expect(sal.location.longitude).toBeUndefined();
    await get(`/service_at_locations/${sal.id}`).expect(200);
    const mine = entries(loaded, FRIDGE.toLowerCase());
    expect(mine.get('/service_at_locations/0/location/latitude')).toMatchObject({
      rule: 'coordinates',
      before: 151.2,
    });
    expect(mine.get('/status')).toMatchObject({ rule: 'enum', before: 'temporarily_closed' });
  });

  it('stands a placeholder in for a taxonomy its terms name but nobody publishes', async () => {
    const { body } = await get('/taxonomies/0a0b0c0d-1e1f-2a2b-3c3d-eeeeeeeeeeee').expect(200);
    expect(body.name).toBe('Vendor service types');
    expect(body.description).toMatch(/without publishing it/);
    expect(entries(loaded, ADVICE).get('/attributes/0/taxonomy_term/taxonomy_id')).toMatchObject({
      kind: 'repaired',
      rule: 'taxonomy',
    });
  });
});

describe('HSDS 3.x documents of other implementations', () => {
  const SERVICE = '3f3f3f3f-1111-4222-8333-444444444444';
  let loaded: Loaded;

  beforeAll(async () => {
    loaded = await load(fixture('hsds-3.x-other.json'));
  });

  it('stores them with a numeric extension as text and link_entity from where the attribute sits', async () => {
    expect(loaded.summary.services).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0 });
    const { body } = await get(`/services/${SERVICE}`).expect(200);
    expect(body.phones[0].extension).toBe('100');
    expect(body.attributes[0].link_entity).toBe('service');
    expect(body.cost_options[0]).toMatchObject({ valid_from: '2024-03-01', amount: 2.5 });
    expect(body.alternate_name).toBeUndefined();
  });

  it('names every field ORUK 3.0 does not have', () => {
    const dropped = [...entries(loaded, SERVICE).values()]
      .filter((e) => e.rule === 'unknown-field')
      .map((e) => e.path)
      .sort();
    expect(dropped).toEqual(
      expect.arrayContaining(['/additional_urls', '/alternate_name', '/metadata']),
    );
  });
});

describe('ndjson with ids that are not UUIDs', () => {
  const SCOPE = 'council-a';
  const doc = (n: number) => ({
    id: `svc-${n}`,
    name: `Lunch club ${n}`,
    description: 'Hot meals on Thursdays.',
    status: 'active',
    organization: { id: 'org-7', name: 'Lunch Clubs', description: 'Clubs since 1990.' },
    phones: [{ id: `ph-${n}`, number: '0117 496 0900' }],
  });

  it('stores them under stable UUIDs of the scope and the id, each reachable and filterable', async () => {
    const file = join(dir, 'legacy.ndjson');
    writeFileSync(file, `${JSON.stringify(doc(1))}\n${JSON.stringify(doc(2))}\n`);
    const first = await load(file, { idScope: SCOPE });
    expect(first.summary.services).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 0 });
    const id = uuidFor(`${SCOPE}:service`, 'svc-2');
    const organization = uuidFor(`${SCOPE}:organization`, 'org-7');
    expect(entries(first, id).get('/id')).toMatchObject({ at: 'legacy.ndjson:2', after: id });
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.organization_id).toBe(organization);
    expect(body.phones[0].id).toBe(uuidFor(`${SCOPE}:phone`, 'ph-2'));
    expect(body.provenance).toMatchObject({
      source_feed: `urn:oruk-server:import:${SCOPE}`,
      source_id: 'svc-2',
    });
    const listed = await get(`/services?organization_id=${organization}`).expect(200);
    expect(listed.body.total_items).toBe(2);
    // Again: the same UUIDs, so nothing new, and nothing served changes.
    const again = await load(file, { idScope: SCOPE });
    expect(again.summary.services).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect((await get(`/services/${id}`).expect(200)).body).toEqual(body);
  });
});

describe('one file, several records', () => {
  it('stores a service given twice as the last says, and two without ids of one name as two', async () => {
    const file = join(dir, 'twice.ndjson');
    const base = {
      name: 'Coffee morning',
      description: 'Tea, coffee and a chat.',
      status: 'active',
      organization: { id: 'org-coffee', name: 'Coffee Club', description: 'Since 2001.' },
    };
    const lines = [
      { ...base, id: 'cm-1', url: 'www.coffee.example-club.org.uk' },
      { ...base, id: 'cm-1', url: 'www.coffee.example-club.org.uk/new' },
      { ...base, name: 'Knit and natter' },
      { ...base, name: 'Knit and natter', description: 'Bring your needles.' },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const loaded = await load(file);
    expect(loaded.summary.rejections).toEqual([]);
    const id = uuidFor('local:service', 'cm-1');
    expect((await get(`/services/${id}`).expect(200)).body.url).toBe(
      'https://www.coffee.example-club.org.uk/new',
    );
    const organization = uuidFor('local:organization', 'org-coffee');
    const { body } = await get(`/services?organization_id=${organization}&per_page=10`).expect(200);
    expect(body.contents.map((s: Doc) => s.name).sort()).toEqual([
      'Coffee morning',
      'Knit and natter',
      'Knit and natter',
    ]);
    const [kept] = await storedChanges(t.db, { id });
    expect(kept.source).toBe('twice.ndjson:2');
  });

  it.each([
    ['in the same batch', 500],
    ['in the batch before', 1],
  ])(
    'keeps a reference to a location that another record of the file nests, %s',
    async (_, batchSize) => {
      const file = join(dir, `shared-location-${batchSize}.ndjson`);
      const k = (id: string) => `${id}-${batchSize}`;
      const organization = { id: k('org-hall'), name: 'Hall Trust', description: 'The hall.' };
      const lines = [
        {
          id: k('hall-1'),
          name: 'Yoga',
          description: 'Gentle yoga.',
          status: 'active',
          organization,
          service_at_locations: [
            {
              id: k('hall-sal-1'),
              location: { id: k('hall'), name: 'Village hall', location_type: 'physical' },
            },
          ],
        },
        {
          id: k('hall-2'),
          name: 'Pilates',
          description: 'Core strength.',
          status: 'active',
          organization,
          service_at_locations: [{ id: k('hall-sal-2'), location_id: k('hall') }],
        },
      ];
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
      // In the batch before, it is checked while the first may still be being stored.
      const loaded = await load(file, { batchSize });
      expect(loaded.summary.services).toMatchObject({ created: 2, rejected: 0 });
      const { body } = await get(`/services/${uuidFor('local:service', k('hall-2'))}`).expect(200);
      expect(body.service_at_locations[0].location.name).toBe('Village hall');
    },
  );
});

describe('references to what is nowhere', () => {
  it('leaves out the part that points at nothing, not the service', async () => {
    const file = join(dir, 'dangling.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'dangling-1',
        name: 'Walk and talk',
        description: 'A weekly walk.',
        status: 'active',
        organization: { id: 'org-walks', name: 'Walks', description: 'Walking groups.' },
        service_at_locations: [{ id: 'sal-1', location_id: 'a-location-nobody-has' }],
        schedules: [
          { id: 'sch-1', service_at_location_id: 'sal-9', byday: 'MO', opens_at: '10:00' },
        ],
      }),
    );
    const loaded = await load(file);
    expect(loaded.summary.services).toMatchObject({ created: 1, rejected: 0 });
    const id = uuidFor('local:service', 'dangling-1');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.service_at_locations).toBeUndefined();
    expect(body.schedules).toEqual([
      expect.objectContaining({ byday: 'MO', opens_at: '10:00:00' }),
    ]);
    expect(body.schedules[0].service_at_location_id).toBeUndefined();
    const mine = entries(loaded, id);
    expect(mine.get('/service_at_locations/0')).toMatchObject({
      kind: 'dropped',
      rule: 'required',
    });
    expect(mine.get('/schedules/0/service_at_location_id')).toMatchObject({ kind: 'dropped' });
  });

  it('--no-repair rejects a record with a part that points at nothing', async () => {
    const file = join(dir, 'dangling-uuids.json');
    const id = '0d0d0d0d-1111-4222-8333-000000000001';
    writeFileSync(
      file,
      JSON.stringify({
        id,
        name: 'Walk and talk',
        description: 'A weekly walk.',
        status: 'active',
        organization: {
          id: '0d0d0d0d-1111-4222-8333-000000000002',
          name: 'Walks',
          description: 'Walking groups.',
        },
        service_at_locations: [
          {
            id: '0d0d0d0d-1111-4222-8333-000000000003',
            location_id: '0d0d0d0d-1111-4222-8333-000000000004',
          },
        ],
      }),
    );
    const strict = await load(file, { repair: false });
    expect(strict.summary.services).toMatchObject({ rejected: 1, created: 0 });
    expect(strict.summary.rejections).toEqual([
      expect.objectContaining({
        path: '/service_at_locations/0',
        reason: expect.stringMatching(/is nowhere \(--no-repair\)$/),
      }),
    ]);
    await get(`/services/${id}`).expect(404);
  });

  it('leaves out a schedule link to a service at location it left out itself', async () => {
    const file = join(dir, 'dangling-2.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'dangling-2',
        name: 'Chess club',
        description: 'Bring a board.',
        status: 'active',
        organization: { id: 'org-chess', name: 'Chess', description: 'Chess players.' },
        service_at_locations: [{ id: 'sal-2', location_id: 'a-location-nobody-has' }],
        schedules: [{ id: 'sch-2', service_at_location_id: 'sal-2', byday: 'TU' }],
      }),
    );
    const loaded = await load(file);
    expect(loaded.summary.services).toMatchObject({ created: 1, rejected: 0 });
    const { body } = await get(`/services/${uuidFor('local:service', 'dangling-2')}`).expect(200);
    expect(body.schedules[0].service_at_location_id).toBeUndefined();
  });
});

describe('CSV packages', () => {
  it('maps an HSDS 1.1 package with numeric ids, and names the file it does not read', async () => {
    const loaded = await load(fixture('hsds-1.1-csv'));
    expect(loaded.summary.services).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(loaded.warnings.sort()).toEqual([
      expect.stringMatching(/^notes\.txt: .*not read/),
      // An organization's phone: ORUK 3.0 has nowhere to put it.
      expect.stringMatching(
        /^phones\.csv: 1 of its 2 rows belong to no service .* line 3: not read/,
      ),
    ]);
    const id = uuidFor('local:service', '10');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body).toMatchObject({
      name: 'Food parcels',
      email: 'parcels@lockside-foodbank.example.org.uk',
      organization: {
        name: 'Lockside Foodbank',
        website: 'https://www.lockside-foodbank.example.org.uk',
      },
    });
    expect(body.phones[0].number).toBe('0117 496 0800');
    const [sal] = body.service_at_locations;
    expect(sal.location).toMatchObject({ name: 'Lockside Church Hall', latitude: 51.449 });
    expect(sal.location.addresses[0]).toMatchObject({
      postal_code: 'BS2 0XX',
      state_province: 'South West',
    });
    const foodBanks = body.attributes.find((a: Doc) => a.taxonomy_term.name === 'Food banks');
    // Its parent, a row of the same table, is a term too.
    const parent = uuidFor('local:taxonomy', '81');
    expect(foodBanks.taxonomy_term.parent_id).toBe(parent);
    expect((await get(`/taxonomy_terms/${parent}`).expect(200)).body.name).toBe('Food');
    expect(body.schedules[0]).toMatchObject({ byday: 'FR', opens_at: '10:00:00' });
    expect(entries(loaded, id).get('/email')).toMatchObject({
      at: 'services.csv:2',
      rule: 'email',
    });

    const shed = (await get(`/services/${uuidFor('local:service', '11')}`).expect(200)).body;
    expect(shed.schedules[0]).toMatchObject({
      service_at_location_id: shed.service_at_locations[0].id,
      byday: 'WE',
      opens_at: '09:30:00',
      closes_at: '12:30:00',
    });
  });

  it('refuses a package that mixes HSDS versions, in one message naming them, storing nothing', async () => {
    const before = await count('service');
    await expect(load(fixture('mixed-csv'))).rejects.toThrow(
      /files of HSDS 3\.0 \(addresses\.csv\) and of an older HSDS \(physical_addresses\.csv\)/,
    );
    expect(await count('service')).toBe(before);
  });

  it('reads an HSDS 3.0 package with non-UUID ids, naming the files and columns it does not read', async () => {
    // Our own export, its first service's ids made text, plus a file and a column of the
    // publisher's own.
    const source = await createTestApp();
    const folder = join(dir, 'package');
    await writeCsvPackage(source.db, folder);
    await source.close();
    const [first] = seedServices();
    const renamed = new Map<string, string>([
      [first.id, 'S-1'],
      [first.organization.id, 'O-1'],
    ]);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.csv'))) {
      const rows: string[][] = [];
      for await (const batch of readCsv(join(folder, file))) rows.push(...batch);
      const text = rows
        .map((row, i) => [...row, ...(file === 'services.csv' ? [i ? 'x' : 'crm_ref'] : [])])
        .map((row) => csvLine(row.map((cell) => renamed.get(cell) ?? cell)))
        .join('');
      writeFileSync(join(folder, file), text);
    }
    writeFileSync(join(folder, 'volunteers.csv'), 'id,name\n1,Ann\n');

    const loaded = await load(folder, { idScope: 'council-b' });
    expect(loaded.summary.rejections).toEqual([]);
    expect(loaded.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^volunteers\.csv: /),
        expect.stringMatching(/^services\.csv: .*crm_ref/),
      ]),
    );
    const id = uuidFor('council-b:service', 'S-1');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.name).toBe(first.name);
    expect(body.organization_id).toBe(uuidFor('council-b:organization', 'O-1'));
    expect(body.provenance).toMatchObject({ source_id: 'S-1' });
  });
});

describe('changes stay with the record until its next import', () => {
  const SERVICE = '61b1601e-f681-1d7f-d0fd-93cc27f3f094';

  it('keeps the changes of each stored record, lists them, and replaces them on the next import', async () => {
    const [kept] = await storedChanges(t.db, { id: SERVICE });
    expect(kept).toMatchObject({ record_type: 'service', source: 'oruk-v1-vendor.json[0]' });
    const rules = kept.changes.map((c) => c.rule);
    expect(rules).toEqual(expect.arrayContaining(['url-scheme', 'email', 'v1-mapping']));

    const listed = await cli(
      ['changes', '--rule', 'url-scheme', '--format', 'ndjson', '--limit', '0'],
      {
        DATABASE_URL: t.database.url,
      },
    );
    expect(listed.code).toBe(0);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Doc);
    expect(lines.every((l) => l.rule === 'url-scheme')).toBe(true);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: SERVICE,
          path: '/url',
          after: expect.stringMatching(/^https:/),
        }),
      ]),
    );

    // The record as served is clean: imported so, its changes are gone.
    const { body } = await get(`/services/${SERVICE}`).expect(200);
    const file = join(dir, 'clean.json');
    writeFileSync(file, JSON.stringify(body));
    const clean = await load(file);
    expect(clean.report.filter((e) => e.rule !== 'unknown-field')).toEqual([]);
    expect(await storedChanges(t.db, { id: SERVICE })).toEqual([]);
    // And the messy one again brings them back.
    await load(fixture('oruk-v1-vendor.json'));
    expect((await storedChanges(t.db, { id: SERVICE }))[0].changes).toEqual(kept.changes);
  });
});

describe('--no-repair and --strict', () => {
  it('--no-repair rejects instead of repairing, and what is stored stays as it was', async () => {
    const before = (await get('/services/afa0c225-ba25-8ee3-f9b6-0a1b2c3d4e5f').expect(200)).body;
    const loaded = await load(fixture('oruk-3.0-vendor.json'), { repair: false });
    expect(loaded.summary.services).toMatchObject({ created: 0, updated: 0, rejected: 3 });
    expect(loaded.summary.rejections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/url',
          rule: 'url-scheme',
          reason: 'a host name without its scheme (--no-repair)',
        }),
      ]),
    );
    const after = (await get('/services/afa0c225-ba25-8ee3-f9b6-0a1b2c3d4e5f').expect(200)).body;
    expect(after).toEqual(before);
  });

  it('--strict stores nothing when a record is rejected', async () => {
    const changed = JSON.parse(readFileSync(fixture('oruk-v1-vendor.json'), 'utf8'));
    changed.content[0].name = 'Riverside Befriending (renamed)';
    const file = join(dir, 'strict.json');
    writeFileSync(file, JSON.stringify(changed));
    await expect(load(file, { strict: true })).rejects.toThrow(ImportAborted);
    const { body } = await get('/services/61b1601e-f681-1d7f-d0fd-93cc27f3f094').expect(200);
    expect(body.name).toBe('Riverside Befriending');
  });
});

describe('the command line', () => {
  it('counts by kind, lists the rest in --report, and exits 1 when a record was rejected', async () => {
    const report = join(dir, 'report.ndjson');
    const result = await cli(['import', fixture('oruk-v1-vendor.json'), '--report', report], {
      DATABASE_URL: t.database.url,
    });
    expect(result.code).toBe(1);
    const lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Doc);
    expect(result.stderr).toContain(`report: ${lines.length} lines in ${report}`);
    expect(result.stderr).toContain(`rejected oruk-v1-vendor.json[2]`);
    const repaired = lines.filter(
      (l) => l.kind === 'repaired' && l.at !== 'oruk-v1-vendor.json[2]',
    );
    expect(result.stderr).toMatch(
      new RegExp(`repaired ${repaired.length} values in 2 stored records: `),
    );
    expect(result.stderr).toContain('rejected records for 1 problems: required 1');
    for (const line of lines)
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['at', 'kind', 'rule', 'path', 'reason']),
      );
  });
});

describe('a harvest of a messy ORUK v1 feed', () => {
  let feed: TestServer;
  const page = JSON.parse(readFileSync(fixture('oruk-v1-vendor.json'), 'utf8'));
  /** Ids whose /services/{id} answers 503. */
  const failing = new Set<string>();

  beforeAll(async () => {
    feed = await listen((url, res) => {
      if (url.pathname === '/services') return send(res, 200, page);
      const id = decodeURIComponent(url.pathname.replace(/^\/services\//, ''));
      if (failing.has(id)) return send(res, 503, { error: 'Unavailable' });
      const doc = (page.content as Doc[]).find((s) => String(s.id) === id);
      return doc ? send(res, 200, doc) : send(res, 404, { error: 'Not Found' });
    });
  });
  afterAll(() => feed?.close());

  it('stores what it can under the feed’s stable UUIDs, and reads the rejected record again next time', async () => {
    const options = { ratePerSecond: 1000, backoffMs: 10 };
    const first = await harvest(t.db, feed.url, options);
    expect(first.summary.services).toMatchObject({ rejected: 1 });
    expect(first.message).toContain('1 rejected: read again next time');
    const rejection = first.summary.rejections[0];
    expect(rejection).toMatchObject({
      at: `${feed.url}/services/1502`,
      source_id: '1502',
      path: '/name',
    });

    const id = uuidFor(`${feed.url}:service`, '2259');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.provenance).toMatchObject({ source_feed: feed.url, source_id: '2259' });
    expect(body.url).toBeUndefined();

    // Not read next time (its request fails): still to be read again.
    const rejected = async () =>
      (await t.db.query(`SELECT rejected FROM feed WHERE base_url = $1`, [feed.url]))[0].rejected;
    failing.add('1502');
    const unread = await harvest(t.db, feed.url, { ...options, retries: 1 });
    expect(unread.failed).toBe(1);
    expect(await rejected()).toEqual(['1502']);

    // Fixed upstream: stored by the next run.
    failing.clear();
    page.content[2].name = 'Summer playscheme';
    const second = await harvest(t.db, feed.url, options);
    expect(second.summary.services.rejected).toBe(0);
    expect(await rejected()).toBeNull();
    await get(`/services/${uuidFor(`${feed.url}:service`, '1502')}`).expect(200);
  });
});

describe('everything served', () => {
  officialIt('validates against the official schemas, every record at its /{id}', async () => {
    for (const [path, schema] of [
      ['/services', 'service.json'],
      ['/service_at_locations', 'service_at_location.json'],
      ['/organizations', 'organization.json'],
      ['/taxonomies', 'taxonomy.json'],
      ['/taxonomy_terms', 'taxonomy_term.json'],
    ]) {
      const { body } = await get(`${path}?per_page=1000`).expect(200);
      expect(body.contents.length).toBeGreaterThan(0);
      for (const { id } of body.contents as Doc[]) {
        const record = (await get(`${path}/${id}`).expect(200)).body;
        expect({ path, id, errors: officialErrors(schema, record) }).toEqual({
          path,
          id,
          errors: [],
        });
      }
    }
  });

  it('every stored service is reachable by its id', async () => {
    const rows = await t.db.query<{ id: string }[]>('SELECT id FROM service');
    expect(rows.length).toBeGreaterThan(10);
    for (const { id } of rows) await get(`/services/${id}`).expect(200);
  });
});
