import request from 'supertest';
import { generateServices, readTaxonomies } from '../seed/synthetic/generate';
import { DataVersion } from '../src/database/data-version';
import { compactListCounts, Loader } from '../src/hsds/loader';
import { SERVICE_FULL, TAXONOMY_FULL } from '../src/hsds/shapes';
import { WHOLE_TABLE } from '../src/search/list-plan';
import { createTestApp, newerThan, TestApp, versionWhen } from './support/app';

/**
 * The counts and facets the write path keeps (migration 1795586130893, docs/scale.md),
 * checked against counts made here from the tables themselves, on the seed data and 1,500
 * synthetic services: enough that the pages of the commoner terms walk the name order and
 * those of the rarer ones collect their matches (ListPlan.few), and a list read page by page
 * changes between the two ways as its pages go deeper.
 */
const SERVICES = 1500;

type Counts = Record<string, number>;

describe('counts kept by the write path', () => {
  let t: TestApp;
  let loader: Loader;
  const taxonomies = readTaxonomies();
  const docs = [...generateServices({ services: SERVICES, seed: 7, taxonomies })];

  beforeAll(async () => {
    t = await createTestApp();
    loader = new Loader(t.db);
    expect((await loader.load(TAXONOMY_FULL, taxonomies)).rejected).toEqual([]);
    for (let i = 0; i < docs.length; i += 250)
      expect((await loader.load(SERVICE_FULL, docs.slice(i, i + 250))).rejected).toEqual([]);
    await t.db.query('ANALYZE service, service_facet');
  });
  afterAll(() => t.close());

  /** Runs `sql` in a transaction, and resolves once the app has seen it committed. */
  async function write(sql: string, params: unknown[] = []): Promise<void> {
    const before = t.app.get(DataVersion).current;
    await t.db.transaction((m) => m.query(sql, params));
    await versionWhen(t, newerThan(before));
  }

  /** Every count as the triggers keep it: kind|value → the sum of its rows, when not 0. */
  async function kept(): Promise<Counts> {
    const rows = await t.db.query<{ key: string; n: string }[]>(
      `SELECT kind || '|' || value AS key, sum(n) AS n FROM list_count
       GROUP BY kind, value HAVING sum(n) <> 0`,
    );
    return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
  }

  /**
   * The same counts made from the tables, without the facets: a term counts the services
   * with an attribute of it or of any term below it (through parent_id, to any depth).
   */
  async function made(): Promise<Counts> {
    const rows = await t.db.query<{ key: string; n: string }[]>(
      `WITH RECURSIVE roots(id) AS (
         SELECT id FROM taxonomy_term UNION SELECT parent_id FROM taxonomy_term WHERE parent_id IS NOT NULL),
       below(root, id) AS (
         SELECT id, id FROM roots
         UNION SELECT b.root, t.id FROM taxonomy_term t JOIN below b ON t.parent_id = b.id),
       services AS (SELECT s.id, s.organization_id FROM service s),
       tagged AS (
         SELECT a.taxonomy_term_id AS term_id, s.id AS service_id FROM attribute a
         JOIN services s ON s.id = a.link_id WHERE a.link_entity = 'service')
       SELECT 'taxonomy_term_id|' || b.root AS key, count(DISTINCT g.service_id) AS n
         FROM below b JOIN tagged g ON g.term_id = b.id GROUP BY b.root
       UNION ALL
       SELECT 'taxonomy_id|' || t.taxonomy_id, count(DISTINCT g.service_id)
         FROM tagged g JOIN taxonomy_term t ON t.id = g.term_id
         WHERE t.taxonomy_id IS NOT NULL GROUP BY t.taxonomy_id
       UNION ALL
       SELECT 'organization_id|' || organization_id, count(*) FROM services
         WHERE organization_id IS NOT NULL GROUP BY organization_id
       UNION ALL SELECT 'service|${WHOLE_TABLE}', count(*) FROM service HAVING count(*) > 0
       UNION ALL SELECT 'service_at_location|${WHOLE_TABLE}', count(*) FROM service_at_location HAVING count(*) > 0
       UNION ALL SELECT 'organization|${WHOLE_TABLE}', count(*) FROM organization HAVING count(*) > 0`,
    );
    return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
  }

  const expectExact = async () => expect(await kept()).toEqual(await made());

  /** total_items of a list, asked fresh. */
  async function total(path: string): Promise<number> {
    const res = await request(t.http).get(path).set('Cache-Control', 'no-cache').expect(200);
    return res.body.total_items as number;
  }

  /** The ids the list's pages hold, read page by page (`per_page` each), in order. */
  async function pagesOf(path: string, perPage: number): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await request(t.http)
        .get(`${path}${sep}per_page=${perPage}&page=${page}`)
        .set('Cache-Control', 'no-cache')
        .expect(200);
      ids.push(...res.body.contents.map((s: { id: string }) => s.id));
      if (res.body.last_page) return ids;
    }
  }

  /** The ids of the services meeting `where` (on service s), in the list's order. */
  async function servicesWhere(where: string, params: unknown[]): Promise<string[]> {
    const rows = await t.db.query<{ id: string }[]>(
      `SELECT s.id FROM service s WHERE ${where} ORDER BY s.name, s.id`,
      params,
    );
    return rows.map((r) => r.id);
  }

  const underTerms = `s.id IN (SELECT a.link_id FROM attribute a WHERE a.link_entity = 'service'
    AND a.taxonomy_term_id IN (WITH RECURSIVE d(id) AS (SELECT unnest($1::uuid[])
      UNION SELECT t.id FROM taxonomy_term t JOIN d ON t.parent_id = d.id) SELECT id FROM d))`;
  const inTaxonomies = (p: string) => `s.id IN (SELECT a.link_id FROM attribute a
    JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
    WHERE a.link_entity = 'service' AND t.taxonomy_id = ANY(${p}::uuid[]))`;

  it('equal the counts made from the tables, for every term, taxonomy, organization and list', async () => {
    const counts = await kept();
    expect(counts[`service|${WHOLE_TABLE}`]).toBeGreaterThanOrEqual(SERVICES);
    expect(
      Object.keys(counts).filter((k) => k.startsWith('taxonomy_term_id|')).length,
    ).toBeGreaterThan(100);
    await expectExact();
  });

  it('answer total_items of every single filter, and the pages hold exactly what is counted', async () => {
    const made0 = await made();
    const terms = Object.keys(made0).filter((k) => k.startsWith('taxonomy_term_id|'));
    for (const key of terms)
      expect(await total(`/services?taxonomy_term_id=${key.split('|')[1]}`)).toBe(made0[key]);
    for (const key of Object.keys(made0).filter((k) => k.startsWith('taxonomy_id|')))
      expect(await total(`/services?taxonomy_id=${key.split('|')[1]}`)).toBe(made0[key]);
    expect(await total('/services')).toBe(made0[`service|${WHOLE_TABLE}`]);
    expect(await total('/service_at_locations')).toBe(made0[`service_at_location|${WHOLE_TABLE}`]);
    expect(await total('/organizations')).toBe(made0[`organization|${WHOLE_TABLE}`]);

    // The commonest and the rarest terms with services, read page by page: the common ones
    // walk the order (more matches than any page collects), the rare ones collect.
    const bySize = terms.filter((k) => made0[k] > 0).sort((a, b) => made0[b] - made0[a]);
    const chosen = [...bySize.slice(0, 3), ...bySize.slice(-3)].map((k) => k.split('|')[1]);
    expect(made0[`taxonomy_term_id|${chosen[0]}`]).toBeGreaterThan(600);
    expect(made0[`taxonomy_term_id|${chosen[5]}`]).toBeLessThan(500);
    for (const term of chosen) {
      const want = await servicesWhere(underTerms, [[term]]);
      expect(await pagesOf(`/services?taxonomy_term_id=${term}`, 100)).toEqual(want);
    }
  });

  it('leave combinations exact: counted as read, the same pages either way', async () => {
    const [{ term, other, taxonomy, organization }] = await t.db.query(
      `SELECT
         (SELECT value FROM service_facet WHERE kind = 't' GROUP BY value ORDER BY count(*) DESC LIMIT 1) AS term,
         (SELECT value FROM service_facet WHERE kind = 't' GROUP BY value ORDER BY count(*) DESC OFFSET 5 LIMIT 1) AS other,
         (SELECT value FROM service_facet WHERE kind = 'x' GROUP BY value ORDER BY count(*) LIMIT 1) AS taxonomy,
         (SELECT organization_id FROM service GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS organization`,
    );
    const cases: [string, string, unknown[]][] = [
      [`taxonomy_term_id=${term},${other}`, underTerms, [[term, other]]],
      [
        `taxonomy_term_id=${term}&taxonomy_id=${taxonomy}`,
        `${underTerms} AND ${inTaxonomies('$2')}`,
        [[term], [taxonomy]],
      ],
      [
        `taxonomy_term_id=${term}&minimum_age=18`,
        `${underTerms} AND s.minimum_age >= 18`,
        [[term]],
      ],
      [
        `taxonomy_term_id=${other}&organization_id=${organization}`,
        `${underTerms} AND s.organization_id = $2`,
        [[other], organization],
      ],
      [
        `taxonomy_id=${taxonomy}&maximum_age=16`,
        `${inTaxonomies('$1')} AND s.maximum_age <= 16`,
        [[taxonomy]],
      ],
    ];
    for (const [query, where, params] of cases) {
      const want = await servicesWhere(where, params);
      expect([query, await total(`/services?${query}`)]).toEqual([query, want.length]);
      expect([query, await pagesOf(`/services?${query}`, 100)]).toEqual([query, want]);
    }
  });

  it('are not written by a re-import of unchanged services', async () => {
    const rows = await t.db.query('SELECT count(*)::int AS n FROM list_count');
    const again = await loader.load(SERVICE_FULL, docs.slice(0, 300));
    expect(again.unchanged).toHaveLength(300);
    expect(await t.db.query('SELECT count(*)::int AS n FROM list_count')).toEqual(rows);
  });

  it('stay exact through every kind of write', async () => {
    const [leaf] = await t.db.query(
      `SELECT t.id, t.parent_id FROM taxonomy_term t
       WHERE t.parent_id IS NOT NULL AND EXISTS (SELECT 1 FROM attribute a WHERE a.taxonomy_term_id = t.id)
       ORDER BY t.id LIMIT 1`,
    );
    const [top] = await t.db.query(
      `SELECT id FROM taxonomy_term WHERE parent_id IS NULL AND id <> $1 ORDER BY id LIMIT 1`,
      [leaf.parent_id],
    );
    // A term moved to another parent: its services leave the old ancestors, join the new.
    await write('UPDATE taxonomy_term SET parent_id = $1 WHERE id = $2', [top.id, leaf.id]);
    await expectExact();
    expect(await total(`/services?taxonomy_term_id=${top.id}`)).toBe(
      (await made())[`taxonomy_term_id|${top.id}`],
    );
    // A term whose parent is published elsewhere, then that parent arriving under a known term.
    const missing = '6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    await write('UPDATE taxonomy_term SET parent_id = $1 WHERE id = $2', [missing, leaf.id]);
    await expectExact();
    await write(
      `INSERT INTO taxonomy_term (id, name, description, parent_id, taxonomy_id)
       SELECT $1, 'Arrived', 'A parent published late', $2, taxonomy_id FROM taxonomy_term WHERE id = $2`,
      [missing, top.id],
    );
    await expectExact();
    // Attributes removed and added, a service moved to another organization, one deleted.
    const [service] = await t.db.query(
      `SELECT s.id FROM service s WHERE EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = s.id)
       ORDER BY s.id LIMIT 1`,
    );
    await write(`DELETE FROM attribute WHERE link_id = $1`, [service.id]);
    await write(
      `INSERT INTO attribute (id, link_id, link_entity, taxonomy_term_id)
       VALUES (gen_random_uuid(), $1, 'service', $2), (gen_random_uuid(), $1, 'service', $3)`,
      [service.id, leaf.id, missing],
    );
    await expectExact();
    await write(
      `UPDATE service SET organization_id = (SELECT id FROM organization ORDER BY id DESC LIMIT 1)
       WHERE id = (SELECT id FROM service ORDER BY id LIMIT 1)`,
    );
    await write('DELETE FROM service WHERE id = $1', [service.id]);
    await expectExact();
    // A term deleted, its attributes with it (and the terms below it left without a parent).
    await write('DELETE FROM taxonomy_term WHERE id = $1', [missing]);
    await expectExact();
    expect(await total('/services')).toBe((await made())[`service|${WHOLE_TABLE}`]);
  });

  it('are exact in every snapshot: a load is counted when it commits, not before', async () => {
    const extra = [...generateServices({ services: 40, seed: 99, taxonomies })];
    const before = await total('/services');
    const runner = t.db.createQueryRunner();
    await runner.startTransaction();
    try {
      const { accepted } = loader.check(SERVICE_FULL, extra);
      const stored = await loader.store(SERVICE_FULL, accepted, runner.manager);
      expect(stored.created).toHaveLength(extra.length);
      // Another connection reads the counts as they were.
      expect(await total('/services')).toBe(before);
      await expect(kept()).resolves.toEqual(await made());
      const version = t.app.get(DataVersion).current;
      await runner.commitTransaction();
      await versionWhen(t, newerThan(version));
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await total('/services')).toBeGreaterThan(before);
    await expectExact();
  });

  it('are exact while an import runs: every answer counts whole transactions', async () => {
    const batch = 60;
    const extra = [...generateServices({ services: 5 * batch, seed: 123, taxonomies })];
    const base = await total('/services');
    let done = false;
    const seen = new Set<number>();
    // Read as fast as they come while the batches commit, beside the reads after each one.
    const reading = (async () => {
      while (!done) seen.add(await total('/services'));
    })();
    try {
      for (let i = 0; i < extra.length; i += batch) {
        const version = t.app.get(DataVersion).current;
        const result = await loader.load(SERVICE_FULL, extra.slice(i, i + batch));
        expect(result.created).toHaveLength(batch);
        await versionWhen(t, newerThan(version));
        expect(await total('/services')).toBe(base + i + batch);
      }
    } finally {
      done = true;
      await reading;
    }
    for (const n of seen) expect((n - base) % batch).toBe(0);
    expect(await total('/services')).toBe(base + extra.length);
    await expectExact();
  });

  it('are summed up by compaction, every count the same', async () => {
    const counts = await kept();
    const rows = async () =>
      (await t.db.query('SELECT count(*)::int AS n FROM list_count'))[0].n as number;
    const before = await rows();
    await compactListCounts(t.db);
    const [{ n, d }] = await t.db.query(
      'SELECT count(*)::int AS n, count(DISTINCT (kind, value))::int AS d FROM list_count',
    );
    expect(before).toBeGreaterThan(n);
    expect(n).toBe(d);
    expect(await kept()).toEqual(counts);
  });

  it('are rebuilt after a TRUNCATE of a table they rest on', async () => {
    await write('TRUNCATE attribute');
    await expectExact();
    expect(await total(`/services?taxonomy_id=${taxonomies[0].id}`)).toBe(0);
    await write('TRUNCATE service CASCADE');
    await expectExact();
    expect(await total('/services')).toBe(0);
  });
});
