import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oruk_geojson_contains (postcode coverage of a service area's GeoJSON extent) catches
 * malformed GeoJSON with EXCEPTION blocks, which start subtransactions, which PostgreSQL
 * forbids while a query runs in parallel: declared PARALLEL SAFE, it made
 * `/services?postcode=…` fail on large tables, where the planner goes parallel. PARALLEL
 * UNSAFE keeps such queries in one process.
 */
export class GeojsonParallelUnsafe1795586130888 implements MigrationInterface {
  name = 'GeojsonParallelUnsafe1795586130888';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER FUNCTION oruk_geojson_contains(text, float8, float8) PARALLEL UNSAFE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER FUNCTION oruk_geojson_contains(text, float8, float8) PARALLEL SAFE`,
    );
  }
}
