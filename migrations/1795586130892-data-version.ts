import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The data version (docs/caching.md): one number that every committed change to what the
 * API serves raises, once per transaction, and announces with NOTIFY oruk_data_version.
 * The API derives its ETags and its response cache from it, so every process and replica
 * reading the same database agrees on them, and a change made by any writer (import,
 * harvest, a council's own SQL) is seen by all of them.
 *
 * Each table a response reads has statement triggers (after INSERT, UPDATE, DELETE, with
 * their transition tables, and TRUNCATE) that queue the transaction, once, in the unlogged
 * data_version_flush. A deferred constraint trigger on that queue raises the version at
 * commit, after everything else the transaction does (once: a deferred trigger that writes
 * again while committing, such as the search refresh, queues it again but raises nothing
 * more), and empties the queue: the row lock
 * on data_version is taken last and held only while committing. The announcement's payload
 * is {"version": "…", "changed_at": "…"}. A statement that changes
 * no row (an upsert of unchanged rows) queues nothing.
 */

// A frozen snapshot, as in the earlier migrations: the tables are spelt out here.
const TABLES = [
  'accessibility',
  'address',
  'attribute',
  'contact',
  'cost_option',
  'funding',
  'language',
  'location',
  'organization',
  'organization_identifier',
  'phone',
  'postcode',
  'provenance',
  'schedule',
  'search_word',
  'service',
  'service_area',
  'service_at_location',
  'taxonomy',
  'taxonomy_term',
];

const EVENTS = [
  ['insert', 'INSERT', 'REFERENCING NEW TABLE AS new_rows', 'new_rows'],
  ['update', 'UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows', 'new_rows'],
  ['delete', 'DELETE', 'REFERENCING OLD TABLE AS old_rows', 'old_rows'],
] as const;

export class DataVersion1795586130892 implements MigrationInterface {
  name = 'DataVersion1795586130892';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "data_version" (
        "one" boolean NOT NULL DEFAULT true,
        "epoch" uuid NOT NULL DEFAULT gen_random_uuid(),
        "version" bigint NOT NULL DEFAULT 1,
        "changed_at" TIMESTAMP(6) WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        "raised_by" bigint,
        CONSTRAINT "PK_data_version" PRIMARY KEY ("one"),
        CONSTRAINT "CHK_data_version_one" CHECK ("one")
      );
      COMMENT ON TABLE "data_version" IS 'One row: the version of everything the API serves (docs/caching.md).';
      COMMENT ON COLUMN "data_version"."one" IS 'Always true: there is one row.';
      COMMENT ON COLUMN "data_version"."epoch" IS 'Chosen when the database was made: versions of two databases never compare equal.';
      COMMENT ON COLUMN "data_version"."version" IS 'Raised once by every committed transaction that changed what the API serves.';
      COMMENT ON COLUMN "data_version"."changed_at" IS 'When the version was last raised (never earlier than before).';
      COMMENT ON COLUMN "data_version"."raised_by" IS 'The transaction that raised it last: one that is queued again while committing raises it once.';
      INSERT INTO "data_version" DEFAULT VALUES;
      CREATE UNLOGGED TABLE "data_version_flush" (
        "xact" bigint NOT NULL,
        CONSTRAINT "PK_data_version_flush" PRIMARY KEY ("xact")
      );
      COMMENT ON TABLE "data_version_flush" IS 'Transactions that changed served data and have not committed yet: empty outside a transaction.'`);
    await q(`
      CREATE FUNCTION oruk_queue_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        any_rows boolean := true;
      BEGIN
        IF TG_OP <> 'TRUNCATE' THEN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', TG_ARGV[0]) INTO any_rows;
        END IF;
        IF any_rows THEN
          INSERT INTO data_version_flush VALUES (txid_current()) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE FUNCTION oruk_raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        raised data_version;
      BEGIN
        DELETE FROM data_version_flush WHERE xact = NEW.xact;
        UPDATE data_version
          SET version = version + 1, changed_at = greatest(changed_at, clock_timestamp()),
              raised_by = NEW.xact
          WHERE raised_by IS DISTINCT FROM NEW.xact
          RETURNING * INTO raised;
        IF FOUND THEN
          PERFORM pg_notify('oruk_data_version',
          json_build_object('version', raised.version::text, 'changed_at', raised.changed_at)::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q(`
      CREATE CONSTRAINT TRIGGER data_version_raise AFTER INSERT ON data_version_flush
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oruk_raise_data_version()`);
    for (const table of TABLES) {
      for (const [suffix, event, referencing, rows] of EVENTS)
        await q(`
          CREATE TRIGGER ${table}_data_version_${suffix} AFTER ${event} ON "${table}"
          ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION oruk_queue_data_version('${rows}')`);
      await q(`
        CREATE TRIGGER ${table}_data_version_truncate AFTER TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION oruk_queue_data_version()`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    for (const table of TABLES)
      for (const suffix of ['insert', 'update', 'delete', 'truncate'])
        await q(`DROP TRIGGER ${table}_data_version_${suffix} ON "${table}"`);
    await q(`DROP TRIGGER data_version_raise ON data_version_flush`);
    await q(`DROP FUNCTION oruk_raise_data_version()`);
    await q(`DROP FUNCTION oruk_queue_data_version()`);
    await q(`DROP TABLE "data_version_flush"`);
    await q(`DROP TABLE "data_version"`);
  }
}
