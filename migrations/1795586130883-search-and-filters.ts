import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the query parameters need beyond plain columns (issue: the whole ORUK 3.0 surface):
 *
 *  - `search` on /services: a weighted tsvector per service over its name (A), its
 *    organization's name and its taxonomy terms' names (B) and its description (C), plus the
 *    same names as plain text for trigram matching of misspelt or partial words. They are
 *    kept by a deferred trigger, at commit, so they see everything the transaction wrote
 *    (a service's attributes are written after the service). A change to anything the
 *    document holds stamps last_modified (previous migration), which queues the refresh. Updating them does not count
 *    as a change of the service: last_modified ignores the search columns.
 *  - `search` on the other lists: expression indexes over name and description.
 *  - `day`: oruk_weekdays(byday) turns "MO,WE", "1MO" or "-1FR" into weekday codes, with
 *    a GIN index over it.
 *
 * The btree indexes (ages, coordinates, attribute by term) are declared on the entities.
 */

// A frozen snapshot: the SQL is spelt out rather than built from src/, which will change.
const SERVICE_SEARCH = `
  SELECT
    setweight(to_tsvector('english', coalesce(s.name, '')), 'A')
      || setweight(to_tsvector('english', coalesce(o.name, '')), 'B')
      || setweight(to_tsvector('english', coalesce(t.names, '')), 'B')
      || setweight(to_tsvector('english', coalesce(s.description, '')), 'C') AS vector,
    lower(concat_ws(' ', s.name, o.name, t.names)) AS text
  FROM service s
  LEFT JOIN organization o ON o.id = s.organization_id
  LEFT JOIN LATERAL (
    SELECT string_agg(tt.name, ' ' ORDER BY tt.name) AS names
    FROM attribute a JOIN taxonomy_term tt ON tt.id = a.taxonomy_term_id
    WHERE a.link_entity = 'service' AND a.link_id = s.id
  ) t ON true
  WHERE s.id = service_id`;

/** Plain indexes, as TypeORM generates them from the entities. */
const BTREE = [
  ['IDX_service_minimum_age', 'service', '"minimum_age"'],
  ['IDX_service_maximum_age', 'service', '"maximum_age"'],
  ['IDX_location_latitude_longitude', 'location', '"latitude", "longitude"'],
  ['IDX_attribute_term_link', 'attribute', '"taxonomy_term_id", "link_entity", "link_id"'],
];

export class SearchAndFilters1795586130883 implements MigrationInterface {
  name = 'SearchAndFilters1795586130883';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    for (const [name, table, columns] of BTREE)
      await queryRunner.query(`CREATE INDEX "${name}" ON "${table}" (${columns})`);
    await queryRunner.query(
      `ALTER TABLE "service" ADD "search_vector" tsvector, ADD "search_text" text`,
    );
    await queryRunner.query(`
      CREATE FUNCTION oruk_refresh_service_search(service_id uuid) RETURNS void
      LANGUAGE sql AS $$
        UPDATE service s SET search_vector = d.vector, search_text = d.text
        FROM (${SERVICE_SEARCH}) d
        WHERE s.id = service_id
          AND (s.search_vector, s.search_text) IS DISTINCT FROM (d.vector, d.text)
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION oruk_service_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM oruk_refresh_service_search(NEW.id);
        RETURN NULL;
      END $$`);
    // Redefine: a change of the search columns alone is not a change of the service.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION oruk_service_modified() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_modified IS NOT DISTINCT FROM OLD.last_modified
           AND (to_jsonb(NEW) - 'search_vector' - 'search_text')
               IS DISTINCT FROM (to_jsonb(OLD) - 'search_vector' - 'search_text') THEN
          NEW.last_modified := now();
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE INDEX "IDX_service_search_vector" ON "service" USING gin ("search_vector")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_search_text" ON "service" USING gin ("search_text" gin_trgm_ops)`,
    );
    for (const table of ['organization', 'taxonomy', 'taxonomy_term']) {
      await queryRunner.query(`
        CREATE INDEX "IDX_${table}_search" ON "${table}" USING gin
        ((to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))))`);
    }
    for (const table of ['organization', 'taxonomy_term']) {
      await queryRunner.query(
        `CREATE INDEX "IDX_${table}_name_trgm" ON "${table}" USING gin (lower(name) gin_trgm_ops)`,
      );
    }
    // Fill the search columns of existing services, then keep them from now on.
    await queryRunner.query(`SELECT oruk_refresh_service_search(id) FROM service`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER service_search
      AFTER INSERT OR UPDATE OF name, description, organization_id, last_modified ON service
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oruk_service_search_trigger()`);
    await queryRunner.query(`
      CREATE FUNCTION oruk_weekdays(byday text) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT m[1]), '{}')
        FROM regexp_matches(upper(coalesce(byday, '')), '(MO|TU|WE|TH|FR|SA|SU)', 'g') AS m
      $$`);
    await queryRunner.query(
      `CREATE INDEX "IDX_schedule_weekdays" ON "schedule" USING gin (oruk_weekdays(byday))`,
    );
    // Point in a GeoJSON Polygon or MultiPolygon (even-odd rule, holes included), for the
    // coverage of a postcode by a service area's extent. Bad GeoJSON covers nothing.
    await queryRunner.query(`
      CREATE FUNCTION oruk_geojson_contains(extent text, lat float8, lon float8) RETURNS boolean
      LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        g jsonb;
        polygons jsonb;
        polygon jsonb;
        ring jsonb;
        inside boolean;
        n int;
        j int;
        xi float8; yi float8; xj float8; yj float8;
      BEGIN
        BEGIN
          g := extent::jsonb;
        EXCEPTION WHEN others THEN
          RETURN false;
        END;
        IF g ->> 'type' = 'Feature' THEN g := g -> 'geometry'; END IF;
        IF g ->> 'type' = 'Polygon' THEN polygons := jsonb_build_array(g -> 'coordinates');
        ELSIF g ->> 'type' = 'MultiPolygon' THEN polygons := g -> 'coordinates';
        ELSE RETURN false;
        END IF;
        IF jsonb_typeof(polygons) <> 'array' THEN RETURN false; END IF;
        FOR polygon IN SELECT value FROM jsonb_array_elements(polygons) LOOP
          CONTINUE WHEN jsonb_typeof(polygon) <> 'array';
          inside := false;
          FOR ring IN SELECT value FROM jsonb_array_elements(polygon) LOOP
            CONTINUE WHEN jsonb_typeof(ring) <> 'array';
            n := jsonb_array_length(ring);
            j := n - 1;
            FOR i IN 0 .. n - 1 LOOP
              xi := (ring -> i ->> 0)::float8; yi := (ring -> i ->> 1)::float8;
              xj := (ring -> j ->> 0)::float8; yj := (ring -> j ->> 1)::float8;
              IF (yi > lat) <> (yj > lat) AND lon < (xj - xi) * (lat - yi) / (yj - yi) + xi THEN
                inside := NOT inside;
              END IF;
              j := i;
            END LOOP;
          END LOOP;
          IF inside THEN RETURN true; END IF;
        END LOOP;
        RETURN false;
      EXCEPTION WHEN others THEN
        RETURN false;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION oruk_geojson_contains(text, float8, float8)`);
    await queryRunner.query(`DROP INDEX "IDX_schedule_weekdays"`);
    await queryRunner.query(`DROP FUNCTION oruk_weekdays(text)`);
    for (const table of ['organization', 'taxonomy_term'])
      await queryRunner.query(`DROP INDEX "IDX_${table}_name_trgm"`);
    for (const table of ['organization', 'taxonomy', 'taxonomy_term'])
      await queryRunner.query(`DROP INDEX "IDX_${table}_search"`);
    await queryRunner.query(`DROP TRIGGER service_search ON service`);
    await queryRunner.query(`DROP FUNCTION oruk_service_search_trigger()`);
    await queryRunner.query(`DROP FUNCTION oruk_refresh_service_search(uuid)`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION oruk_service_modified() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_modified IS NOT DISTINCT FROM OLD.last_modified THEN
          NEW.last_modified := now();
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`ALTER TABLE "service" DROP COLUMN "search_text"`);
    await queryRunner.query(`ALTER TABLE "service" DROP COLUMN "search_vector"`);
    for (const [name] of BTREE) await queryRunner.query(`DROP INDEX "${name}"`);
  }
}
