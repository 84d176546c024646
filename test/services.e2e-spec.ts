import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { emptyValues, officialErrors, openApiErrors, officialIt } from './support/oruk-schemas';

describe('/services', () => {
  let t: TestApp;
  let all: { id: string; name: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    all = await t.db.query('SELECT id, name FROM service ORDER BY name, id');
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path);

  describe('page envelope', () => {
    it.each([1, 7, 50, 1000])('is consistent at per_page=%i', async (perPage) => {
      const total = all.length;
      const pages = Math.ceil(total / perPage);
      const first = await get(`/services?per_page=${perPage}`).expect(200);
      expect(first.body).toMatchObject({
        total_items: total,
        total_pages: pages,
        page_number: 1,
        size: Math.min(perPage, total),
        first_page: true,
        last_page: pages <= 1,
        empty: false,
      });
      expect(first.body.contents).toHaveLength(Math.min(perPage, total));
      const last = await get(`/services?per_page=${perPage}&page=${pages}`).expect(200);
      expect(last.body).toMatchObject({
        page_number: pages,
        last_page: true,
        first_page: pages === 1,
      });
      expect(last.body.size).toBe(total - (pages - 1) * perPage);
      expect(last.body.contents).toHaveLength(last.body.size);
    });

    it('defaults to page 1 of 50', async () => {
      const { body } = await get('/services').expect(200);
      expect(body).toMatchObject({
        page_number: 1,
        size: Math.min(50, all.length),
        total_items: all.length,
      });
    });

    it('answers a page past the end with 200 and no contents', async () => {
      const { body } = await get('/services?per_page=10&page=9999').expect(200);
      expect(body).toEqual({
        total_items: all.length,
        total_pages: Math.ceil(all.length / 10),
        page_number: 9999,
        size: 0,
        first_page: false,
        last_page: true,
        empty: true,
        contents: [],
      });
    });

    it('ignores unknown parameters', async () => {
      const { body } = await get('/services?per_page=3&colour=blue').expect(200);
      expect(body.size).toBe(3);
    });
  });

  it('walks every service exactly once across pages, in name then id order', async () => {
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const { body } = await get(`/services?per_page=7&page=${page}`).expect(200);
      seen.push(...body.contents.map((s: { id: string }) => s.id));
      if (body.last_page) break;
    }
    expect(seen).toEqual(all.map((s) => s.id));
    expect(new Set(seen).size).toBe(all.length);
  });

  it('has at least the 150 seed services', () => {
    expect(all.length).toBeGreaterThanOrEqual(150);
  });

  it('gives list items the service fields and a flat organization, full items the whole tree', async () => {
    const { body } = await get('/services?per_page=1000').expect(200);
    for (const item of body.contents) {
      expect(item.organization).toEqual(
        expect.objectContaining({ id: item.organization_id, name: expect.any(String) }),
      );
      expect(item.organization.organization_identifiers).toBeUndefined();
      expect(item.service_at_locations).toBeUndefined();
    }
    const full = await get('/services?per_page=5&full=true').expect(200);
    for (const item of full.body.contents) {
      const one = await get(`/services/${item.id}`).expect(200);
      expect(item).toEqual(one.body);
    }
    expect(
      full.body.contents.some(
        (s: { service_at_locations?: unknown[] }) => s.service_at_locations?.length,
      ),
    ).toBe(true);
  });

  it('never emits null or empty strings, on lists or records', async () => {
    const bodies = [
      (await get('/services?per_page=1000&full=true').expect(200)).body,
      (await get('/services?per_page=1000').expect(200)).body,
    ];
    for (const body of bodies) expect(emptyValues(body)).toEqual([]);
  });

  it('formats dates, date-times and numbers as the standard asks', async () => {
    const { body } = await get('/services?per_page=1000&full=true').expect(200);
    for (const service of body.contents) {
      expect(service.last_modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      if (service.assured_date) expect(service.assured_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const sal of service.service_at_locations ?? []) {
        if (sal.location.latitude !== undefined)
          expect(typeof sal.location.latitude).toBe('number');
      }
      for (const schedule of service.schedules ?? []) {
        if (schedule.opens_at) expect(schedule.opens_at).toMatch(/^\d{2}:\d{2}:\d{2}$/);
      }
    }
  });

  describe('bodies validate', () => {
    officialIt('every page against the official service_list.json', async () => {
      for (const path of [
        '/services?per_page=1000',
        '/services?per_page=1000&full=true',
        '/services?page=999',
      ]) {
        const { body } = await get(path).expect(200);
        expect(officialErrors('service_list.json', body)).toEqual([]);
      }
    });

    officialIt('every service against the official service.json', async () => {
      for (const { id } of all) {
        const { body } = await get(`/services/${id}`).expect(200);
        expect({ id, errors: officialErrors('service.json', body) }).toEqual({ id, errors: [] });
      }
    });

    it('every page and service against our own OpenAPI document', async () => {
      expect(
        openApiErrors('ServicePage', (await get('/services?per_page=1000').expect(200)).body),
      ).toEqual([]);
      expect(
        openApiErrors(
          'ServicePage',
          (await get('/services?per_page=1000&full=true').expect(200)).body,
        ),
      ).toEqual([]);
      for (const { id } of all) {
        const { body } = await get(`/services/${id}`).expect(200);
        expect({ id, errors: openApiErrors('ServiceFull', body) }).toEqual({ id, errors: [] });
      }
    });
  });

  describe('errors', () => {
    it.each([
      ['/services/not-a-uuid', 400, 'id must be a UUID'],
      ['/services?page=0', 400, 'page must not be less than 1'],
      ['/services?page=abc', 400, 'page must be an integer number'],
      ['/services?page=1.5', 400, 'page must be an integer number'],
      ['/services?page=1&page=2', 400, 'page must be an integer number'],
      ['/services?per_page=0', 400, 'per_page must not be less than 1'],
      ['/services?per_page=1001', 400, 'per_page must not be greater than 1000'],
      ['/services?full=yes', 400, 'full must be a boolean value'],
      [
        '/services/00000000-0000-4000-8000-000000000000',
        404,
        'No service has the id 00000000-0000-4000-8000-000000000000',
      ],
      ['/no-such-endpoint', 404, 'Cannot GET /no-such-endpoint'],
      ['/services/%E0%A4%A', 400, "Failed to decode param '%E0%A4%A'"],
    ])('%s → %i', async (path, status, message) => {
      const { body, headers } = await get(path).expect(status);
      expect(headers['content-type']).toMatch(/^application\/json/);
      expect(body).toEqual({
        statusCode: status,
        message,
        error: status === 400 ? 'Bad Request' : 'Not Found',
      });
    });
  });

  describe('CORS', () => {
    it('allows any origin on success, on errors and on preflight', async () => {
      for (const [path, status] of [
        ['/services', 200],
        ['/services/nope', 400],
        ['/services/00000000-0000-4000-8000-000000000000', 404],
      ] as const) {
        const response = await get(path).set('Origin', 'https://council.example').expect(status);
        expect(response.headers['access-control-allow-origin']).toBe('*');
      }
      const preflight = await request(t.http)
        .options('/services')
        .set('Origin', 'https://council.example')
        .set('Access-Control-Request-Method', 'GET')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    });
  });

  describe('SQL statements per request', () => {
    const count = async (path: string) => {
      // Built afresh: nothing kept from earlier requests (src/http/caching.ts, the counts of
      // src/search/record-reader.ts) for the data as it is now.
      await t.dataChanged();
      const before = t.statements();
      await get(path).expect(200);
      return t.statements() - before;
    };

    it('is fixed, whatever the page size or the tree size', async () => {
      expect(await count('/services?per_page=1')).toBe(2);
      expect(await count('/services?per_page=1000')).toBe(2);
      expect(await count('/services?per_page=1&full=true')).toBe(2);
      expect(await count('/services?per_page=1000&full=true')).toBe(2);
      // A search decides first whether it must fall back to similarity: one statement more.
      expect(await count('/services?search=food&per_page=1')).toBe(3);
      expect(await count('/services?search=food&per_page=1000&full=true')).toBe(3);
      // A typo (a word no service has, five letters or more) looks up its corrections: one more.
      expect(await count('/services?search=domsetic&per_page=1')).toBe(4);
      const [largest] = await t.db.query(
        `SELECT s.id FROM service s ORDER BY (SELECT count(*) FROM service_at_location sal WHERE sal.service_id = s.id)
           + (SELECT count(*) FROM schedule x WHERE x.service_id = s.id) + (SELECT count(*) FROM contact c WHERE c.service_id = s.id) DESC LIMIT 1`,
      );
      expect(await count(`/services/${largest.id}`)).toBe(1);
      expect(await count(`/services/${all[0].id}`)).toBe(1);
    });
  });
});
