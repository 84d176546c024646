import { MigrationInterface, QueryRunner } from 'typeorm';

/** The postcode table for offline geocoding (src/geo/postcode.entity.ts). */
export class Postcodes1795586130884 implements MigrationInterface {
  name = 'Postcodes1795586130884';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "postcode" (
                "postcode" text NOT NULL,
                "latitude" double precision NOT NULL,
                "longitude" double precision NOT NULL,
                "areas" text array NOT NULL DEFAULT '{}',
                "terminated" date,
                CONSTRAINT "CHK_postcode_longitude" CHECK (
                    "longitude" BETWEEN -180 AND 180
                ),
                CONSTRAINT "CHK_postcode_latitude" CHECK (
                    "latitude" BETWEEN -90 AND 90
                ),
                CONSTRAINT "PK_postcode" PRIMARY KEY ("postcode")
            );
            COMMENT ON COLUMN "postcode"."postcode" IS 'The postcode in its standard form, e.g. BS1 5TR.';
            COMMENT ON COLUMN "postcode"."latitude" IS 'WGS84 latitude in decimal degrees.';
            COMMENT ON COLUMN "postcode"."longitude" IS 'WGS84 longitude in decimal degrees.';
            COMMENT ON COLUMN "postcode"."areas" IS 'Lower-cased codes and names of the local authority district and electoral ward the postcode is in.';
            COMMENT ON COLUMN "postcode"."terminated" IS 'The first day of the month the postcode was terminated; null while in use.'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "postcode"
        `);
  }
}
