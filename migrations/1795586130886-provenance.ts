import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Harvesting other publishers' feeds (src/transfer/harvest.ts):
 *  - provenance: where each harvested service came from, one row per service, deleted with
 *    it. No touch trigger: fetching a service again must not change its last_modified.
 *  - feed: each feed harvested, and when its last completed harvest started, for the next
 *    (incremental) one.
 */
export class Provenance1795586130886 implements MigrationInterface {
  name = 'Provenance1795586130886';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "provenance" (
                "id" uuid NOT NULL,
                "source_feed" text NOT NULL,
                "source_id" text NOT NULL,
                "fetched_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
                "gone_at" TIMESTAMP(3) WITH TIME ZONE,
                CONSTRAINT "PK_provenance" PRIMARY KEY ("id")
            );
            COMMENT ON COLUMN "provenance"."id" IS 'The harvested service (its id here).';
            COMMENT ON COLUMN "provenance"."source_feed" IS 'The base URL of the feed the service was harvested from.';
            COMMENT ON COLUMN "provenance"."source_id" IS 'The id of the service in that feed, as the feed gave it.';
            COMMENT ON COLUMN "provenance"."fetched_at" IS 'When the service was last fetched from the feed.';
            COMMENT ON COLUMN "provenance"."gone_at" IS 'When a full harvest found the service gone from the feed (and made it inactive).'
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_provenance_source_feed_source_id" ON "provenance" ("source_feed", "source_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "feed" (
                "base_url" text NOT NULL,
                "version" text NOT NULL,
                "last_started_at" TIMESTAMP(3) WITH TIME ZONE,
                "last_completed_at" TIMESTAMP(3) WITH TIME ZONE,
                CONSTRAINT "CHK_feed_version" CHECK ("version" IN ('v3', 'v1')),
                CONSTRAINT "PK_feed" PRIMARY KEY ("base_url")
            );
            COMMENT ON COLUMN "feed"."base_url" IS 'The base URL of the feed, without a trailing slash.';
            COMMENT ON COLUMN "feed"."version" IS 'The ORUK version the feed was last harvested as.';
            COMMENT ON COLUMN "feed"."last_started_at" IS 'When the last completed harvest started: the next one asks for what changed since then.';
            COMMENT ON COLUMN "feed"."last_completed_at" IS 'When the last completed harvest ended (an interrupted one is not recorded).'
        `);
    await queryRunner.query(`
            ALTER TABLE "provenance"
            ADD CONSTRAINT "FK_provenance_id" FOREIGN KEY ("id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "feed"`);
    await queryRunner.query(`DROP TABLE "provenance"`);
  }
}
