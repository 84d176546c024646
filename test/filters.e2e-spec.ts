import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import request from 'supertest';
import { projectRoot } from '../src/config/config';
import { loadOnspd } from '../src/geo/onspd';
import { AnyResource } from '../src/api/resource';
import { SERVICE_AT_LOCATIONS } from '../src/api/service-at-locations.controller';
import { SERVICES } from '../src/api/services.controller';
import { databaseFailure } from '../src/database/errors';
import { Lists } from '../src/search/lists';
import { RecordReader } from '../src/search/record-reader';
import { createTestApp, TestApp } from './support/app';
import { officialErrors, officialIt } from './support/oruk-schemas';
import { Doc, ids, seedServices, seedTaxonomies } from './support/seed-data';

/**
 * Every query parameter (docs/standard.md, "Query parameters"), each answer checked against an independent
 * computation over the seed documents, plus combinations, paging under filters and 400s.
 */
describe('query parameters', () => {
  let t: TestApp;
  const services = seedServices();
  const taxonomies = seedTaxonomies();
  const terms = taxonomies.flatMap((x) => x.taxonomy_terms as Doc[]);
  const byId = new Map(services.map((s) => [s.id as string, s]));
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path);
  /** Every item of a list, following its pages (checks that pages neither overlap nor skip). */
  const all = async (path: string, perPage = 1000): Promise<Doc[]> => {
    const items: Doc[] = [];
    for (let page = 1; ; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const { body } = await get(`${path}${sep}per_page=${perPage}&page=${page}`).expect(200);
      items.push(...body.contents);
      expect(body.total_pages).toBe(Math.ceil(body.total_items / perPage));
      if (page >= body.total_pages) {
        expect(items).toHaveLength(body.total_items);
        expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
        return items;
      }
    }
  };
  const serviceIds = async (query: string) => ids(await all(`/services?${query}`));
  const expectedIds = (keep: (s: Doc) => boolean) => ids(services.filter(keep));

  const termIdsOf = (s: Doc): string[] => (s.attributes ?? []).map((a: Doc) => a.taxonomy_term_id);
  const descendants = (id: string): Set<string> => {
    const found = new Set([id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const term of terms) {
        if (term.parent_id && found.has(term.parent_id) && !found.has(term.id)) {
          found.add(term.id);
          grew = true;
        }
      }
    }
    return found;
  };

  describe('taxonomy_term_id, taxonomy_id, organization_id', () => {
    const parent = terms.find((p) => terms.some((c) => c.parent_id === p.id))!;

    it('taxonomy_term_id matches the term and every term below it', async () => {
      const wanted = descendants(parent.id);
      expect(wanted.size).toBeGreaterThan(1);
      const expected = expectedIds((s) => termIdsOf(s).some((id) => wanted.has(id)));
      expect(expected.length).toBeGreaterThan(0);
      expect(await serviceIds(`taxonomy_term_id=${parent.id}`)).toEqual(expected);
    });

    it('several terms, comma-separated or repeated, match any of them', async () => {
      const [a, b] = terms.filter((x) => !terms.some((c) => c.parent_id === x.id)).slice(3, 5);
      const expected = expectedIds((s) => termIdsOf(s).some((id) => id === a.id || id === b.id));
      expect(await serviceIds(`taxonomy_term_id=${a.id},${b.id}`)).toEqual(expected);
      expect(await serviceIds(`taxonomy_term_id=${a.id}&taxonomy_term_id=${b.id}`)).toEqual(
        expected,
      );
    });

    it('taxonomy_id matches services with any term of that taxonomy', async () => {
      for (const taxonomy of taxonomies) {
        const own = new Set((taxonomy.taxonomy_terms as Doc[]).map((x) => x.id));
        const expected = expectedIds((s) => termIdsOf(s).some((id) => own.has(id)));
        expect(await serviceIds(`taxonomy_id=${taxonomy.id}`)).toEqual(expected);
      }
    });

    it('organization_id matches the services it provides', async () => {
      const org = services[20].organization.id;
      expect(await serviceIds(`organization_id=${org}`)).toEqual(
        expectedIds((s) => s.organization.id === org),
      );
    });

    it('filters combine with AND, also on /service_at_locations', async () => {
      const wanted = descendants(parent.id);
      const org = services.find((s) => termIdsOf(s).some((id) => wanted.has(id)))!.organization.id;
      const keep = (s: Doc) =>
        s.organization.id === org && termIdsOf(s).some((id) => wanted.has(id));
      expect(await serviceIds(`taxonomy_term_id=${parent.id}&organization_id=${org}`)).toEqual(
        expectedIds(keep),
      );
      const sals = await all(
        `/service_at_locations?taxonomy_term_id=${parent.id}&organization_id=${org}`,
      );
      expect(ids(sals)).toEqual(ids(services.filter(keep).flatMap((s) => s.service_at_locations)));
    });
  });

  describe('taxonomy filters, whose matches may be few or many (ListPlan.selective)', () => {
    /** Every page of a list read through Lists and RecordReader, with `few` forced. */
    const pages = async (resource: AnyResource, search: string, few: number): Promise<string[]> => {
      const found: string[] = [];
      for (let page = 1; ; page++) {
        const params = Object.fromEntries(new URLSearchParams(`${search}&page=${page}&per_page=4`));
        const query = plainToInstance(resource.list.query, params);
        const { plan, shape } = await t.app.get(Lists).plan(resource.list, query);
        plan.few = few;
        const { items, total } = await t.app
          .get(RecordReader)
          .page(shape, plan, { page, per_page: 4 });
        found.push(...items.map((i) => (i as Doc).id as string));
        if (page * 4 >= total) {
          expect(found).toHaveLength(total);
          return found;
        }
      }
    };

    it('reads the same pages whether it collects the matches or walks the order', async () => {
      const parent = terms.find((p) => terms.some((c) => c.parent_id === p.id))!;
      const wanted = descendants(parent.id);
      const matching = (s: Doc) => termIdsOf(s).some((id) => wanted.has(id));
      const taxonomy = taxonomies[0];
      const own = new Set((taxonomy.taxonomy_terms as Doc[]).map((x) => x.id));
      const cases = [
        [SERVICES, `taxonomy_term_id=${parent.id}`, expectedIds(matching)],
        [
          SERVICES,
          `taxonomy_id=${taxonomy.id}`,
          expectedIds((s) => termIdsOf(s).some((id) => own.has(id))),
        ],
        [
          SERVICE_AT_LOCATIONS,
          `taxonomy_term_id=${parent.id}`,
          ids(services.filter(matching).flatMap((s) => s.service_at_locations)),
        ],
      ] as const;
      for (const [resource, search, expected] of cases) {
        expect(expected.length).toBeGreaterThan(4); // more than one page
        // 0: always walked; 3: walked (more than 3 match); 100000: always collected.
        const ways = await Promise.all([0, 3, 100_000].map((few) => pages(resource, search, few)));
        for (const order of ways) {
          expect([...order].sort()).toEqual(expected);
          expect(order).toEqual(ways[0]);
        }
      }
    });
  });

  describe('ages', () => {
    it('minimum_age: services whose minimum age is at least the value', async () => {
      for (const age of [0, 11, 18, 65]) {
        expect(await serviceIds(`minimum_age=${age}`)).toEqual(
          expectedIds((s) => s.minimum_age !== undefined && s.minimum_age >= age),
        );
      }
    });

    it('maximum_age: services whose maximum age is at most the value', async () => {
      for (const age of [5, 18, 25.5]) {
        expect(await serviceIds(`maximum_age=${age}`)).toEqual(
          expectedIds((s) => s.maximum_age !== undefined && s.maximum_age <= age),
        );
      }
    });
  });

  describe('day, start_time, end_time', () => {
    const today = new Date().toISOString().slice(0, 10);
    const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
    /** An independent reading of the schedules, in JavaScript. */
    const openOn = (s: Doc, days: string[], start?: string, end?: string) =>
      (s.schedules ?? []).some((x: Doc) => {
        if (x.valid_from && x.valid_from > today) return false;
        if (x.valid_to && x.valid_to < today) return false;
        if (days.length) {
          if (x.freq && !['WEEKLY', 'MONTHLY'].includes(x.freq)) return false;
          const scheduled = String(x.byday ?? '')
            .split(',')
            .map((d) => d.trim().slice(-2));
          if (!days.some((d) => scheduled.includes(d))) return false;
        }
        if (start || end) {
          if (!x.opens_at) return false;
          const opens = minutes(x.opens_at);
          const closes = x.closes_at ? minutes(x.closes_at) : opens;
          const overnight = closes <= opens;
          if (start && !(overnight || closes > minutes(start))) return false;
          if (end && !(opens < minutes(end))) return false;
        }
        return true;
      });

    it.each<[string, string[], string | undefined, string | undefined]>([
      ['day=MO', ['MO'], undefined, undefined],
      ['day=sa', ['SA'], undefined, undefined],
      ['day=SA,SU', ['SA', 'SU'], undefined, undefined],
      ['day=TH&start_time=18:00', ['TH'], '18:00', undefined],
      ['day=WE&start_time=10:00&end_time=12:00', ['WE'], '10:00', '12:00'],
      ['start_time=21:00', [], '21:00', undefined],
      ['end_time=08:30', [], undefined, '08:30'],
    ])('%s', async (query, days, start, end) => {
      const expected = expectedIds((s) => openOn(s, days, start, end));
      expect(expected.length).toBeGreaterThan(0);
      expect(await serviceIds(query)).toEqual(expected);
    });

    it('counts monthly schedules with ordinals (2MO, -1TH) on their weekday', async () => {
      const monthly = services.find((s) =>
        (s.schedules ?? []).some((x: Doc) => x.freq === 'MONTHLY' && /^-?\d/.test(x.byday)),
      )!;
      const day = monthly.schedules.find((x: Doc) => x.freq === 'MONTHLY').byday.slice(-2);
      expect(await serviceIds(`day=${day}`)).toContain(monthly.id);
    });
  });

  describe('modified_after', () => {
    it('keeps services modified at or after the instant', async () => {
      const minimal = await all('/services?minimal=true', 100000);
      const times = minimal.map((m) => m.last_modified as string).sort();
      const middle = times[Math.floor(times.length / 2)];
      const expected = ids(minimal.filter((m) => m.last_modified >= middle));
      expect(await serviceIds(`modified_after=${middle}`)).toEqual(expected);
      expect(
        await serviceIds(`modified_after=${encodeURIComponent(middle.replace('Z', '+00:00'))}`),
      ).toEqual(expected);
      const day = middle.slice(0, 10);
      expect(await serviceIds(`modified_after=${day}`)).toEqual(
        ids(minimal.filter((m) => m.last_modified >= `${day}T00:00:00.000Z`)),
      );
      expect(await serviceIds('modified_after=2999-01-01')).toEqual([]);
    });
  });

  describe('minimal, full, format=ndjson', () => {
    it('minimal=true: {id, last_modified} for every service in one page', async () => {
      const { body } = await get('/services?minimal=true').expect(200);
      expect(body.total_items).toBe(services.length);
      expect(body.contents).toHaveLength(services.length);
      for (const item of body.contents) {
        expect(Object.keys(item).sort()).toEqual(['id', 'last_modified']);
        expect(item.last_modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
      await get('/services?minimal=true&per_page=100000').expect(200);
      expect((await get('/services?minimal=true&per_page=100001').expect(400)).body.message).toBe(
        'per_page must not be greater than 100000',
      );
    });

    it('format=ndjson streams every match, one object a line, honouring filters and full', async () => {
      const parse = (text: string) =>
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Doc);
      const everything = await get('/services?format=ndjson&per_page=1').expect(200);
      expect(everything.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(everything.headers['access-control-allow-origin']).toBe('*');
      const lines = parse(everything.text);
      expect(ids(lines)).toEqual(ids(services));
      expect(lines.map((l) => l.id)).toEqual((await all('/services')).map((s) => s.id));

      const org = services[3].organization.id;
      const filtered = parse(
        (await get(`/services?format=ndjson&full=true&organization_id=${org}`)).text,
      );
      expect(ids(filtered)).toEqual(expectedIds((s) => s.organization.id === org));
      const { body: one } = await get(`/services/${filtered[0].id}`).expect(200);
      expect(filtered[0]).toEqual(one);

      for (const path of [
        '/service_at_locations',
        '/organizations',
        '/taxonomies',
        '/taxonomy_terms',
      ]) {
        const streamed = parse((await get(`${path}?format=ndjson`).expect(200)).text);
        expect(ids(streamed)).toEqual(ids(await all(path)));
      }
    });
  });

  describe('format=ndjson in short statements (keyset paging)', () => {
    /** A list read as a stream whose batches start at one row, so that every order is paged. */
    const streamed = async (resource: AnyResource, search: string): Promise<string[]> => {
      const query = plainToInstance(
        resource.list.query,
        Object.fromEntries(new URLSearchParams(search)),
      );
      const { plan, shape } = await t.app.get(Lists).plan(resource.list, query);
      const lines: string[] = [];
      for await (const text of t.app.get(RecordReader).stream(shape, plan, 1)) lines.push(text);
      return lines
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as Doc).id as string);
    };
    const paged = async (path: string, search: string) =>
      (await all(`${path}?${search}`)).map((item) => item.id as string);

    it('reads what the pages read, in the same order, whatever the order is made of', async () => {
      const located = services
        .flatMap((s) => s.service_at_locations ?? [])
        .find((x) => x.location?.latitude);
      const near = `lat=${located.location.latitude}&long=${located.location.longitude}&proximity=50000`;
      const parent = terms.find((p) => terms.some((c) => c.parent_id === p.id))!;
      const cases: [AnyResource, string, string][] = [
        [SERVICES, '', '/services'],
        [SERVICES, 'search=advice', '/services'],
        [SERVICES, 'search=support%20or%20help', '/services'], // many equal ranks
        [SERVICES, 'search=advcie', '/services'], // the misspelling fallback's similarity
        [SERVICES, near, '/services'], // nearest first
        [SERVICES, `taxonomy_term_id=${parent.id}`, '/services'],
        [SERVICE_AT_LOCATIONS, near, '/service_at_locations'],
        [SERVICE_AT_LOCATIONS, '', '/service_at_locations'],
        [SERVICE_AT_LOCATIONS, near.replace('&proximity=50000', ''), '/service_at_locations'],
      ];
      for (const [resource, search, path] of cases) {
        const expected = await paged(path, search);
        expect(expected.length).toBeGreaterThan(2);
        expect({ search, ids: await streamed(resource, search) }).toEqual({
          search,
          ids: expected,
        });
      }
    });

    it('fails, never ends as if complete, when its connection is lost between two statements', async () => {
      const query = plainToInstance(SERVICES.list.query, {});
      const { plan, shape } = await t.app.get(Lists).plan(SERVICES.list, query);
      const lines = t.app.get(RecordReader).stream(shape, plan, 1);
      expect((await lines.next()).done).toBe(false);
      // The stream's session is the one in a transaction (its snapshot).
      const [{ killed }] = await t.db.query(
        `SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'idle in transaction'`,
      );
      expect(killed).toBe(1);
      // Whichever the driver notices first (the server's goodbye, or the closed socket), it is
      // a lost database, answered as one.
      const error: unknown = await lines.next().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(databaseFailure(error)).toBe('unavailable');
      // The pool is fine afterwards.
      await get('/services?format=ndjson').expect(200);
    });
  });

  describe('search', () => {
    const text = (s: Doc) =>
      [
        s.name,
        s.description,
        s.organization.name,
        ...(s.attributes ?? []).map((a: Doc) => a.taxonomy_term?.name),
      ]
        .join(' ')
        .toLowerCase();

    it('finds every service whose name, description, organization or terms use the word', async () => {
      for (const word of ['food', 'carers', 'dementia', 'football']) {
        const found = await serviceIds(`search=${word}`);
        const stem = word.replace(/s$/, '');
        const expected = expectedIds((s) => new RegExp(`\\b${stem}`).test(text(s)));
        expect(expected.length).toBeGreaterThan(0);
        // Everything that plainly contains the word is found (stemming may find a little more).
        expect(found).toEqual(expect.arrayContaining(expected));
      }
    });

    it('ranks by relevance: a service named for the word comes before one that only mentions it', async () => {
      const { body } = await get('/services?search=food&per_page=5').expect(200);
      expect(body.contents[0].name.toLowerCase()).toContain('food');
    });

    it('-word excludes, "phrases" must appear as written', async () => {
      const found = await all('/services?search=food%20-bank');
      expect(found.length).toBeGreaterThan(0);
      for (const s of found) expect(text(byId.get(s.id)!)).not.toMatch(/\bbank/);
      const phrase = await all('/services?search=%22food%20bank%22');
      expect(phrase.length).toBeGreaterThan(0);
      for (const s of phrase) expect(text(byId.get(s.id)!)).toMatch(/food bank/);
    });

    it('operators stacked or repeated mean what their words mean, on every list', async () => {
      const food = await serviceIds('search=food%20-bank');
      for (const search of [
        '-'.repeat(33) + ' food -bank',
        'food ' + '- '.repeat(17) + '---bank',
        '(- '.repeat(30) + 'food -bank',
        '&-'.repeat(40) + 'food -bank',
        'food' + '|-'.repeat(34) + ' -bank',
      ])
        expect(await serviceIds(`search=${encodeURIComponent(search)}`)).toEqual(food);
      for (const list of ['services', 'service_at_locations', 'organizations', 'taxonomy_terms'])
        for (const search of ['-'.repeat(40), '|-'.repeat(34), '(-&'.repeat(20)]) {
          const { body } = await get(`/${list}?search=${encodeURIComponent(search)}`).expect(200);
          // No word: no search, the whole list.
          const { body: whole } = await get(`/${list}`).expect(200);
          expect(body.total_items).toBe(whole.total_items);
        }
    });

    it('a misspelt or partial word still finds the obvious match', async () => {
      const target = services.find((s) => /counselling/i.test(s.name))!;
      expect(await serviceIds('search=counseling')).toContain(target.id);
      expect(await serviceIds('search=counsel')).toContain(target.id);
      // No word of the directory is "alotment": the close matches are found instead.
      const allotments = services.find((s) => /allotment/i.test(s.name))!;
      expect(await serviceIds('search=alotment')).toContain(allotments.id);
    });

    it('a word of five letters or more with a typo of one edit finds what the word would, first', async () => {
      const exact = (await all('/services?search=domestic')).map((s) => s.id);
      expect(exact.length).toBeGreaterThan(2);
      for (const typo of [
        'domsetic', // two letters swapped
        'domestc', // one left out
        'domesstic', // one too many
        'domextic', // one replaced
        'DOMSETIC', // in any case
      ]) {
        const found = (await all(`/services?search=${typo}`)).map((s) => s.id);
        // Every service the word finds, before anything that is merely similar.
        expect({ typo, first: [...found.slice(0, exact.length)].sort() }).toEqual({
          typo,
          first: [...exact].sort(),
        });
      }
      // With other words, each corrected or not, all of them must match.
      const both = (await all('/services?search=domsetic%20abuse')).map((s) => s.id);
      const exactBoth = (await all('/services?search=domestic%20abuse')).map((s) => s.id);
      expect([...both.slice(0, exactBoth.length)].sort()).toEqual([...exactBoth].sort());
      // A real council's kind of typo: "Indpeendent".
      const independent = await serviceIds('search=independent');
      expect(independent.length).toBeGreaterThan(0);
      expect(await serviceIds('search=Indpeendent')).toEqual(expect.arrayContaining(independent));
      // And in the other lists (the organizations' names are among the words).
      const org = services.find((s) => /advice/i.test(s.organization.name))!.organization;
      const orgs = await all('/organizations?search=advcie');
      expect(orgs.map((o) => o.id)).toContain(org.id);
    });

    it('searches the names and descriptions of the other lists', async () => {
      const term = terms.find((x) => x.name.split(' ').length === 1 && x.name.length > 5)!;
      const found = await all(`/taxonomy_terms?search=${encodeURIComponent(term.name)}`);
      expect(found[0].id).toBe(term.id);
      const org = services[5].organization;
      const orgs = await all(`/organizations?search=${encodeURIComponent(org.name)}`);
      expect(orgs[0].id).toBe(org.id);
      const taxonomy = taxonomies[1];
      const found2 = await all(`/taxonomies?search=${encodeURIComponent(taxonomy.name)}`);
      expect(found2[0].id).toBe(taxonomy.id);
    });
  });

  describe('/taxonomy_terms filters', () => {
    it('taxonomy_id, parent_id and top_only', async () => {
      const [a] = taxonomies;
      expect(ids(await all(`/taxonomy_terms?taxonomy_id=${a.id}`))).toEqual(ids(a.taxonomy_terms));
      const parent = terms.find((p) => terms.some((c) => c.parent_id === p.id))!;
      expect(ids(await all(`/taxonomy_terms?parent_id=${parent.id}`))).toEqual(
        ids(terms.filter((x) => x.parent_id === parent.id)),
      );
      const known = new Set(terms.map((x) => x.id));
      expect(ids(await all('/taxonomy_terms?top_only=true'))).toEqual(
        ids(terms.filter((x) => !x.parent_id || !known.has(x.parent_id))),
      );
      expect(ids(await all(`/taxonomy_terms?top_only=true&taxonomy_id=${a.id}`))).toEqual(
        ids(a.taxonomy_terms.filter((x: Doc) => !x.parent_id || !known.has(x.parent_id))),
      );
    });
  });

  describe('lat, long and proximity', () => {
    const metres = (
      a: { latitude: number; longitude: number },
      b: { latitude: number; longitude: number },
    ) => {
      const rad = Math.PI / 180;
      const h =
        Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 +
        Math.cos(a.latitude * rad) *
          Math.cos(b.latitude * rad) *
          Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
      return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
    };
    const point = { latitude: 51.4584, longitude: -2.5828 };
    const sals = services.flatMap((s) =>
      (s.service_at_locations as Doc[]).map((sal): Doc => ({ ...sal, service: s })),
    );

    it('/service_at_locations within proximity, nearest first, with the distance', async () => {
      const found = await all(
        `/service_at_locations?lat=${point.latitude}&long=${point.longitude}&proximity=1500`,
      );
      const expected = sals.filter(
        (sal) => sal.location.latitude !== undefined && metres(point, sal.location) <= 1500,
      );
      expect(ids(found)).toEqual(ids(expected));
      for (const sal of found) {
        const location = expected.find((e) => e.id === sal.id)!.location;
        expect(Math.abs(sal.distance - metres(point, location))).toBeLessThanOrEqual(1);
      }
      const distances = found.map((s) => s.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    });

    it('/services within proximity of any of their locations, nearest first', async () => {
      const found = await all(
        `/services?lat=${point.latitude}&long=${point.longitude}&proximity=1000`,
      );
      const nearest = (s: Doc) =>
        Math.min(
          ...(s.service_at_locations as Doc[])
            .filter((sal) => sal.location.latitude !== undefined)
            .map((sal) => metres(point, sal.location)),
        );
      expect(ids(found)).toEqual(expectedIds((s) => nearest(s) <= 1000));
      for (const s of found)
        expect(Math.abs(s.distance - nearest(byId.get(s.id)!))).toBeLessThanOrEqual(1);
    });

    officialIt('bodies with distances stay valid', async () => {
      const { body } = await get(
        `/service_at_locations?lat=${point.latitude}&long=${point.longitude}&proximity=3000`,
      ).expect(200);
      expect(officialErrors('service_at_location_list.json', body)).toEqual([]);
    });
  });

  describe('postcode (offline geocoding from the ONSPD table, else from locations)', () => {
    const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'onspd');
    /** The fixture's rows, read independently of the server's loader. */
    const rows = () => {
      const csv = (file: string) =>
        readFileSync(join(FIXTURES, file), 'utf8')
          .trim()
          .split(/\r?\n/)
          .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
      const [header, ...data] = csv('ONSPD_sample.csv');
      const at = (name: string) => header.indexOf(name);
      const wards = new Map(csv('Ward_names.csv').slice(1) as [string, string][]);
      return data
        .filter((r) => r[at('doterm')] === '' && Number(r[at('lat')]) < 90)
        .map((r) => ({
          postcode: r[at('pcds')],
          latitude: Number(r[at('lat')]),
          longitude: Number(r[at('long')]),
          ward: wards.get(r[at('osward')])?.toLowerCase(),
        }));
    };
    const inPolygon = (extent: string, lat: number, lon: number): boolean => {
      const ring: number[][] = JSON.parse(extent).coordinates[0];
      let inside = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi)
          inside = !inside;
      }
      return inside;
    };
    beforeAll(async () => {
      await loadOnspd(t.db, join(FIXTURES, 'ONSPD_sample.csv'), {
        names: [join(FIXTURES, 'LAD_names.csv'), join(FIXTURES, 'Ward_names.csv')],
      });
    });

    it('alone: services whose service areas cover the postcode', async () => {
      let checked = 0;
      for (const row of rows()
        .filter((r) => r.ward)
        .slice(0, 12)) {
        const district = row.postcode.split(' ')[0];
        const covers = (area: Doc) =>
          [row.ward, 'bristol', district.toLowerCase()].includes(String(area.name).toLowerCase()) ||
          (area.extent_type === 'geojson' && inPolygon(area.extent, row.latitude, row.longitude));
        const expected = expectedIds((s) => (s.service_areas ?? []).some(covers));
        const compact = row.postcode.replace(' ', '').toLowerCase();
        const found = await serviceIds(`postcode=${compact}`);
        expect({ postcode: row.postcode, found }).toEqual({
          postcode: row.postcode,
          found: expected,
        });
        checked += expected.length;
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('with proximity: locations within that distance of the postcode, nearest first', async () => {
      const row = rows()[0];
      const found = await all(
        `/service_at_locations?postcode=${encodeURIComponent(row.postcode)}&proximity=800`,
      );
      const rad = Math.PI / 180;
      const metres = (l: Doc) =>
        2 *
        6371008.8 *
        Math.asin(
          Math.sqrt(
            Math.sin(((l.latitude - row.latitude) * rad) / 2) ** 2 +
              Math.cos(row.latitude * rad) *
                Math.cos(l.latitude * rad) *
                Math.sin(((l.longitude - row.longitude) * rad) / 2) ** 2,
          ),
        );
      const expected = services
        .flatMap((s) => s.service_at_locations as Doc[])
        .filter((sal) => sal.location.latitude !== undefined && metres(sal.location) <= 800);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(found)).toEqual(ids(expected));
      expect(found.map((f) => f.distance)).toEqual(
        [...found.map((f) => f.distance)].sort((a, b) => a - b),
      );
    });

    it('a postcode the table lacks is located from the directory’s own locations', async () => {
      const location = services[0].service_at_locations[0].location;
      const postcode = location.addresses[0].postal_code as string;
      await t.db.query(`DELETE FROM postcode WHERE postcode = $1`, [postcode]);
      const found = await all(
        `/service_at_locations?postcode=${encodeURIComponent(postcode)}&proximity=50`,
      );
      expect(ids(found)).toContain(services[0].service_at_locations[0].id);
    });

    it('a malformed postcode → 400', async () => {
      const { body } = await get('/services?postcode=hello').expect(400);
      expect(body).toEqual({
        statusCode: 400,
        message: 'postcode must be a UK postcode such as "BS1 2LH"',
        error: 'Bad Request',
      });
    });

    it('a postcode at no location, without a postcode directory → 501 saying so', async () => {
      // (The last test of this group: it empties the postcode table.)
      await t.db.query('DELETE FROM postcode');
      const { body } = await get('/services?postcode=BS99%209ZZ&proximity=1000').expect(501);
      expect(body).toEqual({
        statusCode: 501,
        message:
          'postcode "BS99 9ZZ" is not at any location of this directory, and no postcode ' +
          'directory is loaded to locate it: see the README, "Postcodes"',
        error: 'Not Implemented',
      });
    });
  });

  describe('bad values are a 400 naming the parameter', () => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    it.each([
      [
        '/services?taxonomy_term_id=abc',
        'taxonomy_term_id must be a UUID (or a comma-separated list)',
      ],
      [`/services?taxonomy_id=${uuid},x`, 'taxonomy_id must be a UUID (or a comma-separated list)'],
      ['/services?organization_id=', 'organization_id must not be empty'],
      [
        '/services?modified_after=yesterday',
        'modified_after must be an ISO 8601 date or date-time',
      ],
      [
        '/services?modified_after=2026-02-30',
        'modified_after must be an ISO 8601 date or date-time',
      ],
      ['/services?minimum_age=-1', 'minimum_age must be a number from 0 to 150'],
      ['/services?maximum_age=old', 'maximum_age must be a number from 0 to 150'],
      ['/services?day=XX', 'day must be one of MO, TU, WE, TH, FR, SA, SU'],
      ['/services?start_time=9am', 'start_time must be a time as HH:MM'],
      ['/services?start_time=12:00&end_time=09:00', 'start_time must be before end_time'],
      ['/services?proximity=500', 'proximity needs a postcode, or lat and long'],
      ['/services?lat=51.4', 'lat and long must be given together'],
      ['/services?lat=91&long=0', 'lat must be a number from -90 to 90'],
      ['/services?minimal=true&full=true', 'minimal and full cannot be combined'],
      ['/services?format=xml', 'format must be json or ndjson'],
      ['/services?search=a&search=b', 'search must be a single string'],
      [
        `/services?search=${'x'.repeat(201)}`,
        'search must be shorter than or equal to 200 characters',
      ],
      ['/service_at_locations?minimal=yes', undefined],
      ['/taxonomy_terms?top_only=1', 'top_only must be a boolean value'],
      ['/taxonomy_terms?parent_id=nope', 'parent_id must be a UUID (or a comma-separated list)'],
      ['/organizations?full_service=2', 'full_service must be a boolean value'],
    ])('%s', async (path, message) => {
      if (message === undefined) {
        // Unknown parameters (minimal is not a /service_at_locations parameter) are ignored.
        await get(path).expect(200);
        return;
      }
      const { body } = await get(path).expect(400);
      expect(body).toEqual({ statusCode: 400, message, error: 'Bad Request' });
    });
  });
});
