import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `postcode` coverage (src/search/filters.ts, coverage()): one per way a
 * service area can cover a postcode, so that each is a lookup rather than a scan of every
 * service area. Names and codes: lower(name), lower(service_area), and the name without
 * spaces in upper case (a postcode area, district or sector). GeoJSON extents: their
 * bounding box, in a GiST index, before the exact point-in-polygon test.
 *
 * The bounding box is read from the text (every "[x, y]" pair of numbers, quoted or not),
 * so that it needs no JSON parsing and cannot fail: a box that holds every vertex holds the
 * polygon; anything else in the document can only make it larger, never wrong. NULL when the
 * text has no coordinate pair (such an extent covers nothing anyway).
 */
const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:[eE][-+]?\d{1,3})?`;

export class ServiceAreaCoverage1795586130889 implements MigrationInterface {
  name = 'ServiceAreaCoverage1795586130889';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE FUNCTION oruk_geojson_bbox(extent text) RETURNS box
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT box(point(min(x), min(y)), point(max(x), max(y)))
        FROM (
          SELECT least(greatest(m[1]::numeric, -1e6), 1e6)::float8 AS x,
                 least(greatest(m[2]::numeric, -1e6), 1e6)::float8 AS y
          FROM regexp_matches(extent, '\\[\\s*"?(${NUMBER})"?\\s*,\\s*"?(${NUMBER})"?', 'g') AS m
        ) p
      $$`);
    await q(`CREATE INDEX "IDX_service_area_name" ON service_area (lower(name))`);
    await q(`CREATE INDEX "IDX_service_area_service_area" ON service_area (lower(service_area))`);
    await q(`CREATE INDEX "IDX_service_area_code" ON service_area (upper(replace(name, ' ', '')))`);
    await q(`
      CREATE INDEX "IDX_service_area_extent_bbox" ON service_area
      USING gist (oruk_geojson_bbox(extent)) WHERE lower(extent_type) = 'geojson'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['extent_bbox', 'code', 'service_area', 'name'])
      await queryRunner.query(`DROP INDEX "IDX_service_area_${index}"`);
    await queryRunner.query(`DROP FUNCTION oruk_geojson_bbox(text)`);
  }
}
