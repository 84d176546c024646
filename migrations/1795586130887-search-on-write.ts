import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A service's search columns, computed as the loader writes it rather than by a second
 * UPDATE at commit. The loader writes a document's organization, taxonomy terms and
 * attributes before the service itself, so oruk_service_search() sees everything the
 * columns are made of. Any other write (a council's own SQL, a renamed organization or
 * term, a changed attribute) still queues the service for the refresh at commit
 * (1795586130885), which now uses the same function: one definition of what is searched.
 */
export class SearchOnWrite1795586130887 implements MigrationInterface {
  name = 'SearchOnWrite1795586130887';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    // $1 id, $2 name, $3 description, $4 organization_id (positional: the names would be
    // taken for the columns of the tables read here).
    await q(`
      CREATE FUNCTION oruk_service_search(uuid, text, text, uuid)
      RETURNS TABLE (vector tsvector, text text) LANGUAGE sql STABLE AS $$
        SELECT
          setweight(to_tsvector('english', coalesce($2, '')), 'A')
            || setweight(to_tsvector('english', coalesce(o.name, '')), 'B')
            || setweight(to_tsvector('english', coalesce(t.names, '')), 'B')
            || setweight(to_tsvector('english', coalesce($3, '')), 'C'),
          lower(concat_ws(' ', $2, o.name, t.names))
        FROM (SELECT (SELECT name FROM organization WHERE id = $4) AS name) o,
             (SELECT string_agg(tt.name, ' ' ORDER BY tt.name) AS names
              FROM attribute a JOIN taxonomy_term tt ON tt.id = a.taxonomy_term_id
              WHERE a.link_entity = 'service' AND a.link_id = $1) t
      $$`);
    await q(`
      CREATE OR REPLACE FUNCTION oruk_refresh_queued_search() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        ids uuid[];
      BEGIN
        WITH queued AS (
          DELETE FROM service_search_pending WHERE xact = NEW.xact RETURNING service_id)
        SELECT array_agg(service_id) INTO ids FROM queued;
        UPDATE service s SET search_vector = d.vector, search_text = d.text
        FROM service c, LATERAL oruk_service_search(c.id, c.name, c.description, c.organization_id) d
        WHERE c.id = ANY(ids) AND s.id = ANY(ids) AND s.id = c.id
          AND (s.search_vector, s.search_text) IS DISTINCT FROM (d.vector, d.text);
        DELETE FROM service_search_flush WHERE xact = NEW.xact;
        RETURN NULL;
      END $$`);
    // Queue only what the statement did not compute itself.
    await q(`
      CREATE OR REPLACE FUNCTION oruk_queue_service_search() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO service_search_pending (service_id)
          SELECT id FROM new_rows WHERE search_vector IS NULL
          ON CONFLICT DO NOTHING;
        ELSE
          INSERT INTO service_search_pending (service_id)
          SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE (n.name, n.description, n.organization_id, n.last_modified)
                IS DISTINCT FROM (o.name, o.description, o.organization_id, o.last_modified)
            AND (n.search_vector, n.search_text)
                IS NOT DISTINCT FROM (o.search_vector, o.search_text)
          ON CONFLICT DO NOTHING;
        END IF;
        IF FOUND THEN
          INSERT INTO service_search_flush VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE OR REPLACE FUNCTION oruk_queue_service_search() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO service_search_pending (service_id) SELECT id FROM new_rows
          ON CONFLICT DO NOTHING;
        ELSE
          INSERT INTO service_search_pending (service_id)
          SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE (n.name, n.description, n.organization_id, n.last_modified)
                IS DISTINCT FROM (o.name, o.description, o.organization_id, o.last_modified)
          ON CONFLICT DO NOTHING;
        END IF;
        IF FOUND THEN
          INSERT INTO service_search_flush VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE OR REPLACE FUNCTION oruk_refresh_queued_search() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        ids uuid[];
      BEGIN
        WITH queued AS (
          DELETE FROM service_search_pending WHERE xact = NEW.xact RETURNING service_id)
        SELECT array_agg(service_id) INTO ids FROM queued;
        UPDATE service s SET search_vector = d.vector, search_text = d.text
        FROM (
          SELECT s.id,
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
          WHERE s.id = ANY(ids)) d
        WHERE s.id = ANY(ids) AND s.id = d.id
          AND (s.search_vector, s.search_text) IS DISTINCT FROM (d.vector, d.text);
        DELETE FROM service_search_flush WHERE xact = NEW.xact;
        RETURN NULL;
      END $$`);
    await q(`DROP FUNCTION oruk_service_search(uuid, text, text, uuid)`);
  }
}
