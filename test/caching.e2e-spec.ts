import request from 'supertest';
import { Client } from 'pg';
import { DataVersion } from '../src/database/data-version';
import { Loader } from '../src/hsds/loader';
import { SERVICE_FULL } from '../src/hsds/shapes';
import { createTestApp, newerThan, TestApp, versionWhen } from './support/app';

/**
 * HTTP caching (docs/caching.md): strong ETags from the data version, 304s without a
 * statement, Last-Modified once its second is over, Cache-Control, answers kept ready, and
 * all of it following changes made by any writer, seen by two servers on one database.
 */

describe('HTTP caching', () => {
  let a: TestApp;
  let b: TestApp;
  let writer: Client;
  let serviceId: string;

  beforeAll(async () => {
    a = await createTestApp();
    // A second server on the same database, as a second process or replica would be.
    b = await createTestApp({}, () => a.database.url);
    writer = new Client({ connectionString: a.database.url });
    await writer.connect();
    await Promise.all([versionWhen(a, Boolean), versionWhen(b, Boolean)]);
    const [row] = await a.db.query(
      `SELECT s.id FROM service s WHERE EXISTS (SELECT 1 FROM phone p JOIN contact c ON c.id = p.contact_id WHERE c.service_id = s.id)
         AND EXISTS (SELECT 1 FROM attribute x WHERE x.link_entity = 'service' AND x.link_id = s.id) ORDER BY s.id LIMIT 1`,
    );
    serviceId = row.id;
  });
  afterAll(async () => {
    await writer?.end();
    await b?.close();
    await a?.close();
  });

  /** Commits a change through a connection of its own and waits until both servers saw it. */
  async function change(sql: string, params: unknown[] = []): Promise<void> {
    const before = a.app.get(DataVersion).current;
    await writer.query(sql, params);
    await Promise.all([versionWhen(a, newerThan(before)), versionWhen(b, newerThan(before))]);
  }

  it('gives every list and record a strong ETag and Cache-Control, the same from both servers', async () => {
    for (const path of [
      '/services?per_page=2',
      `/services/${serviceId}`,
      '/service_at_locations',
      '/organizations',
      '/taxonomies',
      '/taxonomy_terms?per_page=3',
    ]) {
      const one = await request(a.http).get(path).expect(200);
      const two = await request(b.http).get(path).expect(200);
      expect(one.headers.etag).toMatch(/^"[0-9a-f]{12}\.\d+\.[\w-]{16}"$/);
      expect(two.headers.etag).toBe(one.headers.etag);
      expect(one.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
      expect(two.body).toEqual(one.body);
    }
    const [list, record] = await Promise.all([
      request(a.http).get('/services?per_page=3'),
      request(a.http).get('/services?per_page=2'),
    ]);
    expect(list.headers.etag).not.toBe(record.headers.etag);
  });

  it('answers If-None-Match with a 304 and no statement, and anything else in full', async () => {
    const path = `/services/${serviceId}`;
    const { headers } = await request(a.http).get(path).expect(200);
    for (const inm of [headers.etag, `W/${headers.etag}`, `"x", ${headers.etag}`, '*']) {
      const before = a.statements();
      const res = await request(a.http).get(path).set('If-None-Match', inm).expect(304);
      expect(a.statements()).toBe(before);
      expect(res.text).toBe('');
      expect(res.headers.etag).toBe(headers.etag);
      expect(res.headers['cache-control']).toBe(headers['cache-control']);
    }
    // The other server agrees: the ETag is the data's, not one process's.
    await request(b.http).get(path).set('If-None-Match', headers.etag).expect(304);
    const other = await request(a.http).get(path).set('If-None-Match', '"nope"').expect(200);
    expect(other.body.id).toBe(serviceId);
    await request(a.http).head(path).set('If-None-Match', headers.etag).expect(304);
  });

  it('gives Last-Modified once its second is over, and honours If-Modified-Since unless If-None-Match is sent', async () => {
    const path = '/organizations?per_page=1';
    await change(
      `UPDATE organization SET description = description || '.' WHERE id = (SELECT min(id::text)::uuid FROM organization)`,
    );
    // Within the second of the change: no Last-Modified (a later change in it would hide).
    const changed = a.app.get(DataVersion).current!;
    const early = await request(a.http).get(path).expect(200);
    if (Date.now() < Math.floor(changed.changedAt.getTime() / 1000) * 1000 + 1000)
      expect(early.headers['last-modified']).toBeUndefined();
    let modified: string | undefined;
    while (!modified) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      modified = (await request(a.http).get(path).expect(200)).headers['last-modified'];
    }
    expect(Date.parse(modified)).toBe(Math.floor(changed.changedAt.getTime() / 1000) * 1000);
    await request(a.http).get(path).set('If-Modified-Since', modified).expect(304);
    const later = new Date(Date.parse(modified) + 3_600_000).toUTCString();
    await request(a.http).get(path).set('If-Modified-Since', later).expect(304);
    const earlier = new Date(Date.parse(modified) - 1000).toUTCString();
    await request(a.http).get(path).set('If-Modified-Since', earlier).expect(200);
    await request(a.http).get(path).set('If-Modified-Since', 'not a date').expect(200);
    await request(a.http)
      .get(path)
      .set('If-Modified-Since', modified)
      .set('If-None-Match', '"other"')
      .expect(200);
  });

  it('keeps answers ready: a repeat costs no statement, and no-cache builds one afresh', async () => {
    const path = '/services?per_page=5&full=true';
    const first = await request(a.http).get(path).expect(200);
    let before = a.statements();
    const again = await request(a.http).get(path).expect(200);
    expect(a.statements()).toBe(before);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers.etag).toBe(first.headers.etag);
    const head = await request(a.http).head(path).expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(first.text)));
    before = a.statements();
    const fresh = await request(a.http).get(path).set('Cache-Control', 'no-cache').expect(200);
    // The items; the count is kept for the data version (src/search/record-reader.ts).
    expect(a.statements()).toBe(before + 1);
    expect(fresh.text).toBe(first.text);
  });

  it('counts a list once per data version: its other pages cost one statement, and every change counts again', async () => {
    await a.dataChanged();
    const cost = async (path: string) => {
      const before = a.statements();
      const { body } = await request(a.http).get(path).expect(200);
      return { statements: a.statements() - before, total: body.total_items as number };
    };
    const [{ n }] = await a.db.query('SELECT count(*)::int AS n FROM service');
    expect(await cost('/services?per_page=10&page=1')).toEqual({ statements: 2, total: n });
    expect(await cost('/services?per_page=10&page=2')).toEqual({ statements: 1, total: n });
    expect(await cost('/services?per_page=25&page=3')).toEqual({ statements: 1, total: n });
    // Another list is counted on its own.
    const [{ organization, m }] = await a.db.query(
      `SELECT organization_id AS organization, count(*)::int AS m FROM service
       GROUP BY organization_id ORDER BY count(*) DESC, organization_id LIMIT 1`,
    );
    expect(await cost(`/services?organization_id=${organization}&per_page=1`)).toEqual({
      statements: 2,
      total: m,
    });
    await change(
      `INSERT INTO service (id, organization_id, name, status)
       SELECT gen_random_uuid(), organization_id, 'Zz counted again', 'active' FROM service LIMIT 1`,
    );
    expect(await cost('/services?per_page=10&page=2')).toEqual({ statements: 2, total: n + 1 });
    expect(await cost('/services?per_page=10&page=4')).toEqual({ statements: 1, total: n + 1 });
  });

  it('changes the ETag of a record and of every page that shows it when anything in its tree changes, on both servers', async () => {
    const record = `/services/${serviceId}`;
    const pages = ['/services?per_page=1000', `/services?per_page=1000&full=true`];
    const writes: [string, string, (body: any) => unknown][] = [
      [
        'the service',
        `UPDATE service SET description = 'Changed once' WHERE id = $1`,
        (s) => s.description,
      ],
      [
        'a phone of one of its contacts',
        `UPDATE phone SET number = '0117 000 0001' WHERE contact_id IN (SELECT id FROM contact WHERE service_id = $1)`,
        (s) => s.contacts.flatMap((c: any) => c.phones.map((p: any) => p.number)),
      ],
      [
        'its organization',
        `UPDATE organization SET name = 'Renamed organization' WHERE id = (SELECT organization_id FROM service WHERE id = $1)`,
        (s) => s.organization.name,
      ],
      [
        'a taxonomy term it has',
        `UPDATE taxonomy_term SET name = 'Renamed term' WHERE id IN (SELECT taxonomy_term_id FROM attribute WHERE link_entity = 'service' AND link_id = $1)`,
        (s) => s.attributes.map((x: any) => x.taxonomy_term.name),
      ],
    ];
    const paths = [record, ...pages];
    for (const [what, sql, read] of writes) {
      const before = await Promise.all(paths.map((path) => request(a.http).get(path).expect(200)));
      // Asked again: unchanged.
      for (const [i, res] of before.entries())
        await request(a.http).get(paths[i]).set('If-None-Match', res.headers.etag).expect(304);
      await change(sql, [serviceId]);
      for (const server of [a, b]) {
        const after = await Promise.all(
          paths.map((path, i) =>
            request(server.http).get(path).set('If-None-Match', before[i].headers.etag),
          ),
        );
        for (const [i, res] of after.entries()) {
          expect({ what, path: paths[i], status: res.status }).toEqual({
            what,
            path: paths[i],
            status: 200,
          });
          expect(res.headers.etag).not.toBe(before[i].headers.etag);
        }
        const [one, , full] = after;
        const listed = full.body.contents.find((s: { id: string }) => s.id === serviceId);
        expect(read(one.body)).toEqual(read(listed));
        expect(read(one.body)).not.toEqual(read(before[0].body));
      }
    }
  });

  it('follows the write path: an import that changes a service raises the version, one of unchanged data does not', async () => {
    const path = `/services/${serviceId}`;
    const { body: doc, headers } = await request(a.http).get(path).expect(200);
    const loader = new Loader(a.db);
    const stored = () => a.db.query('SELECT version::text FROM data_version');
    const [before] = await stored();
    // The same document again: nothing rewritten, nothing raised, the same ETag.
    const same = await loader.load(SERVICE_FULL, [doc]);
    expect(same.unchanged).toEqual([serviceId]);
    expect(await stored()).toEqual([before]);
    await request(a.http).get(path).set('If-None-Match', headers.etag).expect(304);
    // A change deep in it, through the loader as import and harvest write.
    const changed = structuredClone(doc);
    changed.service_at_locations[0].location.name = 'Renamed through the loader';
    const seen = a.app.get(DataVersion).current;
    const result = await loader.load(SERVICE_FULL, [changed]);
    expect(result.updated).toEqual([serviceId]);
    await versionWhen(a, newerThan(seen));
    const after = await request(a.http).get(path).set('If-None-Match', headers.etag).expect(200);
    expect(after.body.service_at_locations[0].location.name).toBe('Renamed through the loader');
  });

  it('raises the version once per transaction that changes something, and not for one that changes nothing', async () => {
    const version = () => a.app.get(DataVersion).current!.version;
    const [{ version: stored }] = await a.db.query('SELECT version::text FROM data_version');
    expect(version()).toBe(stored);
    await writer.query(`UPDATE service SET name = name WHERE false`);
    await writer.query(
      `INSERT INTO funding (id, service_id, source) SELECT id, service_id, source FROM funding ON CONFLICT (id) DO NOTHING`,
    );
    const [{ version: unchanged }] = await a.db.query('SELECT version::text FROM data_version');
    expect(unchanged).toBe(stored);
    // One transaction of several statements, and a write the search refresh follows at commit.
    const before = a.app.get(DataVersion).current;
    await writer.query('BEGIN');
    await writer.query(`UPDATE service SET name = name || ' (x)' WHERE id = $1`, [serviceId]);
    await writer.query(`UPDATE contact SET title = 'Manager' WHERE service_id = $1`, [serviceId]);
    await writer.query('COMMIT');
    const seen = await versionWhen(a, newerThan(before));
    expect(BigInt(seen!.version)).toBe(BigInt(stored) + 1n);
  });

  it('reads the version at every NOTIFY on its channel, whatever the payload says', async () => {
    const before = a.app.get(DataVersion).current!;
    for (const payload of [
      'garbage',
      '{"version":"x"}',
      '{"version":"999999999","changed_at":"nope"}',
      '{"version":"999999999","changed_at":"2026-01-01T00:00:00Z"}',
      '',
    ])
      await writer.query(`SELECT pg_notify('oruk_data_version', $1)`, [payload]);
    await a.dataChanged();
    const after = a.app.get(DataVersion).current!;
    const [{ version }] = await a.db.query('SELECT version::text FROM data_version');
    expect(after.version).toBe(version);
    expect(BigInt(after.version)).toBe(BigInt(before.version) + 1n);
    await request(a.http).get('/taxonomies').expect(200);
  });

  it('works under a base path, and counts what it did in /metrics under the route pattern', async () => {
    const c = await createTestApp({ BASE_PATH: '/api/oruk' }, () => a.database.url);
    try {
      await versionWhen(c, Boolean);
      const path = `/api/oruk/services/${serviceId}`;
      const first = await request(c.http).get(path).expect(200);
      expect(first.headers.etag).toMatch(/^"[0-9a-f]{12}\.\d+\.[\w-]{16}"$/);
      await request(c.http).get(path).expect(200);
      await request(c.http).get(path).set('If-None-Match', first.headers.etag).expect(304);
      // Outside the data endpoints: no validators.
      const root = await request(c.http).get('/api/oruk/').expect(200);
      expect(root.headers.etag).toBeUndefined();
      const metrics = (await request(c.http).get('/metrics').expect(200)).text;
      const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1]);
      expect(value(/^http_cache_results_total\{result="miss"\} (\d+)$/m)).toBe(1);
      expect(value(/^http_cache_results_total\{result="hit"\} (\d+)$/m)).toBe(1);
      expect(value(/^http_cache_results_total\{result="not_modified"\} (\d+)$/m)).toBe(1);
      expect(
        value(
          /^http_request_duration_seconds_count\{method="GET",route="\/api\/oruk\/services\/:id",status_code="200"\} (\d+)$/m,
        ),
      ).toBe(2);
      expect(
        value(
          /^http_request_duration_seconds_count\{method="GET",route="\/api\/oruk\/services\/:id",status_code="304"\} (\d+)$/m,
        ),
      ).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('sends no validators on errors and keeps none', async () => {
    for (const [path, status] of [
      ['/services/00000000-0000-4000-8000-000000000000', 404],
      ['/services?page=0', 400],
    ] as const) {
      const res = await request(a.http).get(path).expect(status);
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['last-modified']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('validates nothing while the change announcements are lost, and again once they are back', async () => {
    const path = '/taxonomies?per_page=2';
    await request(a.http).get(path).expect(200);
    const lost = versionWhen(a, (v) => v === undefined);
    // Both servers' listening connections are cut.
    await writer.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'oruk-server data version'`,
    );
    await lost;
    // Meanwhile a change is made: answers are built afresh and carry no ETag that could go
    // stale (unless the connection is already back: then the ETag is the new version's).
    await writer.query(`UPDATE taxonomy SET description = 'Changed while away'`);
    const blind = await request(a.http).get(path).expect(200);
    expect(blind.body.contents[0].description).toBe('Changed while away');
    if (blind.headers.etag) {
      const [{ version }] = await a.db.query('SELECT version::text FROM data_version');
      expect(blind.headers.etag).toContain(`.${version}.`);
    }
    const back = await versionWhen(a, Boolean);
    const [{ version }] = await a.db.query('SELECT version::text FROM data_version');
    expect(back!.version).toBe(version);
    const res = await request(a.http).get(path).expect(200);
    expect(res.headers.etag).toContain(`.${version}.`);
  });
});
