import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { officialErrors, officialIt, openApiErrors } from './support/oruk-schemas';
import { Doc, ids, seedServices, seedTaxonomies } from './support/seed-data';

/**
 * Every ORUK 3.0 endpoint (docs/standard.md, "Endpoints"): the records each list holds, the shapes of
 * list items and of /{id} bodies (§1.6), checked against the seed documents and against
 * the official schemas and our own OpenAPI document.
 */
const LISTS = [
  // path, official list schema, official item schema, our page schema, our /{id} schema
  ['/services', 'service_list.json', 'service.json', 'ServicePage', 'ServiceFull'],
  [
    '/service_at_locations',
    'service_at_location_list.json',
    'service_at_location.json',
    'ServiceAtLocationPage',
    'ServiceAtLocationFull',
  ],
  [
    '/organizations',
    'organization_list.json',
    'organization.json',
    'OrganizationPage',
    'OrganizationWithServices',
  ],
  ['/taxonomies', 'taxonomy_list.json', 'taxonomy.json', 'TaxonomyPage', 'TaxonomyFull'],
  [
    '/taxonomy_terms',
    'taxonomy_term_list.json',
    'taxonomy_term.json',
    'TaxonomyTermPage',
    'TaxonomyTerm',
  ],
] as const;

describe('every endpoint', () => {
  let t: TestApp;
  const services = seedServices();
  const taxonomies = seedTaxonomies();
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path);
  const all = async (path: string): Promise<Doc[]> =>
    (await get(`${path}${path.includes('?') ? '&' : '?'}per_page=1000`).expect(200)).body.contents;

  // Independent expectations from the seed documents.
  const unique = (records: Doc[]) => [...new Map(records.map((r) => [r.id, r])).values()];
  const sals = services.flatMap((s) => s.service_at_locations as Doc[]);
  const organizations = unique(services.map((s) => s.organization));
  const terms = taxonomies.flatMap((x) => x.taxonomy_terms as Doc[]);

  it.each([
    ['/services', () => services],
    ['/service_at_locations', () => sals],
    ['/organizations', () => organizations],
    ['/taxonomies', () => taxonomies],
    ['/taxonomy_terms', () => terms],
  ])('%s lists every record of the seed, once', async (path, expected) => {
    const contents = await all(path);
    expect(ids(contents)).toEqual(ids(expected()));
  });

  describe.each(LISTS)('%s', (path, officialList, officialItem, ourPage, ourRecord) => {
    officialIt(`pages validate against the official ${officialList}`, async () => {
      for (const query of ['', '?per_page=1000', '?full=true&per_page=1000', '?page=999']) {
        const { body } = await get(`${path}${query}`).expect(200);
        expect(officialErrors(officialList, body)).toEqual([]);
      }
    });

    it(`pages validate against our ${ourPage}`, async () => {
      for (const query of ['?per_page=1000', '?full=true&per_page=1000']) {
        const { body } = await get(`${path}${query}`).expect(200);
        expect(openApiErrors(ourPage, body)).toEqual([]);
      }
    });

    it('every record of page 1 resolves at /{id}, schema-valid', async () => {
      const { body } = await get(`${path}?per_page=1000`).expect(200);
      for (const { id } of body.contents as Doc[]) {
        const record = (await get(`${path}/${id}`).expect(200)).body;
        expect(record.id).toBe(id);
        expect({ id, errors: openApiErrors(ourRecord, record) }).toEqual({ id, errors: [] });
        if (process.env.ORUK_SCHEMA_DIR) {
          expect({ id, errors: officialErrors(officialItem, record) }).toEqual({ id, errors: [] });
        }
      }
    });

    it('full=true items are the /{id} bodies (where the endpoint has full)', async () => {
      const { body } = await get(`${path}?full=true&per_page=20`).expect(200);
      for (const item of body.contents as Doc[]) {
        const { body: record } = await get(`${path}/${item.id}`).expect(200);
        if (path === '/taxonomies' || path === '/taxonomy_terms') {
          // No full parameter there: list items stay flat.
          expect(item).toEqual(expect.objectContaining({ id: record.id, name: record.name }));
        } else {
          expect(item).toEqual(record);
        }
      }
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await get(`${path}/${unknown}`).expect(404)).body.message).toMatch(unknown);
      expect((await get(`${path}/nope`).expect(400)).body.message).toBe('id must be a UUID');
    });
  });

  it('/services/{id} is the seed document; the list item is its scalars and flat organization', async () => {
    const doc = services[7];
    const { body: item } = await get(
      `/services?organization_id=${doc.organization.id}&per_page=1000`,
    ).expect(200);
    const listed = item.contents.find((s: Doc) => s.id === doc.id);
    expect(listed.organization).toEqual(
      Object.fromEntries(Object.entries(doc.organization).filter(([, v]) => typeof v !== 'object')),
    );
    expect(listed.service_at_locations).toBeUndefined();
    expect(listed.name).toBe(doc.name);
  });

  it('/service_at_locations items: flat location, service with flat organization', async () => {
    const contents = await all('/service_at_locations');
    for (const sal of contents) {
      const service = services.find((s) =>
        s.service_at_locations.some((x: Doc) => x.id === sal.id),
      )!;
      const location = service.service_at_locations.find((x: Doc) => x.id === sal.id).location;
      expect(sal.service_id).toBe(service.id);
      expect(sal.location_id).toBe(location.id);
      expect(sal.location.id).toBe(location.id);
      expect(sal.location.addresses).toBeUndefined();
      expect(sal.service.id).toBe(service.id);
      expect(sal.service.organization.id).toBe(service.organization.id);
      expect(sal.service.schedules).toBeUndefined();
    }
  });

  it('/service_at_locations/{id}: full location, full service without its locations', async () => {
    const service = services.find((s) => s.service_at_locations.length > 1)!;
    const sal = service.service_at_locations[0];
    const { body } = await get(`/service_at_locations/${sal.id}`).expect(200);
    expect(body.location.id).toBe(sal.location.id);
    expect(ids(body.location.addresses)).toEqual(ids(sal.location.addresses));
    expect(body.service.id).toBe(service.id);
    expect(body.service.service_at_locations).toBeUndefined();
    expect(ids(body.service.contacts ?? [])).toEqual(ids(service.contacts ?? []));
    expect(body.service.organization.id).toBe(service.organization.id);
  });

  it('/organizations/{id}: identifiers and the services it provides, flat or full', async () => {
    const organization = organizations.find((o) => o.organization_identifiers?.length)!;
    const provided = services.filter((s) => s.organization.id === organization.id);
    const { body } = await get(`/organizations/${organization.id}`).expect(200);
    expect(ids(body.organization_identifiers)).toEqual(ids(organization.organization_identifiers));
    expect(ids(body.services)).toEqual(ids(provided));
    expect(body.services[0].service_at_locations).toBeUndefined();
    const { body: full } = await get(`/organizations/${organization.id}?full_service=true`).expect(
      200,
    );
    expect(ids(full.services)).toEqual(ids(provided));
    const one = full.services.find((s: Doc) => s.id === provided[0].id);
    expect(ids(one.service_at_locations)).toEqual(ids(provided[0].service_at_locations));
    expect(one.organization).toBeUndefined();
    expect(
      (await get(`/organizations/${organization.id}?full_service=maybe`).expect(400)).body.message,
    ).toBe('full_service must be a boolean value');
  });

  it('/taxonomies/{id} has all its terms; /taxonomy_terms/{id} is the flat term', async () => {
    for (const taxonomy of taxonomies) {
      const { body } = await get(`/taxonomies/${taxonomy.id}`).expect(200);
      expect(ids(body.taxonomy_terms)).toEqual(ids(taxonomy.taxonomy_terms));
    }
    const term = terms.find((x) => x.parent_id)!;
    const { body } = await get(`/taxonomy_terms/${term.id}`).expect(200);
    expect(body).toEqual(term);
  });

  it('a fixed number of statements for every list and record, whatever the size', async () => {
    const count = async (path: string) => {
      // Built afresh: nothing kept from earlier requests (src/http/caching.ts, the counts of
      // src/search/record-reader.ts) for the data as it is now.
      await t.dataChanged();
      const before = t.statements();
      await get(path).expect(200);
      return t.statements() - before;
    };
    for (const [path] of LISTS) {
      expect(await count(`${path}?per_page=1`)).toBe(2);
      expect(await count(`${path}?per_page=1000&full=true`)).toBe(2);
      const [{ id }] = (await get(`${path}?per_page=1`)).body.contents;
      expect(await count(`${path}/${id}`)).toBe(1);
    }
  });
});
