import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/config/config';
import { Geocoder, PostcodeError } from '../src/geo/geocoder';
import { loadOnspd, readAreaNames } from '../src/geo/onspd';
import { normalisePostcode } from '../src/geo/postcode';
import { createTestApp, TestApp } from './support/app';

const FIXTURES = join(projectRoot(), 'test', 'fixtures', 'onspd');
const ONSPD = join(FIXTURES, 'ONSPD_sample.csv');
const NAMES = [join(FIXTURES, 'LAD_names.csv'), join(FIXTURES, 'Ward_names.csv')];
/** Rows in the fixture, and of those the one without a grid reference (BS99 2ZZ). */
const ROWS = 81;
const LOADED = ROWS - 1;

const BRISTOL = ['e06000023', 'bristol, city of'];

describe('postcodes: the ONSPD loader and the geocoder', () => {
  let t: TestApp;
  let geocoder: Geocoder;
  const table = async () =>
    t.db.query(
      `SELECT postcode, latitude, longitude, areas, to_char(terminated, 'YYYY-MM-DD') AS terminated
       FROM postcode ORDER BY postcode`,
    );

  beforeAll(async () => {
    t = await createTestApp();
    geocoder = new Geocoder(t.db);
  });
  afterAll(() => t.close());

  describe('loading', () => {
    it('loads every row with coordinates and skips the one without', async () => {
      const result = await loadOnspd(t.db, ONSPD, { names: NAMES });
      expect(result).toEqual({
        loaded: LOADED,
        changed: LOADED,
        skipped: 1,
        elapsed: expect.any(Number),
      });
      const rows = await table();
      expect(rows).toHaveLength(LOADED);
      expect(rows.map((r: any) => r.postcode)).not.toContain('BS99 2ZZ');
      expect(rows.every((r: any) => r.postcode === normalisePostcode(r.postcode))).toBe(true);
    });

    it('stores codes and names of the district and ward, lower-cased', async () => {
      const [row] = await t.db.query(`SELECT * FROM postcode WHERE postcode = 'BS10 5PN'`);
      expect(row).toEqual({
        postcode: 'BS10 5PN',
        latitude: 51.4962,
        longitude: -2.5992,
        areas: ['e06000023', 'e05010913', 'bristol, city of', 'southmead'],
        terminated: null,
      });
      const [terminated] = await table().then((rows) =>
        rows.filter((r: any) => r.postcode === 'BS1 3NQ'),
      );
      expect(terminated.terminated).toBe('2019-05-01');
    });

    it('covers every postcode of the seed data, at its locations', async () => {
      const seed: { postal_code: string; latitude: number | null; longitude: number | null }[] =
        await t.db.query(
          `SELECT a.postal_code, avg(l.latitude) AS latitude, avg(l.longitude) AS longitude
           FROM address a JOIN location l ON l.id = a.location_id GROUP BY a.postal_code`,
        );
      expect(seed.length).toBeGreaterThan(50);
      const rows = new Map<string, any>((await table()).map((r: any) => [r.postcode, r]));
      for (const { postal_code, latitude, longitude } of seed) {
        const row = rows.get(normalisePostcode(postal_code)!);
        expect({ postal_code, found: !!row }).toEqual({ postal_code, found: true });
        // PO boxes have no coordinates in the seed; ONSPD gives them their sector's mean.
        if (latitude !== null) {
          expect(row.latitude).toBeCloseTo(latitude, 9);
          expect(row.longitude).toBeCloseTo(longitude!, 9);
        }
        expect(row.areas).toEqual(expect.arrayContaining(BRISTOL));
      }
    });

    it('names the wards as the seed service areas do', async () => {
      const wards = [...(await readAreaNames([NAMES[1]])).values()].map((w) => w.toLowerCase());
      const served: string[] = (
        await t.db.query(`SELECT DISTINCT lower(name) AS name FROM service_area`)
      ).map((r: any) => r.name);
      const [{ areas }] = await t.db.query(
        `SELECT array_agg(DISTINCT area) AS areas FROM postcode, unnest(areas) AS area`,
      );
      const servedWards = served.filter((name) => wards.includes(name));
      expect(servedWards.length).toBeGreaterThanOrEqual(20);
      // every ward a seed service serves has postcodes in the table
      expect(areas).toEqual(expect.arrayContaining(servedWards));
    });

    it('changes nothing when the same file is loaded again', async () => {
      const before = await table();
      const result = await loadOnspd(t.db, ONSPD, { names: NAMES });
      expect(result).toMatchObject({ loaded: LOADED, changed: 0, skipped: 1 });
      expect(await table()).toEqual(before);
    });

    it('gives the same table in small batches', async () => {
      const before = await table();
      await t.db.query('DELETE FROM postcode');
      const batches: number[] = [];
      const result = await loadOnspd(t.db, ONSPD, {
        names: NAMES,
        batchSize: 7,
        onProgress: ({ loaded }) => batches.push(loaded),
      });
      expect(result).toMatchObject({ loaded: LOADED, changed: LOADED, skipped: 1 });
      expect(batches).toHaveLength(Math.ceil(LOADED / 7));
      expect(batches.at(-1)).toBe(LOADED);
      expect(await table()).toEqual(before);
    });

    it('without name files, keeps the codes only', async () => {
      const result = await loadOnspd(t.db, ONSPD);
      expect(result).toMatchObject({ loaded: LOADED, changed: LOADED });
      const [row] = await t.db.query(`SELECT areas FROM postcode WHERE postcode = 'BS10 5PN'`);
      expect(row.areas).toEqual(['e06000023', 'e05010913']);
      await loadOnspd(t.db, ONSPD, { names: NAMES });
    });

    describe('rejects files it cannot read', () => {
      let dir: string;
      beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'onspd-'))));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const file = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };

      it('a file that is not the ONSPD', async () => {
        const csv = file('other.csv', 'pcds,latitude,longitude\nBS1 5TR,51.45,-2.6\n');
        await expect(loadOnspd(t.db, csv)).rejects.toThrow(
          /does not look like the ONS Postcode Directory: no latitude, longitude column/,
        );
      });

      it('an empty file', async () => {
        await expect(loadOnspd(t.db, file('empty.csv', ''))).rejects.toThrow(/is empty/);
      });

      it('a missing file', async () => {
        await expect(loadOnspd(t.db, join(dir, 'missing.csv'))).rejects.toThrow(/ENOENT/);
      });

      it('a names file without code and name columns', async () => {
        const names = file('names.csv', 'code,name\nE06000023,Bristol\n');
        await expect(loadOnspd(t.db, ONSPD, { names: [names] })).rejects.toThrow(
          /expected a code column \(header ending in CD/,
        );
      });

      it('malformed CSV, naming the line', async () => {
        const csv = file('bad.csv', 'pcds,lat,long\n"BS1 5TR,51.45,-2.6\n');
        await expect(loadOnspd(t.db, csv)).rejects.toThrow(/line 2/);
      });
    });

    it('reads newer editions: other column names, any case, any order, quoted or not', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'onspd-'));
      try {
        const csv = join(dir, 'ONSPD_AUG_2025_UK.csv');
        writeFileSync(
          csv,
          '\ufeffLONG,LAT,PCD7,LAD25CD,WD25CD,DOTERM\r\n' +
            '-2.6,51.45,"bs1  9zz",E06000023,E05010892,\r\n' +
            '-2.6,51.46,BS19ZY,E06000023,E99999999,"202412"\r\n' +
            '-2.6,51.47,NOT A POSTCODE,E06000023,E05010892,\r\n',
        );
        const result = await loadOnspd(t.db, csv, { names: NAMES });
        expect(result).toMatchObject({ loaded: 2, skipped: 1 });
        expect(
          await t.db.query(
            `SELECT postcode, latitude, areas, terminated::text FROM postcode
             WHERE postcode IN ('BS1 9ZZ', 'BS1 9ZY') ORDER BY postcode`,
          ),
        ).toEqual([
          {
            postcode: 'BS1 9ZY',
            latitude: 51.46,
            areas: BRISTOL,
            terminated: '2024-12-01',
          },
          {
            postcode: 'BS1 9ZZ',
            latitude: 51.45,
            areas: ['e06000023', 'e05010892', 'bristol, city of', 'central'],
            terminated: null,
          },
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await t.db.query(`DELETE FROM postcode WHERE postcode IN ('BS1 9ZZ', 'BS1 9ZY')`);
      }
    });
  });

  describe('Geocoder.locate', () => {
    it('finds a postcode in the table, however it is written', async () => {
      for (const input of ['bs105pn', ' BS10  5PN ', 'Bs10 5pN'])
        expect(await geocoder.locate(input)).toEqual({
          postcode: 'BS10 5PN',
          latitude: 51.4962,
          longitude: -2.5992,
          areas: ['e06000023', 'e05010913', 'bristol, city of', 'southmead'],
          source: 'onspd',
        });
    });

    it('finds a postcode only the table knows', async () => {
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM address WHERE upper(replace(postal_code, ' ', '')) = 'BS15TR'`,
      );
      expect(n).toBe(0);
      expect(await geocoder.locate('bs15tr')).toEqual({
        postcode: 'BS1 5TR',
        latitude: 51.4523,
        longitude: -2.6009,
        areas: ['e06000023', 'e05010892', 'bristol, city of', 'central'],
        source: 'onspd',
      });
    });

    it('still finds a terminated postcode', async () => {
      expect(await geocoder.locate('BS1 3NQ')).toMatchObject({
        postcode: 'BS1 3NQ',
        source: 'onspd',
      });
    });

    it('uses one SQL statement', async () => {
      const before = t.statements();
      await geocoder.locate('BS10 5PN');
      expect(t.statements() - before).toBe(1);
      await geocoder.locate('ZE1 0AA').catch(() => undefined); // not found: one too
      expect(t.statements() - before).toBe(2);
    });

    it('falls back to the locations at the postcode when the table lacks it', async () => {
      const [location] = await t.db.query(
        `SELECT l.latitude, l.longitude FROM location l JOIN address a ON a.location_id = l.id
         WHERE a.postal_code = 'BS3 4EW'`,
      );
      await t.db.query(`DELETE FROM postcode WHERE postcode = 'BS3 4EW'`);
      const before = t.statements();
      expect(await geocoder.locate('bs34ew')).toEqual({
        postcode: 'BS3 4EW',
        latitude: location.latitude,
        longitude: location.longitude,
        areas: [],
        source: 'locations',
      });
      expect(t.statements() - before).toBe(1);
    });

    it('averages the locations at the postcode, however their addresses spell it', async () => {
      const located = async (postcode: string) =>
        (
          await t.db.query(
            `SELECT l.id, l.latitude, l.longitude FROM location l
             JOIN address a ON a.location_id = l.id WHERE a.postal_code = $1`,
            [postcode],
          )
        )[0];
      const [a, b] = [await located('BS4 1NL'), await located('BS4 1HE')];
      await t.db.query(`UPDATE address SET postal_code = ' bs4 1nl' WHERE location_id = $1`, [
        b.id,
      ]);
      await t.db.query(`DELETE FROM postcode WHERE postcode = 'BS4 1NL'`);
      const point = await geocoder.locate('BS4 1NL');
      expect(point.source).toBe('locations');
      expect(point.latitude).toBeCloseTo((a.latitude + b.latitude) / 2, 9);
      expect(point.longitude).toBeCloseTo((a.longitude + b.longitude) / 2, 9);
    });

    it('prefers the table to the locations', async () => {
      expect(await geocoder.locate('BS5 6DS')).toMatchObject({ source: 'onspd' });
    });

    it.each([
      'not a postcode',
      '',
      'BS1',
      'Q1 1AA',
      "BS1 5TR' OR '1'='1",
      'BS1 5TR; DROP TABLE postcode',
    ])('rejects the malformed %j', async (input) => {
      const error = await geocoder.locate(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostcodeError);
      expect(error).toMatchObject({
        message: 'postcode must be a UK postcode such as "BS1 2LH"',
        reason: 'malformed',
        name: 'PostcodeError',
      });
    });

    it('rejects a postcode that is neither in the table nor at any location', async () => {
      const error = await geocoder.locate('ze1 0aa').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostcodeError);
      expect(error).toMatchObject({
        message: 'postcode "ZE1 0AA" was not found in the postcode directory or at any location',
        reason: 'not_found',
      });
    });

    it('rejects a postcode without a grid reference (skipped by the loader)', async () => {
      await expect(geocoder.locate('BS99 2ZZ')).rejects.toThrow(
        'postcode "BS99 2ZZ" was not found in the postcode directory or at any location',
      );
    });

    it('rejects a postcode whose locations have no coordinates, once the table lacks it', async () => {
      await t.db.query(`DELETE FROM postcode WHERE postcode = 'BS99 7EP'`);
      await expect(geocoder.locate('BS99 7EP')).rejects.toThrow(PostcodeError);
    });
  });

  describe('bounding boxes of GeoJSON extents (the coverage prefilter)', () => {
    const bbox = async (extent: string | null) => {
      const [{ box }] = await t.db.query<{ box: string | null }[]>(
        `SELECT oruk_geojson_bbox($1)::text AS box`,
        [extent],
      );
      return box;
    };

    it('holds every vertex of polygons and multipolygons, numbers quoted or not', async () => {
      expect(
        await bbox(
          '{"type":"Polygon","coordinates":[[[-2.6,51.4],[-2.5,51.5],[-2.55,51.45],[-2.6,51.4]]]}',
        ),
      ).toBe('(-2.5,51.5),(-2.6,51.4)');
      expect(
        await bbox(
          '{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4],[1,4]]],[[["-5", "6e0"],[7,-8],[0,0]]]]}}',
        ),
      ).toBe('(7,6),(-5,-8)');
    });

    it('is NULL for text without coordinates, and never fails', async () => {
      expect(await bbox('not GeoJSON at all')).toBeNull();
      expect(await bbox(null)).toBeNull();
      expect(await bbox('{"type":"Polygon","coordinates":[[[1e999,2],[3,4],[5,6]]]}')).toBe(
        '(1000000,6),(3,2)',
      );
    });
  });
});
