import { readdirSync, readFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { projectRoot } from '../src/config/config';
import { ENTITIES } from '../src/hsds/entities';
import { tableOf } from '../src/hsds/fields';
import { harvest, HarvestOptions } from '../src/transfer/harvest';
import { isUuid, uuidFor } from '../src/transfer/ids';
import { createTestApp, TestApp } from './support/app';
import { listen, send, TestServer } from './support/feed-server';
import { officialErrors, officialIt } from './support/oruk-schemas';
import { Doc, seedTaxonomies } from './support/seed-data';

/**
 * Short backoff, no rate limit to speak of: the feeds are in-process. The timeout is long
 * enough for any answer of a busy machine; a request that hangs is one never answered.
 */
const FAST: HarvestOptions = {
  concurrency: 8,
  ratePerSecond: 1000,
  timeoutMs: 5000,
  retries: 3,
  backoffMs: 10,
  maxDelayMs: 50,
  perPage: 40,
};

const OLD = '2025-01-01T00:00:00.000Z';

// ---------------------------------------------------------------------------------------
// In-process feeds

type Fault = '500' | '503' | '429' | 'hang';

/**
 * An ORUK 3.0 feed over documents held in memory (taken from the seeded app), with
 * `modified_after`, paging, and faults injected on demand.
 */
class V3Feed {
  server: TestServer;
  root: Doc = {};
  services = new Map<string, Doc>();
  taxonomies = new Map<string, Doc>();
  /** The next responses of a path (`/services/{id}`, `/services?page=2`), one per request. */
  faults = new Map<string, Fault[]>();
  /** Services whose `/services/{id}` is not JSON. */
  malformed = new Set<string>();
  refuseModifiedAfter = false;

  async start(): Promise<this> {
    this.server = await listen((url, res) => this.handle(url, res));
    return this;
  }

  get url(): string {
    return this.server.url;
  }

  private handle(url: URL, res: ServerResponse): void {
    const page = url.searchParams.get('page');
    const key = url.pathname + (url.pathname === '/services' && page ? `?page=${page}` : '');
    const fault = this.faults.get(key)?.shift();
    if (fault === 'hang') return; // never answered: the client's timeout must give up
    if (fault === '429') return send(res, 429, { message: 'slow down' }, { 'retry-after': '0' });
    if (fault) return send(res, Number(fault), { message: 'unavailable' });
    this.respond(url, res);
  }

  private respond(url: URL, res: ServerResponse): void {
    const path = url.pathname;
    if (path === '/') return send(res, 200, this.root);
    if (path === '/services') {
      const after = url.searchParams.get('modified_after');
      if (after && this.refuseModifiedAfter) return send(res, 400, { message: 'no' });
      const all = [...this.services.values()].filter((s) => !after || s.last_modified >= after);
      const perPage = Number(url.searchParams.get('per_page') ?? 50);
      const pageNumber = Number(url.searchParams.get('page') ?? 1);
      const contents = all
        .slice((pageNumber - 1) * perPage, pageNumber * perPage)
        .map(({ id, name, status, last_modified }) => ({ id, name, status, last_modified }));
      const totalPages = Math.ceil(all.length / perPage);
      return send(res, 200, {
        total_items: all.length,
        total_pages: totalPages,
        page_number: pageNumber,
        size: contents.length,
        first_page: pageNumber === 1,
        last_page: pageNumber >= totalPages,
        empty: !contents.length,
        contents,
      });
    }
    const match = /^\/(services|taxonomies)\/([^/]+)$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[2]);
      if (match[1] === 'services' && this.malformed.has(id))
        return send(res, 200, `{"id": "${id}", "name": "Half a docu`);
      const doc = (match[1] === 'services' ? this.services : this.taxonomies).get(id);
      return doc ? send(res, 200, doc) : send(res, 404, { message: 'not found' });
    }
    send(res, 404, { message: 'not found' });
  }

  requestsOf(path: string): string[] {
    return this.server.requests.filter((r) => r === path || r.startsWith(`${path}?`));
  }
}

/** An ORUK v1 feed: no `/`, camelCase pages, from test/fixtures/v1. */
async function v1Feed(hidden: Set<string>): Promise<TestServer> {
  const dir = join(projectRoot(), 'test', 'fixtures', 'v1');
  const services = new Map<string, Doc>(
    readdirSync(join(dir, 'services')).map((file) => {
      const doc = JSON.parse(readFileSync(join(dir, 'services', file), 'utf8'));
      return [String(doc.id), doc];
    }),
  );
  return listen((url, res) => {
    if (url.pathname === '/services') {
      const page = Number(url.searchParams.get('page') ?? 1);
      let body: Doc;
      try {
        body = JSON.parse(readFileSync(join(dir, `page-${page}.json`), 'utf8'));
      } catch {
        body = { totalPages: 2, number: page, content: [], empty: true };
      }
      body.content = body.content.filter((s: Doc) => !hidden.has(String(s.id)));
      return send(res, 200, body);
    }
    const match = /^\/services\/([^/]+)$/.exec(url.pathname);
    const doc = match && !hidden.has(match[1]) ? services.get(decodeURIComponent(match[1])) : null;
    if (doc) return send(res, 200, doc);
    send(res, 404, { error: 'Not Found' });
  });
}

// ---------------------------------------------------------------------------------------
// Helpers

/** A seeded app with every HSDS table emptied: the harvest's destination. */
async function emptyApp(): Promise<TestApp> {
  const app = await createTestApp();
  await app.db.query(`TRUNCATE ${ENTITIES.map(tableOf).join(', ')} CASCADE`);
  return app;
}

/** The document with its own ids (not its organization's or terms') made non-UUIDs. */
function withLegacyIds(doc: Doc): { doc: Doc; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  const collect = (value: unknown, key = ''): void => {
    if (key === 'organization' || key === 'taxonomy_term') return;
    if (Array.isArray(value)) value.forEach((v) => collect(v));
    else if (value && typeof value === 'object') {
      const record = value as Doc;
      if (typeof record.id === 'string' && !ids.has(record.id))
        ids.set(record.id, `legacy-${ids.size}`);
      for (const [k, v] of Object.entries(record)) collect(v, k);
    }
  };
  collect(doc);
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]));
    return typeof value === 'string' ? (ids.get(value) ?? value) : value;
  };
  return { doc: rename(doc) as Doc, ids };
}

function allIds(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => allIds(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'provenance') continue;
      if ((key === 'id' || key.endsWith('_id')) && typeof v === 'string') into.push(v);
      allIds(v, into);
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------

describe('harvest of an ORUK 3.0 feed', () => {
  const feed = new V3Feed();
  let local: TestApp;
  let docs: Doc[];
  /** Services given below special roles. */
  let retried: string, slow: string, throttled: string, broken: string, deleted: string;
  let recent: string[];
  let legacy: { doc: Doc; ids: Map<string, string> };
  let stableId: string;

  const get = (path: string) => request(local.http).get(path);
  const run = (options: HarvestOptions = {}) =>
    harvest(local.db, feed.url, { ...FAST, ...options });
  const serviceCount = async () =>
    (await local.db.query(`SELECT count(*)::int AS n FROM service`))[0].n as number;

  beforeAll(async () => {
    // The feed serves what a real oruk-server serves for the seed data.
    const upstream = await createTestApp();
    try {
      const page = await request(upstream.http).get('/services?full=true&per_page=1000');
      docs = page.body.contents;
      feed.root = (await request(upstream.http).get('/')).body;
      for (const { id } of seedTaxonomies())
        feed.taxonomies.set(id, (await request(upstream.http).get(`/taxonomies/${id}`)).body);
    } finally {
      await upstream.close();
    }
    expect(docs.length).toBeGreaterThan(20);
    // Old, except two changed just now (an incremental harvest asks for those again).
    recent = [docs[1].id, docs[2].id];
    for (const doc of docs)
      doc.last_modified = recent.includes(doc.id) ? new Date().toISOString() : OLD;
    legacy = withLegacyIds(docs[0]);
    docs[0] = legacy.doc;
    [retried, slow, throttled, broken, deleted] = docs.slice(3, 8).map((d) => d.id);
    for (const doc of docs) feed.services.set(doc.id, doc);
    await feed.start();
    stableId = uuidFor(`${feed.url}:service`, 'legacy-0');
    local = await emptyApp();
  });

  afterAll(async () => {
    await feed.server?.close();
    await local?.close();
  });

  it('reads the whole feed the first time, retrying faults, and records provenance', async () => {
    feed.faults.set(`/services/${retried}`, ['500']);
    feed.faults.set(`/services/${slow}`, ['hang']);
    feed.faults.set(`/services/${throttled}`, ['429']);
    feed.faults.set('/services?page=2', ['503']);
    feed.malformed.add(broken);
    const progress: [number, number | undefined][] = [];

    const result = await run({ onProgress: (done, total) => progress.push([done, total]) });

    expect(result.version).toBe('v3');
    expect(result.full).toBe(true);
    expect(result.listed).toBe(docs.length);
    expect(result.failed).toBe(0);
    expect(result.completed).toBe(true);
    expect(result.summary.services).toEqual({
      created: docs.length - 1,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    expect(result.summary.taxonomies.created).toBeGreaterThan(0);
    expect(result.summary.taxonomies.rejected).toBe(0);
    expect(result.summary.rejections).toEqual([
      expect.objectContaining({
        at: `${feed.url}/services/${broken}`,
        reason: expect.stringMatching(/^not JSON/),
      }),
    ]);
    expect(result.message).toBe(
      `harvested ${feed.url} (v3): ${docs.length} services listed, ${docs.length - 1} created, ` +
        `0 updated, 0 unchanged, 1 rejected, 0 marked gone, 0 failed requests; ` +
        `1 rejected: read again next time`,
    );
    expect(progress.at(-1)).toEqual([docs.length, docs.length]);
    // Each fault was retried until it succeeded.
    for (const id of [retried, slow, throttled])
      expect(feed.requestsOf(`/services/${id}`).length).toBeGreaterThanOrEqual(2);
    expect(feed.requestsOf('/services').some((r) => r.includes('modified_after'))).toBe(false);
    expect(await serviceCount()).toBe(docs.length - 1);

    for (const id of [retried, slow, throttled]) {
      const { body } = await get(`/services/${id}`).expect(200);
      const { provenance, ...service } = body;
      expect(provenance).toEqual({
        source_feed: feed.url,
        source_id: id,
        fetched_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
      expect(service).toEqual(feed.services.get(id));
    }
    await get(`/services/${broken}`).expect(404);
  });

  officialIt(
    'serves harvested services, provenance included, valid by the official schema',
    async () => {
      const { body } = await get(`/services/${retried}`).expect(200);
      expect(body.provenance).toBeDefined();
      expect(officialErrors('service.json', body)).toEqual([]);
    },
  );

  it('stores a record with non-UUID ids under stable UUIDs of the feed and the id', async () => {
    const { body } = await get(`/services/${stableId}`).expect(200);
    expect(body.name).toBe(legacy.doc.name);
    expect(body.provenance.source_id).toBe('legacy-0');
    const ids = allIds(body);
    expect(ids.every(isUuid)).toBe(true);
    // Every reference was mapped as the record it names: the same source id, the same UUID.
    const sal = legacy.doc.service_at_locations[0];
    expect(body.service_at_locations[0].id).toBe(
      uuidFor(`${feed.url}:service_at_location`, sal.id),
    );
    expect(body.service_at_locations[0].location_id).toBe(
      uuidFor(`${feed.url}:location`, sal.location.id),
    );
    expect(body.service_at_locations[0].location.id).toBe(body.service_at_locations[0].location_id);
    expect(body.organization.id).toBe(legacy.doc.organization.id);
    // Nothing from the original ids survives.
    for (const original of legacy.ids.keys()) expect(ids).not.toContain(original);
  });

  it('asks only for what changed next time (modified_after), which changes nothing, and reads again what it rejected', async () => {
    const before = await local.db.query(
      `SELECT s.id, s.last_modified, p.fetched_at FROM service s JOIN provenance p USING (id)
       WHERE s.id = ANY($1) ORDER BY s.id`,
      [recent],
    );
    feed.server.requests.length = 0;
    // The record rejected last time is fixed at source, without its last_modified moving:
    // only the retry of what was rejected finds it.
    feed.malformed.delete(broken);

    const result = await run();

    expect(result.full).toBe(false);
    expect(feed.requestsOf('/services').every((r) => r.includes('modified_after='))).toBe(true);
    expect(result.listed).toBe(recent.length);
    expect(feed.requestsOf(`/services/${broken}`)).toHaveLength(1);
    expect(result.summary.services).toEqual({
      created: 1,
      updated: 0,
      unchanged: recent.length,
      rejected: 0,
    });
    expect(result.gone).toBe(0);
    expect(result.message).toMatch(
      /services listed \(changed since .*Z\), 1 rejected last time read again, 1 created/,
    );
    await get(`/services/${broken}`).expect(200);
    // Fetching again moves fetched_at, and nothing else.
    const after = await local.db.query(
      `SELECT s.id, s.last_modified, p.fetched_at FROM service s JOIN provenance p USING (id)
       WHERE s.id = ANY($1) ORDER BY s.id`,
      [recent],
    );
    expect(after.map((r: Doc) => r.last_modified)).toEqual(before.map((r: Doc) => r.last_modified));
    after.forEach((row: Doc, i: number) =>
      expect(row.fetched_at.getTime()).toBeGreaterThan(before[i].fetched_at.getTime()),
    );
  });

  it('marks a service deleted upstream gone and inactive on a full harvest', async () => {
    const [{ last_modified: before }] = await local.db.query(
      `SELECT last_modified FROM service WHERE id = $1`,
      [deleted],
    );
    feed.services.delete(deleted);
    legacy.doc.name = 'Renamed upstream';
    legacy.doc.last_modified = new Date().toISOString();
    const count = await serviceCount();

    const result = await run({ full: true });

    expect(result.full).toBe(true);
    expect(result.gone).toBe(1);
    // (The record rejected at first has been stored since: nothing is rejected now.)
    expect(result.summary.services).toMatchObject({ created: 0, updated: 1, rejected: 0 });
    expect(result.message).toMatch(/, 1 marked gone, 0 failed requests$/);
    const { body } = await get(`/services/${deleted}`).expect(200);
    expect(body.status).toBe('inactive');
    expect(body.provenance.gone_at).toEqual(expect.stringMatching(/Z$/));
    expect(new Date(body.last_modified).getTime()).toBeGreaterThan(before.getTime());
    // The record with non-UUID ids was updated in place, not duplicated.
    expect(await serviceCount()).toBe(count);
    const legacyNow = await get(`/services/${stableId}`).expect(200);
    expect(legacyNow.body.name).toBe('Renamed upstream');

    // Marked once: a second full harvest leaves it as it is.
    expect((await run({ full: true })).gone).toBe(0);
  });

  it('un-marks a service that comes back', async () => {
    feed.services.set(
      deleted,
      docs.find((d) => d.id === deleted)!,
    );
    const result = await run({ full: true });
    expect(result.summary.services.updated).toBe(1);
    const { body } = await get(`/services/${deleted}`).expect(200);
    expect(body.status).toBe('active');
    expect(body.provenance.gone_at).toBeUndefined();
  });

  it('reads in full a feed that refuses modified_after', async () => {
    feed.refuseModifiedAfter = true;
    try {
      const result = await run();
      expect(result.full).toBe(true);
      expect(result.listed).toBe(feed.services.size);
      expect(result.summary.services.unchanged).toBe(feed.services.size);
    } finally {
      feed.refuseModifiedAfter = false;
    }
  });

  it('reports a request that keeps failing, and starts the next harvest where this one did', async () => {
    const since = () =>
      feed
        .requestsOf('/services')
        .map((r) => new URL(r, feed.url).searchParams.get('modified_after'))
        .at(-1);
    const failing = recent[0];
    feed.faults.set(`/services/${failing}`, ['500', '503', '500', '500']);
    const result = await run();
    expect(result.failed).toBe(1);
    expect(result.completed).toBe(false);
    expect(result.failures).toEqual([
      { url: `${feed.url}/services/${failing}`, reason: 'HTTP 500 (after 3 retries)' },
    ]);
    expect(result.message).toMatch(/, 1 failed requests; incomplete/);
    const first = since();
    expect(first).toBeTruthy();

    // Not recorded as done: the next harvest asks for the same changes again.
    const next = await run();
    expect(next.completed).toBe(true);
    expect(next.listed).toBe(result.listed);
    expect(next.summary.services.unchanged).toBe(next.listed);
    expect(since()).toBe(first);
  });
});

describe('harvest of an ORUK v1 feed', () => {
  const hidden = new Set<string>();
  let server: TestServer;
  let local: TestApp;
  const get = (path: string) => request(local.http).get(path);

  beforeAll(async () => {
    server = await v1Feed(hidden);
    local = await emptyApp();
  });
  afterAll(async () => {
    await server?.close();
    await local?.close();
  });

  it('maps every service to 3.0, with stable UUIDs for its ids', async () => {
    const result = await harvest(local.db, server.url, FAST);
    expect(result.version).toBe('v1');
    expect(result.listed).toBe(5);
    expect(result.failed).toBe(0);
    expect(result.summary.rejections).toEqual([]);
    expect(result.summary.services).toEqual({ created: 5, updated: 0, unchanged: 0, rejected: 0 });
    expect(result.summary.taxonomies.created).toBeGreaterThan(0);

    const id = uuidFor(`${server.url}:service`, '1021');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.provenance).toMatchObject({ source_feed: server.url, source_id: '1021' });
    expect(allIds(body).every(isUuid)).toBe(true);
    // A v1 id that is a UUID is kept.
    await get('/services/3c9a1e4d-6b7f-4e8a-9c0d-1e2f3a4b5c6d').expect(200);
  });

  it('always reads a v1 feed in full: unchanged, then gone when it is deleted', async () => {
    const again = await harvest(local.db, server.url, FAST);
    expect(again.full).toBe(true);
    expect(again.summary.services).toEqual({ created: 0, updated: 0, unchanged: 5, rejected: 0 });

    hidden.add('3110');
    const result = await harvest(local.db, server.url, FAST);
    expect(result.listed).toBe(4);
    expect(result.gone).toBe(1);
    const id = uuidFor(`${server.url}:service`, '3110');
    const { body } = await get(`/services/${id}`).expect(200);
    expect(body.status).toBe('inactive');
    expect(body.provenance.gone_at).toBeDefined();
    expect((await local.db.query(`SELECT count(*)::int AS n FROM service`))[0].n).toBe(5);
  });
});

describe('harvest of a hostile feed', () => {
  let local: TestApp;
  let feed: TestServer;
  const service = (n: number) => ({
    id: `7a2f0c1e-1111-4222-8333-${String(n).padStart(12, '0')}`,
    name: `Service ${n}`,
    status: 'active',
    organization: { id: '7b2f0c1e-1111-4222-8333-000000000001', name: 'Org', description: 'x' },
  });

  beforeAll(async () => {
    local = await emptyApp();
    feed = await listen((url, res) => {
      if (url.pathname === '/') return send(res, 200, { version: '3.0' });
      if (url.pathname === '/services') {
        // A billion pages of ids never seen before.
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 10);
        const contents = Array.from({ length: perPage }, (_, i) =>
          service((page - 1) * perPage + i),
        );
        return send(res, 200, {
          total_items: 1e11,
          total_pages: 1e9,
          page_number: page,
          size: perPage,
          contents,
        });
      }
      const n = Number(url.pathname.slice(-12));
      // Every seventh record is 3 MB of description.
      const doc = n % 7 === 3 ? { ...service(n), description: 'x'.repeat(3 << 20) } : service(n);
      return send(res, 200, doc);
    });
  });
  afterAll(async () => {
    await feed?.close();
    await local?.close();
  });

  it('stops listing at its bounds, refuses bodies past the limit, and stores the rest', async () => {
    const result = await harvest(local.db, feed.url, {
      ...FAST,
      perPage: 10,
      maxPages: 3,
      maxBodyBytes: 1 << 20,
    });
    expect(result.listed).toBe(30);
    expect(result.completed).toBe(false);
    expect(result.failures).toContainEqual({
      url: `${feed.url}/services?page=4`,
      reason: 'more than 3 pages: not read further (--max-pages)',
    });
    const large = [3, 10, 17, 24];
    for (const n of large)
      expect(result.failures).toContainEqual({
        url: `${feed.url}/services/${service(n).id}`,
        reason: 'a body larger than 1 MB: not read',
      });
    expect(result.summary.services.created).toBe(30 - large.length);
    expect(feed.requests.filter((r) => r.startsWith('/services?')).length).toBe(3);

    const capped = await harvest(local.db, feed.url, {
      ...FAST,
      perPage: 10,
      maxServices: 15,
      maxBodyBytes: 1 << 20,
    });
    expect(capped.listed).toBe(20); // the page that passed 15 is kept whole
    expect(capped.failures.map((f) => f.reason)).toContain(
      'more than 15 services listed: not read further (--max-services)',
    );
  });
});
