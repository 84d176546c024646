import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What imports change in the records they store (src/transfer/repair/), kept per record
 * for the publisher to fix at source; and the services a harvest rejected, which the next
 * harvest of that feed reads again. Provenance is now also written by imports of services
 * whose ids were not UUIDs: its comments say so.
 */

export class RecordChanges1795586130891 implements MigrationInterface {
  name = 'RecordChanges1795586130891';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "record_change" (
                "record_id" uuid NOT NULL,
                "record_type" text NOT NULL,
                "source" text NOT NULL,
                "imported_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
                "changes" jsonb NOT NULL,
                CONSTRAINT "CHK_record_change_record_type" CHECK ("record_type" IN ('service', 'taxonomy')),
                CONSTRAINT "PK_record_change" PRIMARY KEY ("record_id")
            );
            COMMENT ON COLUMN "record_change"."record_id" IS 'The record: a service or a taxonomy, as stored.';
            COMMENT ON COLUMN "record_change"."record_type" IS 'What the record is.';
            COMMENT ON COLUMN "record_change"."source" IS 'Where the import read it: file:line, file[index], table.csv:row or a URL.';
            COMMENT ON COLUMN "record_change"."imported_at" IS 'When the import stored it.';
            COMMENT ON COLUMN "record_change"."changes" IS 'The changes: kind (repaired, dropped), rule, path, before, after, reason.'
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_record_change_imported_at" ON "record_change" ("imported_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "feed"
            ADD "rejected" text array
        `);
    await queryRunner.query(`
                  COMMENT ON COLUMN "feed"."rejected" IS 'The ids (as the feed gives them) of the services the last harvest rejected: read again by the next.'
        `);
    await queryRunner.query(`
            COMMENT ON COLUMN "provenance"."id" IS 'The service (its id here).';
            COMMENT ON COLUMN "provenance"."source_feed" IS 'The base URL of the feed the service was harvested from, or urn:oruk-server:import:<scope> for an import.';
            COMMENT ON COLUMN "provenance"."source_id" IS 'The id of the service there, as it was given.';
            COMMENT ON COLUMN "provenance"."fetched_at" IS 'When the service was last fetched from the feed, or imported.'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            COMMENT ON COLUMN "provenance"."id" IS 'The harvested service (its id here).';
            COMMENT ON COLUMN "provenance"."source_feed" IS 'The base URL of the feed the service was harvested from.';
            COMMENT ON COLUMN "provenance"."source_id" IS 'The id of the service in that feed, as the feed gave it.';
            COMMENT ON COLUMN "provenance"."fetched_at" IS 'When the service was last fetched from the feed.'
        `);
    await queryRunner.query(`
            ALTER TABLE "feed" DROP COLUMN "rejected"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_record_change_imported_at"
        `);
    await queryRunner.query(`
            DROP TABLE "record_change"
        `);
  }
}
