import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk imports (issue: get a council's data in and out) write thousands of rows a
 * statement. The row triggers of the earlier migrations ran a PL/pgSQL function and a
 * few queries for every row; here the same rules run once per statement, set-based, over
 * the statement's transition tables (the rows it inserted, updated or deleted):
 *
 *  - last_modified: each table nested in a service stamps the services containing the
 *    rows a statement changed, once per service and transaction, as before;
 *  - search: a service inserted, renamed, re-described, moved to another organization or
 *    stamped is queued in service_search_pending; at commit one deferred trigger (one event
 *    per transaction, through service_search_flush) refreshes every queued service in one
 *    statement (it sees everything the transaction wrote) and empties the queue. Both tables
 *    are unlogged: they are empty outside a transaction.
 *
 * The rules themselves (which rows belong to which services) are unchanged.
 */

// A frozen snapshot, as in the earlier migrations: tables and SQL are spelt out here.
const CONTAINED_IN: Record<string, string[]> = {
  organization: ['organization', 'id'],
  organization_identifier: ['organization', 'organization_id'],
  location: ['location', 'id'],
  address: ['location', 'location_id'],
  accessibility: ['location', 'location_id'],
  service_at_location: ['service', 'service_id'],
  schedule: ['service', 'service_id', 'service_at_location', 'service_at_location_id'],
  service_area: ['service', 'service_id'],
  contact: ['service', 'service_id'],
  phone: ['service', 'service_id', 'location', 'location_id', 'contact', 'contact_id'],
  language: ['service', 'service_id', 'phone', 'phone_id'],
  funding: ['service', 'service_id'],
  cost_option: ['service', 'service_id'],
  attribute: ['@link_entity', 'link_id'],
  taxonomy_term: ['taxonomy_term', 'id'],
};

const SERVICE_SEARCH = `
  SELECT
    s.id,
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
  ) t ON true`;

const EVENTS = [
  ['insert', 'INSERT', 'REFERENCING NEW TABLE AS new_rows'],
  ['update', 'UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'],
  ['delete', 'DELETE', 'REFERENCING OLD TABLE AS old_rows'],
] as const;

export class SetBasedTriggers1795586130885 implements MigrationInterface {
  name = 'SetBasedTriggers1795586130885';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    for (const table of Object.keys(CONTAINED_IN)) {
      await q(`DROP TRIGGER ${table}_touch_services_on_update ON "${table}"`);
      await q(`DROP TRIGGER ${table}_touch_services ON "${table}"`);
    }
    await q(`DROP TRIGGER service_search ON service`);
    await q(`DROP FUNCTION oruk_service_search_trigger()`);
    await q(`DROP FUNCTION oruk_touch_services()`);

    await q(`
      CREATE FUNCTION oruk_services_containing_any(entity text, ids uuid[]) RETURNS SETOF uuid
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        CASE entity
          WHEN 'service' THEN RETURN QUERY SELECT unnest(ids);
          WHEN 'organization' THEN
            RETURN QUERY SELECT s.id FROM service s WHERE s.organization_id = ANY(ids);
          WHEN 'organization_identifier' THEN
            RETURN QUERY SELECT s.id FROM organization_identifier i JOIN service s ON s.organization_id = i.organization_id WHERE i.id = ANY(ids);
          WHEN 'service_at_location' THEN
            RETURN QUERY SELECT sal.service_id FROM service_at_location sal WHERE sal.id = ANY(ids);
          WHEN 'location' THEN
            RETURN QUERY SELECT sal.service_id FROM service_at_location sal WHERE sal.location_id = ANY(ids);
          WHEN 'address' THEN
            RETURN QUERY SELECT sal.service_id FROM address a JOIN service_at_location sal ON sal.location_id = a.location_id WHERE a.id = ANY(ids);
          WHEN 'accessibility' THEN
            RETURN QUERY SELECT sal.service_id FROM accessibility a JOIN service_at_location sal ON sal.location_id = a.location_id WHERE a.id = ANY(ids);
          WHEN 'contact' THEN
            RETURN QUERY SELECT c.service_id FROM contact c WHERE c.id = ANY(ids);
          WHEN 'phone' THEN
            RETURN QUERY
              SELECT p.service_id FROM phone p WHERE p.id = ANY(ids) AND p.service_id IS NOT NULL
              UNION SELECT c.service_id FROM phone p JOIN contact c ON c.id = p.contact_id WHERE p.id = ANY(ids)
              UNION SELECT sal.service_id FROM phone p JOIN service_at_location sal ON sal.location_id = p.location_id WHERE p.id = ANY(ids);
          WHEN 'taxonomy_term' THEN
            RETURN QUERY SELECT oruk_services_containing_any(a.link_entity, array_agg(a.link_id))
              FROM attribute a WHERE a.taxonomy_term_id = ANY(ids) GROUP BY a.link_entity;
          ELSE NULL;
        END CASE;
      END $$`);

    // Arguments: pairs of (entity the row belongs to, column holding its id), as before.
    await q(`
      CREATE FUNCTION oruk_touch_services_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed text;
        parts text[] := '{}';
        i int;
        any_rows boolean;
      BEGIN
        -- Many statements change nothing (an upsert of unchanged rows, a delete of no rows).
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)',
          CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END) INTO any_rows;
        IF NOT any_rows THEN
          RETURN NULL;
        END IF;
        changed := CASE TG_OP
          WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
          WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
          ELSE 'SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o IS DISTINCT FROM n
                UNION ALL
                SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o IS DISTINCT FROM n'
        END;
        FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
          IF left(TG_ARGV[i], 1) = '@' THEN
            parts := parts || format(
              'SELECT oruk_services_containing_any(r.%1$I, array_agg(r.%2$I)) FROM (%3$s) r WHERE r.%2$I IS NOT NULL GROUP BY r.%1$I',
              substr(TG_ARGV[i], 2), TG_ARGV[i + 1], changed);
          ELSE
            parts := parts || format(
              'SELECT oruk_services_containing_any(%1$L, array_agg(r.%2$I)) FROM (%3$s) r WHERE r.%2$I IS NOT NULL',
              TG_ARGV[i], TG_ARGV[i + 1], changed);
          END IF;
        END LOOP;
        -- Once per service and transaction: a service this transaction has already written
        -- (inserted, changed or stamped) has the last_modified it should have. (last_modified
        -- keeps milliseconds: compare now() at that precision.)
        EXECUTE format(
          'UPDATE service SET last_modified = now() WHERE id IN (%s) AND xmin <> pg_current_xact_id()::xid AND last_modified IS DISTINCT FROM now()::timestamptz(3)',
          array_to_string(parts, ' UNION '));
        RETURN NULL;
      END $$`);
    for (const [table, args] of Object.entries(CONTAINED_IN)) {
      const list = args.map((a) => `'${a}'`).join(', ');
      for (const [suffix, event, referencing] of EVENTS) {
        await q(`
          CREATE TRIGGER ${table}_touch_services_${suffix} AFTER ${event} ON "${table}"
          ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION oruk_touch_services_of_rows(${list})`);
      }
    }

    // The queue, per transaction (so that a transaction reads and deletes its own rows
    // through the index, however many dead rows others left), and one row per transaction
    // that has queued something: its deferred trigger refreshes the queue once, at commit.
    await q(`
      CREATE UNLOGGED TABLE service_search_pending (
        xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
        service_id uuid NOT NULL,
        PRIMARY KEY (xact, service_id))`);
    await q(`CREATE UNLOGGED TABLE service_search_flush (xact xid8 PRIMARY KEY)`);
    await q(`
      CREATE FUNCTION oruk_queue_service_search() RETURNS trigger LANGUAGE plpgsql AS $$
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
    for (const [suffix, event, referencing] of EVENTS.slice(0, 2)) {
      await q(`
        CREATE TRIGGER service_search_queue_${suffix} AFTER ${event} ON service
        ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION oruk_queue_service_search()`);
    }
    await q(`
      CREATE FUNCTION oruk_refresh_queued_search() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids uuid[];
      BEGIN
        WITH queued AS (
          DELETE FROM service_search_pending WHERE xact = NEW.xact RETURNING service_id)
        SELECT array_agg(service_id) INTO ids FROM queued;
        -- By id (= ANY of an array): the plan reads those services through the primary key,
        -- whatever the size of the table.
        UPDATE service s SET search_vector = d.vector, search_text = d.text
        FROM (${SERVICE_SEARCH} WHERE s.id = ANY(ids)) d
        WHERE s.id = ANY(ids) AND s.id = d.id
          AND (s.search_vector, s.search_text) IS DISTINCT FROM (d.vector, d.text);
        DELETE FROM service_search_flush WHERE xact = NEW.xact;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE CONSTRAINT TRIGGER service_search_refresh AFTER INSERT ON service_search_flush
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oruk_refresh_queued_search()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP TABLE service_search_flush`);
    await q(`DROP TABLE service_search_pending`);
    await q(`DROP FUNCTION oruk_refresh_queued_search()`);
    for (const [suffix] of EVENTS.slice(0, 2))
      await q(`DROP TRIGGER service_search_queue_${suffix} ON service`);
    await q(`DROP FUNCTION oruk_queue_service_search()`);
    for (const table of Object.keys(CONTAINED_IN))
      for (const [suffix] of EVENTS)
        await q(`DROP TRIGGER ${table}_touch_services_${suffix} ON "${table}"`);
    await q(`DROP FUNCTION oruk_touch_services_of_rows()`);
    await q(`DROP FUNCTION oruk_services_containing_any(text, uuid[])`);
    // Back to the row triggers of 1795586130882 and 1795586130883.
    await q(`
      CREATE FUNCTION oruk_touch_services() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r jsonb;
        entity text;
        i int;
      BEGIN
        FOREACH r IN ARRAY ARRAY[to_jsonb(OLD), to_jsonb(NEW)] LOOP
          CONTINUE WHEN r IS NULL;
          FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
            CONTINUE WHEN r ->> TG_ARGV[i + 1] IS NULL;
            entity := CASE WHEN left(TG_ARGV[i], 1) = '@' THEN r ->> substr(TG_ARGV[i], 2) ELSE TG_ARGV[i] END;
            UPDATE service SET last_modified = now()
            WHERE id IN (SELECT oruk_services_containing(entity, (r ->> TG_ARGV[i + 1])::uuid))
              AND last_modified IS DISTINCT FROM now()::timestamptz(3);
          END LOOP;
        END LOOP;
        RETURN NULL;
      END $$`);
    for (const [table, args] of Object.entries(CONTAINED_IN)) {
      const list = args.map((a) => `'${a}'`).join(', ');
      await q(`
        CREATE TRIGGER ${table}_touch_services AFTER INSERT OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION oruk_touch_services(${list})`);
      await q(`
        CREATE TRIGGER ${table}_touch_services_on_update AFTER UPDATE ON "${table}"
        FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION oruk_touch_services(${list})`);
    }
    await q(`
      CREATE FUNCTION oruk_service_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM oruk_refresh_service_search(NEW.id);
        RETURN NULL;
      END $$`);
    await q(`
      CREATE CONSTRAINT TRIGGER service_search
      AFTER INSERT OR UPDATE OF name, description, organization_id, last_modified ON service
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oruk_service_search_trigger()`);
  }
}
