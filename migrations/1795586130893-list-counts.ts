import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists at national scale (docs/scale.md): what the taxonomy filters read, and the counts of
 * the commonest lists, kept by the write path instead of found by reading the directory.
 *
 *  - service_facet: one row per service and each term it has or that lies above one it has
 *    (kind 't': what taxonomy_term_id matches, descendants included), and per taxonomy of
 *    its terms (kind 'x': taxonomy_id). A filter reads one index range instead of walking
 *    the term tree and the attributes at every request.
 *  - list_count: the number of services of each such value, of services per organization,
 *    and of rows of the three big lists, as rows of signed changes (a write appends its
 *    own, so writers never wait on each other's count rows) that every import sums up at
 *    its end (oruk_compact_list_counts). A count is the sum of its rows: exact in every
 *    snapshot, since the rows commit with the change they count.
 *
 * Facets follow the queue pattern of 1795586130885: attribute, service and taxonomy_term
 * statements queue the services they may change; at commit one deferred trigger recomputes
 * the facets of the queued services, writes the difference and its counts. Refreshes take
 * turns (FACETS_LOCK), so that each reads what the one before committed. A TRUNCATE of a
 * table they rest on rebuilds both from scratch.
 */

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * The lock that orders everything that reads the term tree to write facets: the refresh
 * at commit, and a statement that changes the tree (which queues the services below the
 * terms it changed, and must not miss one tagged meanwhile under the tree as it was). It is
 * the row lock of data_version (1795586130892), which every transaction that changes
 * facets takes anyway to raise the version as it commits: one lock, whichever of the two
 * deferred triggers runs first, so the two can never wait on each other in a cycle; held to
 * the end of the transaction, so the next refresh reads (in a snapshot taken once the lock
 * is had) what the last one committed.
 */
const FACETS_LOCK = '1 FROM data_version FOR NO KEY UPDATE';

const EVENTS = [
  ['insert', 'INSERT', 'REFERENCING NEW TABLE AS new_rows'],
  ['update', 'UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'],
  ['delete', 'DELETE', 'REFERENCING OLD TABLE AS old_rows'],
] as const;

/** Tables whose rows are counted as a whole (an unfiltered list). */
const COUNTED = ['service', 'service_at_location', 'organization'];

/** Tables a TRUNCATE of which invalidates the facets or counts. */
const REBUILT_ON_TRUNCATE = [...COUNTED, 'attribute', 'taxonomy_term'];

export class ListCounts1795586130893 implements MigrationInterface {
  name = 'ListCounts1795586130893';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "service_facet" (
        "kind" "char" NOT NULL,
        "value" uuid NOT NULL,
        "service_id" uuid NOT NULL,
        CONSTRAINT "PK_service_facet" PRIMARY KEY ("kind", "value", "service_id"),
        CONSTRAINT "CHK_service_facet_kind" CHECK ("kind" IN ('t', 'x'))
      );
      CREATE INDEX "IDX_service_facet_service_id" ON "service_facet" ("service_id", "kind", "value");
      COMMENT ON TABLE "service_facet" IS 'What the taxonomy filters of /services match, per service (docs/scale.md): kept by triggers.';
      COMMENT ON COLUMN "service_facet"."kind" IS 't: a taxonomy term the service has, or one above such a term; x: the taxonomy of one of its terms.';
      COMMENT ON COLUMN "service_facet"."value" IS 'The term or taxonomy.';
      COMMENT ON COLUMN "service_facet"."service_id" IS 'The service.';
      CREATE TABLE "list_count" (
        "kind" text NOT NULL,
        "value" uuid NOT NULL,
        "n" bigint NOT NULL
      );
      CREATE INDEX "IDX_list_count_kind_value" ON "list_count" ("kind", "value");
      COMMENT ON TABLE "list_count" IS 'Counts kept by the write path, as rows of signed changes: a count is the sum of the rows of its kind and value (docs/scale.md).';
      COMMENT ON COLUMN "list_count"."kind" IS 'A table (every row of it; value nil), or a filter of /services: taxonomy_term_id, taxonomy_id, organization_id.';
      COMMENT ON COLUMN "list_count"."value" IS 'The value of the filter; nil for a whole table.';
      COMMENT ON COLUMN "list_count"."n" IS 'A change of the count (the sum after compaction).';
      CREATE UNLOGGED TABLE "service_facet_pending" (
        "xact" xid8 NOT NULL DEFAULT pg_current_xact_id(),
        "service_id" uuid NOT NULL,
        PRIMARY KEY ("xact", "service_id")
      );
      CREATE UNLOGGED TABLE "service_facet_flush" ("xact" xid8 PRIMARY KEY)`);

    // The facets of the services `ids`, made as they should be; and the difference counted.
    await q(`
      CREATE FUNCTION oruk_refresh_service_facets(ids uuid[]) RETURNS void
      LANGUAGE sql AS $$
        WITH RECURSIVE direct AS (
          SELECT a.link_id AS service_id, a.taxonomy_term_id AS term_id
          FROM attribute a JOIN service s ON s.id = a.link_id
          WHERE a.link_entity = 'service' AND a.link_id = ANY(ids)),
        up(service_id, term_id) AS (
          SELECT service_id, term_id FROM direct
          UNION
          SELECT up.service_id, t.parent_id FROM up JOIN taxonomy_term t ON t.id = up.term_id
          WHERE t.parent_id IS NOT NULL),
        want AS (
          SELECT 't'::"char" AS kind, term_id AS value, service_id FROM up
          UNION
          SELECT 'x', t.taxonomy_id, d.service_id FROM direct d
          JOIN taxonomy_term t ON t.id = d.term_id WHERE t.taxonomy_id IS NOT NULL),
        gone AS (
          DELETE FROM service_facet f WHERE f.service_id = ANY(ids)
            AND NOT EXISTS (SELECT 1 FROM want w
              WHERE w.kind = f.kind AND w.value = f.value AND w.service_id = f.service_id)
          RETURNING f.kind, f.value),
        added AS (
          INSERT INTO service_facet (kind, value, service_id) SELECT kind, value, service_id FROM want
          ON CONFLICT DO NOTHING RETURNING kind, value)
        INSERT INTO list_count (kind, value, n)
        SELECT CASE c.kind WHEN 't' THEN 'taxonomy_term_id' ELSE 'taxonomy_id' END, c.value, sum(c.n)
        FROM (SELECT kind, value, -1 AS n FROM gone UNION ALL SELECT kind, value, 1 FROM added) c
        GROUP BY c.kind, c.value HAVING sum(c.n) <> 0
      $$`);
    await q(`
      CREATE FUNCTION oruk_refresh_queued_facets() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids uuid[];
      BEGIN
        WITH queued AS (
          DELETE FROM service_facet_pending WHERE xact = NEW.xact RETURNING service_id)
        SELECT array_agg(service_id) INTO ids FROM queued;
        IF ids IS NOT NULL THEN
          -- One refresh at a time, each reading (in a snapshot taken once the lock is had)
          -- what the one before it committed: two transactions that change the same service
          -- never compute its facets from each other's old state.
          PERFORM ${FACETS_LOCK};
          PERFORM oruk_refresh_service_facets(ids);
        END IF;
        DELETE FROM service_facet_flush WHERE xact = NEW.xact;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE CONSTRAINT TRIGGER service_facet_refresh AFTER INSERT ON service_facet_flush
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oruk_refresh_queued_facets()`);

    // What may change facets: a service's attributes; the service appearing or going; a
    // term's place in its tree or its taxonomy (every service at or below it).
    await q(`
      CREATE FUNCTION oruk_queue_service_facets() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        terms uuid[];
      BEGIN
        -- Each branch names only the transition tables its event has.
        IF TG_TABLE_NAME = 'attribute' AND TG_OP = 'INSERT' THEN
          INSERT INTO service_facet_pending (service_id)
          SELECT DISTINCT link_id FROM new_rows WHERE link_entity = 'service'
          ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'attribute' AND TG_OP = 'DELETE' THEN
          INSERT INTO service_facet_pending (service_id)
          SELECT DISTINCT link_id FROM old_rows WHERE link_entity = 'service'
          ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'attribute' THEN
          INSERT INTO service_facet_pending (service_id)
          SELECT r.link_id FROM new_rows n JOIN old_rows o ON o.id = n.id,
            LATERAL (VALUES (n.link_id, n.link_entity), (o.link_id, o.link_entity)) r(link_id, link_entity)
          WHERE (n.link_id, n.link_entity, n.taxonomy_term_id)
                IS DISTINCT FROM (o.link_id, o.link_entity, o.taxonomy_term_id)
            AND r.link_entity = 'service'
          GROUP BY r.link_id
          ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'service' AND TG_OP = 'INSERT' THEN
          INSERT INTO service_facet_pending (service_id) SELECT id FROM new_rows
          ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'service' THEN
          INSERT INTO service_facet_pending (service_id) SELECT id FROM old_rows
          ON CONFLICT DO NOTHING;
        ELSE
          -- A term: inserted (its children may point at it already), deleted, or moved in
          -- its tree or to another taxonomy.
          IF TG_OP = 'INSERT' THEN
            terms := ARRAY(SELECT id FROM new_rows);
          ELSIF TG_OP = 'DELETE' THEN
            terms := ARRAY(SELECT id FROM old_rows);
          ELSE
            terms := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE (n.parent_id, n.taxonomy_id) IS DISTINCT FROM (o.parent_id, o.taxonomy_id));
          END IF;
          IF cardinality(terms) = 0 THEN
            RETURN NULL;
          END IF;
          PERFORM ${FACETS_LOCK};
          INSERT INTO service_facet_pending (service_id)
          SELECT DISTINCT f.service_id FROM service_facet f
          WHERE f.kind = 't' AND f.value = ANY(terms)
          ON CONFLICT DO NOTHING;
        END IF;
        IF FOUND THEN
          INSERT INTO service_facet_flush VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);

    // Whole tables, and services per organization: counted as each statement runs.
    await q(`
      CREATE FUNCTION oruk_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO list_count (kind, value, n)
          SELECT TG_TABLE_NAME, ${NIL}, count(*) FROM new_rows HAVING count(*) > 0;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO list_count (kind, value, n)
          SELECT TG_TABLE_NAME, ${NIL}, -count(*) FROM old_rows HAVING count(*) > 0;
        END IF;
        IF TG_TABLE_NAME <> 'service' THEN
          RETURN NULL;
        ELSIF TG_OP = 'INSERT' THEN
          INSERT INTO list_count (kind, value, n)
          SELECT 'organization_id', organization_id, count(*) FROM new_rows
          WHERE organization_id IS NOT NULL GROUP BY organization_id;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO list_count (kind, value, n)
          SELECT 'organization_id', organization_id, -count(*) FROM old_rows
          WHERE organization_id IS NOT NULL GROUP BY organization_id;
        ELSE
          INSERT INTO list_count (kind, value, n)
          SELECT 'organization_id', c.organization_id, sum(c.n) FROM new_rows n
          JOIN old_rows o ON o.id = n.id,
            LATERAL (VALUES (n.organization_id, 1), (o.organization_id, -1)) c(organization_id, n)
          WHERE n.organization_id IS DISTINCT FROM o.organization_id AND c.organization_id IS NOT NULL
          GROUP BY c.organization_id HAVING sum(c.n) <> 0;
        END IF;
        RETURN NULL;
      END $$`);

    // Everything from scratch (the migration itself, and after a TRUNCATE).
    await q(`
      CREATE FUNCTION oruk_rebuild_list_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM oruk_rebuild_list_counts_now();
        RETURN NULL;
      END $$`);
    await q(`
      CREATE FUNCTION oruk_rebuild_list_counts_now() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE service_facet, list_count;
        ${COUNTED.map(
          (t) =>
            `INSERT INTO list_count (kind, value, n) SELECT '${t}', ${NIL}, count(*) FROM "${t}";`,
        ).join('\n        ')}
        INSERT INTO list_count (kind, value, n)
          SELECT 'organization_id', organization_id, count(*) FROM service
          WHERE organization_id IS NOT NULL GROUP BY organization_id;
        PERFORM oruk_refresh_service_facets(ARRAY(
          SELECT DISTINCT a.link_id FROM attribute a WHERE a.link_entity = 'service'));
      END $$`);
    await q(`
      CREATE FUNCTION oruk_compact_list_counts() RETURNS void LANGUAGE sql AS $$
        WITH old AS (
          DELETE FROM list_count l
          WHERE (l.kind, l.value) IN (
            SELECT kind, value FROM list_count GROUP BY kind, value HAVING count(*) > 1)
          RETURNING l.kind, l.value, l.n)
        INSERT INTO list_count (kind, value, n)
        SELECT kind, value, sum(n) FROM old GROUP BY kind, value HAVING sum(n) <> 0
      $$`);

    for (const table of ['attribute', 'service', 'taxonomy_term']) {
      for (const [suffix, event, referencing] of EVENTS) {
        if (table === 'service' && suffix === 'update') continue;
        await q(`
          CREATE TRIGGER ${table}_facets_${suffix} AFTER ${event} ON "${table}"
          ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION oruk_queue_service_facets()`);
      }
    }
    for (const table of COUNTED) {
      for (const [suffix, event, referencing] of EVENTS) {
        if (table !== 'service' && suffix === 'update') continue;
        await q(`
          CREATE TRIGGER ${table}_count_${suffix} AFTER ${event} ON "${table}"
          ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION oruk_count_rows()`);
      }
    }
    for (const table of REBUILT_ON_TRUNCATE) {
      await q(`
        CREATE TRIGGER ${table}_list_counts_truncate AFTER TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION oruk_rebuild_list_counts()`);
    }
    await q(`SELECT oruk_rebuild_list_counts_now()`);
    await q(`ANALYZE service_facet, list_count`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    for (const table of REBUILT_ON_TRUNCATE)
      await q(`DROP TRIGGER ${table}_list_counts_truncate ON "${table}"`);
    for (const table of COUNTED)
      for (const [suffix] of EVENTS)
        if (table === 'service' || suffix !== 'update')
          await q(`DROP TRIGGER ${table}_count_${suffix} ON "${table}"`);
    for (const table of ['attribute', 'service', 'taxonomy_term'])
      for (const [suffix] of EVENTS)
        if (table !== 'service' || suffix !== 'update')
          await q(`DROP TRIGGER ${table}_facets_${suffix} ON "${table}"`);
    await q(`DROP TRIGGER service_facet_refresh ON service_facet_flush`);
    await q(`DROP FUNCTION oruk_compact_list_counts()`);
    await q(`DROP FUNCTION oruk_rebuild_list_counts()`);
    await q(`DROP FUNCTION oruk_rebuild_list_counts_now()`);
    await q(`DROP FUNCTION oruk_count_rows()`);
    await q(`DROP FUNCTION oruk_queue_service_facets()`);
    await q(`DROP FUNCTION oruk_refresh_queued_facets()`);
    await q(`DROP FUNCTION oruk_refresh_service_facets(uuid[])`);
    await q(`DROP TABLE "service_facet_flush"`);
    await q(`DROP TABLE "service_facet_pending"`);
    await q(`DROP TABLE "list_count"`);
    await q(`DROP TABLE "service_facet"`);
  }
}
