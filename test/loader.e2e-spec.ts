import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config/config';
import { Loader } from '../src/hsds/loader';
import { SERVICE_FULL } from '../src/hsds/shapes';
import { seedDatabase } from '../src/import/seed';
import { createTestApp, TestApp } from './support/app';
import { officialIt, ORUK_SCHEMA_DIR } from './support/oruk-schemas';
import { Doc, seedServices } from './support/seed-data';

/** Links our documents add that the official example leaves implicit in the nesting. */
const LINK_FIELDS = [
  'organization_id',
  'service_id',
  'location_id',
  'contact_id',
  'service_at_location_id',
  'link_id',
  'link_entity',
  'taxonomy_term_id',
];

/** `output` without the link fields that `input` does not have, arrays sorted by id. */
function comparable(output: unknown, input: unknown): unknown {
  if (Array.isArray(output)) {
    const inputs = (input as Doc[]) ?? [];
    return sortById(output).map((o: Doc) =>
      comparable(
        o,
        inputs.find((i) => i.id === o.id),
      ),
    );
  }
  if (output && typeof output === 'object') {
    const given = (input ?? {}) as Doc;
    return Object.fromEntries(
      Object.entries(output)
        .filter(([key]) => key in given || !LINK_FIELDS.includes(key))
        .map(([key, value]) => [key, comparable(value, given[key])]),
    );
  }
  return output;
}

function sortById(value: unknown): any {
  if (Array.isArray(value))
    return [...value].map(sortById).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortById(v)]));
  return value;
}

describe('the loader (one write path) and the reader agree', () => {
  let t: TestApp;
  let loader: Loader;
  beforeAll(async () => {
    t = await createTestApp();
    loader = new Loader(t.db);
  });
  afterAll(() => t.close());

  const getService = (id: string) => request(t.http).get(`/services/${id}`);
  const lastModified = async (id: string): Promise<string> =>
    (
      await t.db.query(
        `SELECT to_char(last_modified, 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM service WHERE id = $1`,
        [id],
      )
    )[0].v;

  // First, before other tests change the data.
  it('is idempotent: seeding again changes nothing', async () => {
    const snapshot = () =>
      t.db
        .query(`SELECT (SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM service s) AS services,
                         (SELECT md5(string_agg(l::text, ',' ORDER BY id)) FROM location l) AS locations,
                         (SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM attribute a) AS attributes`);
    const before = await snapshot();
    const result = await seedDatabase(t.db, loadConfig().SEED_DIR);
    expect(result.services).toEqual({
      created: 0,
      updated: 0,
      unchanged: seedServices().length,
      rejected: 0,
    });
    const after = await snapshot();
    expect(after).toEqual(before);
  });

  describe('the official example service_full.json', () => {
    const example = (): Doc =>
      JSON.parse(
        readFileSync(join(ORUK_SCHEMA_DIR ?? '', '..', 'examples', 'service_full.json'), 'utf8'),
      );

    officialIt('is rejected as it stands: latitude 100 is not WGS84', async () => {
      const doc = example();
      const result = await loader.load(SERVICE_FULL, [doc]);
      expect(result.rejected).toEqual([
        {
          index: 0,
          id: doc.id,
          path: '/service_at_locations/0/location/latitude',
          reason: 'must be <= 90',
        },
      ]);
      await getService(doc.id).expect(404);
    });

    officialIt(
      'comes back the same from /services/{id} once its coordinates are valid',
      async () => {
        const doc = example();
        Object.assign(doc.service_at_locations[0].location, {
          latitude: 51.4545,
          longitude: -2.5879,
        });
        expect(await loader.load(SERVICE_FULL, [doc])).toMatchObject({
          created: [doc.id],
          rejected: [],
        });
        const { body } = await getService(doc.id).expect(200);
        expect(comparable(body, doc)).toEqual(sortById(doc));
        expect(body.organization_id).toBe(doc.organization.id);
      },
    );
  });

  it('returns every seed service as its seed document (plus the links its nesting implies)', async () => {
    for (const doc of seedServices()) {
      const { body } = await getService(doc.id).expect(200);
      expect(comparable(body, doc)).toEqual(sortById(doc));
    }
  });

  it('rejects a bad record whole, with its path and reason, and stores the good ones around it', async () => {
    const [a, b, c] = seedServices()
      .slice(0, 3)
      .map((d): Doc => ({
        ...structuredClone(d),
        id: crypto.randomUUID(),
        last_modified: undefined,
      }));
    for (const d of [a, b, c]) {
      d.service_at_locations = [];
      d.schedules =
        d.contacts =
        d.service_areas =
        d.languages =
        d.funding =
        d.cost_options =
        d.attributes =
        d.phones =
          [];
    }
    b.name = 'Should not be stored';
    b.attributes = [{ id: crypto.randomUUID(), taxonomy_term_id: crypto.randomUUID() }];
    const result = await loader.load(SERVICE_FULL, [a, b, c]);
    expect(result.created.sort()).toEqual([a.id, c.id].sort());
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ index: 1, id: b.id, path: '/attribute' });
    expect(result.rejected[0].reason).toMatch(
      /FK_attribute_taxonomy_term_id[\s\S]*is not present in table "taxonomy_term"/,
    );
    await getService(b.id).expect(404);
    await getService(a.id).expect(200);
  });

  it('refuses values the schema forbids, naming each path, and reads null and "" as absent', async () => {
    const doc = { ...structuredClone(seedServices()[0]), id: crypto.randomUUID() };
    Object.assign(doc, {
      status: 'open',
      email: 'not-an-email',
      url: 'www.example.org',
      description: null,
      alert: '',
    });
    const result = await loader.load(SERVICE_FULL, [doc]);
    expect(result.rejected.map((r) => [r.path, r.reason])).toEqual([
      ['/url', 'must match format "uri"'],
      ['/email', 'must match format "email"'],
      ['/status', 'must be one of: active, inactive, defunct, temporarily closed'],
    ]);
  });

  it('refuses a nested record whose link contradicts its nesting', async () => {
    const doc = structuredClone(seedServices().find((d) => d.schedules?.length)!);
    doc.schedules[0].service_id = crypto.randomUUID();
    const result = await loader.load(SERVICE_FULL, [doc]);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        path: '/schedules/0/service_id',
        reason: expect.stringContaining('contradicts the enclosing record'),
      }),
    ]);
  });

  it('replaces a service’s children with the document’s and moves last_modified on', async () => {
    const doc = structuredClone(seedServices().find((d) => d.schedules?.length)!);
    const before = await lastModified(doc.id);
    const kept = doc.schedules.slice(1);
    const added = {
      ...doc.schedules[0],
      id: crypto.randomUUID(),
      byday: 'SA',
      description: 'Saturday mornings',
    };
    doc.schedules = [...kept, added];
    delete doc.last_modified;
    const loading = Date.now();
    expect(await loader.load(SERVICE_FULL, [doc])).toMatchObject({
      updated: [doc.id],
      rejected: [],
    });
    const { body } = await getService(doc.id).expect(200);
    expect(body.schedules.map((s: Doc) => s.id).sort()).toEqual(
      [...kept, added].map((s) => s.id).sort(),
    );
    expect(await lastModified(doc.id)).not.toEqual(before);
    // Stamped as it was written (same clock; the stored value keeps milliseconds).
    expect(new Date(body.last_modified).getTime()).toBeGreaterThanOrEqual(loading - 1);
  });

  describe('service.last_modified follows changes made by any means', () => {
    it('moves when a nested record changes, and not for an update that changes nothing', async () => {
      const [schedule] = await t.db.query(
        'SELECT id, service_id FROM schedule ORDER BY id LIMIT 1',
      );
      const before = await lastModified(schedule.service_id);
      await t.db.query('UPDATE schedule SET description = description WHERE id = $1', [
        schedule.id,
      ]);
      expect(await lastModified(schedule.service_id)).toBe(before);
      await t.db.query(`UPDATE schedule SET description = 'Changed by SQL' WHERE id = $1`, [
        schedule.id,
      ]);
      expect(await lastModified(schedule.service_id)).not.toBe(before);
    });

    it('moves for every service of an organization whose details change', async () => {
      const [org] = await t.db.query(
        'SELECT organization_id AS id FROM service GROUP BY organization_id HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 1',
      );
      await t.db.query(
        `UPDATE service SET last_modified = '2020-01-01' WHERE organization_id = $1`,
        [org.id],
      );
      await t.db.query(
        `UPDATE organization SET description = description || ' (updated)' WHERE id = $1`,
        [org.id],
      );
      const rows = await t.db.query(
        `SELECT last_modified > now() - interval '1 minute' AS fresh FROM service WHERE organization_id = $1`,
        [org.id],
      );
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.every((r: { fresh: boolean }) => r.fresh)).toBe(true);
    });

    it('moves when an address of one of its locations changes', async () => {
      const [row] = await t.db.query(
        'SELECT a.id, sal.service_id FROM address a JOIN service_at_location sal USING (location_id) LIMIT 1',
      );
      await t.db.query(`UPDATE service SET last_modified = '2020-01-01' WHERE id = $1`, [
        row.service_id,
      ]);
      await t.db.query(`UPDATE address SET attention = 'Reception' WHERE id = $1`, [row.id]);
      expect(await lastModified(row.service_id)).not.toMatch(/^2020-01-01/);
    });
  });
});
