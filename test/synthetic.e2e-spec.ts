import { execFile } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { generateServices, readTaxonomies, ServiceDocument } from '../seed/synthetic/generate';
import { parseOptions, UsageError } from '../seed/synthetic/options';
import { projectRoot } from '../src/config/config';
import { LoadResult, Loader } from '../src/hsds/loader';
import { SERVICE_FULL, TAXONOMY_FULL } from '../src/hsds/shapes';
import { createTestApp, TestApp } from './support/app';
import { emptyValues, officialErrors, officialIt, openApiErrors } from './support/oruk-schemas';

type Doc = Record<string, any>;

const SERVICES = 300;
const SEED = 42;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A format-valid UK postcode: outward code, space, inward code. */
const POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$/;

/** Every object with an `id` in a document, with the key it is under. */
function records(value: unknown, key = ''): { key: string; record: Doc }[] {
  if (Array.isArray(value)) return value.flatMap((v) => records(v, key));
  if (!value || typeof value !== 'object') return [];
  const own = 'id' in value ? [{ key, record: value as Doc }] : [];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => records(v, k))];
}

async function loadInBatches(loader: Loader, docs: unknown[], batch = 100): Promise<LoadResult> {
  const total: LoadResult = { created: [], updated: [], unchanged: [], rejected: [] };
  for (let i = 0; i < docs.length; i += batch) {
    const result = await loader.load(SERVICE_FULL, docs.slice(i, i + batch));
    total.created.push(...result.created);
    total.updated.push(...result.updated);
    total.unchanged.push(...result.unchanged);
    total.rejected.push(...result.rejected);
  }
  return total;
}

/** Runs `npm run seed:synthetic -- …` as npm would, on `databaseUrl`. */
function command(
  args: string[],
  databaseUrl: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsNode = join(projectRoot(), 'node_modules', 'ts-node', 'dist', 'bin.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsNode, '--transpile-only', 'seed/synthetic/main.ts', ...args],
      {
        cwd: projectRoot(),
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the synthetic data generator (seed/synthetic)', () => {
  const docs: ServiceDocument[] = [...generateServices({ services: SERVICES, seed: SEED })];
  const taxonomies = readTaxonomies();
  const termIds = new Map(
    taxonomies.flatMap((t) => (t.taxonomy_terms ?? []).map((term) => [term.id, term] as const)),
  );
  const organizations = new Map(docs.map((d) => [d.organization.id, d.organization]));
  const locations = new Map(
    docs.flatMap((d) => d.service_at_locations.map((s) => [s.location.id, s.location] as const)),
  );

  describe('documents', () => {
    it('are the same for the same seed, ids included, and differ for another seed', () => {
      const again = [...generateServices({ services: SERVICES, seed: SEED })];
      expect(JSON.stringify(again)).toBe(JSON.stringify(docs));
      const other = [...generateServices({ services: SERVICES, seed: SEED + 1 })];
      const ids = new Set(docs.map((d) => d.id));
      expect(other.filter((d) => ids.has(d.id))).toEqual([]);
      expect(other.map((d) => d.name)).not.toEqual(docs.map((d) => d.name));
    });

    it('are generated lazily, one at a time', () => {
      const iterator = generateServices({ services: 1_000_000_000, seed: SEED });
      const first = iterator.next();
      expect(first.done).toBe(false);
      expect(first.value).toEqual(docs[0]);
      iterator.return(undefined);
    });

    it('have the requested count and v4-shaped ids, unique per record', () => {
      expect(docs).toHaveLength(SERVICES);
      const seen = new Map<string, Doc>();
      for (const { key, record } of docs.flatMap((d) => records(d))) {
        // Taxonomy terms come from taxonomies.json; everything else is generated.
        if (key !== 'taxonomy_term') expect(record.id).toMatch(UUID_V4);
        const earlier = seen.get(record.id);
        // An id seen twice is the same record (a shared organization, location or term).
        if (earlier) expect(record).toEqual(earlier);
        seen.set(record.id, record);
      }
      expect(new Set(docs.map((d) => d.id)).size).toBe(SERVICES);
    });

    it('share organizations (~services/6) and locations (~services/2) identically', () => {
      expect(organizations.size).toBeGreaterThan(SERVICES / 6 / 1.6);
      expect(organizations.size).toBeLessThan((SERVICES / 6) * 1.6);
      expect(locations.size).toBeGreaterThan(SERVICES / 2 / 1.6);
      expect(locations.size).toBeLessThan((SERVICES / 2) * 1.6);
      const servicesPerLocation = new Map<string, Set<string>>();
      for (const d of docs) {
        expect(d.organization_id).toBe(d.organization.id);
        expect(d.organization).toEqual(organizations.get(d.organization.id));
        for (const sal of d.service_at_locations) {
          expect(sal.location).toEqual(locations.get(sal.location.id));
          servicesPerLocation.set(
            sal.location.id,
            (servicesPerLocation.get(sal.location.id) ?? new Set()).add(d.organization_id),
          );
        }
      }
      // A location is shared only between services of one organization.
      expect([...servicesPerLocation.values()].every((orgs) => orgs.size === 1)).toBe(true);
      expect([...servicesPerLocation.values()].length).toBe(locations.size);
    });

    it('look like a UK directory: towns, postcodes, coordinates', () => {
      const cities = new Set<string>();
      for (const location of locations.values()) {
        if (location.location_type !== 'physical') continue;
        expect(location.latitude).toBeGreaterThan(49.8);
        expect(location.latitude).toBeLessThan(60.9);
        expect(location.longitude).toBeGreaterThan(-8.7);
        expect(location.longitude).toBeLessThan(1.8);
        for (const address of location.addresses as Doc[]) {
          expect(address).toMatchObject({ country: 'GB', address_type: 'physical' });
          expect(address.postal_code).toMatch(POSTCODE);
          expect(address.address_1).toEqual(expect.any(String));
          expect(address.state_province).toEqual(expect.any(String));
          cities.add(address.city);
        }
      }
      expect(cities.size).toBeGreaterThan(20);
    });

    it('vary the fields that filters use', () => {
      const statuses = new Set(docs.map((d) => d.status));
      expect(statuses.has('active')).toBe(true);
      expect(statuses.size).toBeGreaterThanOrEqual(3);
      expect(docs.filter((d) => d.status === 'active').length).toBeGreaterThan(SERVICES * 0.75);
      const withAges = docs.filter(
        (d) => d.minimum_age !== undefined || d.maximum_age !== undefined,
      );
      expect(withAges.length).toBeGreaterThan(SERVICES * 0.3);
      expect(withAges.length).toBeLessThan(SERVICES * 0.7);
      for (const d of withAges) {
        if (d.minimum_age !== undefined && d.maximum_age !== undefined)
          expect(d.minimum_age).toBeLessThanOrEqual(d.maximum_age as number);
      }
      const schedules: Doc[] = docs.flatMap((d) => (d.schedules as Doc[] | undefined) ?? []);
      expect(
        schedules.some((s) => s.freq === 'WEEKLY' && /^(MO|TU|WE|TH|FR|SA|SU)(,|$)/.test(s.byday)),
      ).toBe(true);
      expect(
        schedules.some((s) => s.freq === 'MONTHLY' && /^-?\d(MO|TU|WE|TH|FR|SA|SU)/.test(s.byday)),
      ).toBe(true);
      expect(schedules.some((s) => s.valid_from && s.valid_to && s.valid_from < s.valid_to)).toBe(
        true,
      );
      for (const s of schedules) {
        expect(s.opens_at).toMatch(/^\d{2}:\d{2}:00$/);
        expect(s.closes_at).toMatch(/^\d{2}:\d{2}:00$/);
      }
      const areas: Doc[] = docs.flatMap((d) => (d.service_areas as Doc[] | undefined) ?? []);
      const polygons = areas.filter((a) => a.extent_type === 'geojson');
      expect(polygons.length).toBeGreaterThan(0);
      for (const area of polygons) {
        const extent = JSON.parse(area.extent);
        expect(extent.type).toBe('Polygon');
        expect(extent.coordinates[0][0]).toEqual(extent.coordinates[0].at(-1));
      }
      const languages = docs.flatMap((d) => (d.languages as Doc[] | undefined) ?? []);
      expect(new Set(languages.map((l) => l.code)).size).toBeGreaterThan(5);
      expect(new Set(docs.map((d) => d.name)).size).toBeGreaterThan(SERVICES * 0.9);
    });

    it('classify every service with 1–4 real terms of both taxonomies, parents and children', () => {
      const used = new Set<string>();
      for (const d of docs) {
        expect(d.service_at_locations.length).toBeGreaterThanOrEqual(1);
        expect(d.service_at_locations.length).toBeLessThanOrEqual(3);
        expect(d.attributes.length).toBeGreaterThanOrEqual(1);
        expect(d.attributes.length).toBeLessThanOrEqual(4);
        for (const a of d.attributes) {
          const term = termIds.get(a.taxonomy_term_id);
          expect(term).toBeDefined();
          // The nested term is the one in taxonomies.json, so loading it changes nothing.
          expect(a.taxonomy_term).toEqual(term);
          used.add(a.taxonomy_term_id);
        }
      }
      const terms = [...used].map((id) => termIds.get(id)!);
      expect(new Set(terms.map((t) => t.taxonomy_id)).size).toBe(taxonomies.length);
      expect(terms.some((t) => t.parent_id === undefined)).toBe(true);
      expect(terms.some((t) => t.parent_id !== undefined)).toBe(true);
    });
  });

  describe('loaded through the loader', () => {
    let t: TestApp;
    let loader: Loader;
    let first: LoadResult;
    beforeAll(async () => {
      t = await createTestApp();
      loader = new Loader(t.db);
      const taxonomyResult = await loader.load(TAXONOMY_FULL, taxonomies);
      expect(taxonomyResult.rejected).toEqual([]);
      first = await loadInBatches(loader, docs);
    });
    afterAll(() => t.close());

    const ids = docs.map((d) => d.id);
    const count = async (table: string, idList: string[]) =>
      Number(
        (
          await t.db.query(`SELECT count(*) AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [
            idList,
          ])
        )[0].n,
      );

    it('are all accepted and created', async () => {
      expect(first.rejected).toEqual([]);
      expect(first.created.sort()).toEqual([...ids].sort());
      expect(await count('service', ids)).toBe(SERVICES);
      expect(await count('organization', [...organizations.keys()])).toBe(organizations.size);
      expect(await count('location', [...locations.keys()])).toBe(locations.size);
    });

    it('keep the publisher’s last_modified', async () => {
      const rows: { id: string; v: string }[] = await t.db.query(
        `SELECT id, to_json(last_modified)#>>'{}' AS v FROM service WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const given = new Map(docs.map((d) => [d.id, Date.parse(d.last_modified as string)]));
      for (const row of rows) expect(Date.parse(row.v)).toBe(given.get(row.id));
    });

    it('change nothing when loaded again', async () => {
      const snapshot = () =>
        t.db.query(
          `SELECT md5(string_agg(s::text, ',' ORDER BY id)) AS services FROM service s WHERE id = ANY($1::uuid[])`,
          [ids],
        );
      const before = await snapshot();
      const again = await loadInBatches(loader, docs, 150);
      expect(again.rejected).toEqual([]);
      expect(again.created).toEqual([]);
      expect(again.updated).toEqual([]);
      expect(again.unchanged).toHaveLength(SERVICES);
      expect(await snapshot()).toEqual(before);
    });

    const sample = () => [0, 1, 57, 150, SERVICES - 1].map((i) => docs[i]);

    it('come back from /services/{id} as generated, valid against our OpenAPI', async () => {
      for (const doc of sample()) {
        const { body } = await request(t.http).get(`/services/${doc.id}`).expect(200);
        expect(emptyValues(body)).toEqual([]);
        expect({ id: doc.id, errors: openApiErrors('ServiceFull', body) }).toEqual({
          id: doc.id,
          errors: [],
        });
        expect(body).toMatchObject({
          id: doc.id,
          name: doc.name,
          status: doc.status,
          organization: { id: doc.organization_id, name: doc.organization.name },
        });
        const sorted = (list: Doc[] | undefined) => (list ?? []).map((x) => x.id).sort();
        for (const key of ['service_at_locations', 'schedules', 'attributes', 'contacts']) {
          expect({ key, ids: sorted(body[key]) }).toEqual({ key, ids: sorted(doc[key] as Doc[]) });
        }
      }
    });

    officialIt('validate against the official service.json', async () => {
      for (const doc of sample()) {
        const { body } = await request(t.http).get(`/services/${doc.id}`).expect(200);
        expect({ id: doc.id, errors: officialErrors('service.json', body) }).toEqual({
          id: doc.id,
          errors: [],
        });
      }
    });

    describe('npm run seed:synthetic', () => {
      it('loads N services, then finds them unchanged', async () => {
        const url = t.database.url;
        const run1 = await command(['--services', '25', '--seed', '7', '--batch', '10'], url);
        expect(run1.stderr).not.toMatch(/Rejected/);
        expect(run1.code).toBe(0);
        expect(run1.stdout.trim().split('\n')).toEqual([
          expect.stringMatching(
            /^synthetic services \(seed 7\): 25 created, 0 updated, 0 unchanged, 0 rejected in [\d.]+ s \(\d+ services\/s\)$/,
          ),
        ]);
        const run2 = await command(['--services', '25', '--seed', '7'], url);
        expect(run2.code).toBe(0);
        expect(run2.stdout).toMatch(/: 0 created, 0 updated, 25 unchanged, 0 rejected in /);
      });

      it('refuses a bad command line with exit code 2', async () => {
        const result = await command(['--services', '0'], t.database.url);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^--services must be an integer >= 1, not "0"\n\nUsage:/);
      });
    });
  });
});

describe('seed:synthetic options', () => {
  it('defaults --seed to 1 and --batch to 500', () => {
    expect(parseOptions(['--services', '100000'])).toEqual({
      services: 100000,
      seed: 1,
      batch: 500,
      help: false,
    });
    expect(parseOptions(['--services=10', '--seed=3', '--batch=50'])).toMatchObject({
      services: 10,
      seed: 3,
      batch: 50,
    });
    expect(parseOptions(['--help']).help).toBe(true);
  });

  it.each([
    [[], '--services N is required'],
    [['--services'], "Option '--services <value>' argument missing"],
    [['--services', '0'], '--services must be an integer >= 1, not "0"'],
    [['--services', '1e3'], '--services must be an integer >= 1, not "1e3"'],
    [['--services', '10', '--seed=-1'], '--seed must be an integer >= 0, not "-1"'],
    [['--services', '10', '--batch', '0'], '--batch must be an integer from 1 to 10000, not "0"'],
    [['--services', '10', '--bogus'], "Unknown option '--bogus'"],
    [['--services', '10', 'extra'], 'Unexpected argument'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
