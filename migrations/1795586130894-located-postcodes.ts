import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A postcode that the postcode table lacks is located from the directory's own addresses
 * (src/geo/geocoder.ts), compared without spaces in upper case. Without an index on that
 * form every request with such a postcode read every address: 26 ms on 100,000 services,
 * ten times that on a million (docs/scale.md).
 */
export class LocatedPostcodes1795586130894 implements MigrationInterface {
  name = 'LocatedPostcodes1795586130894';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_address_postcode" ON address (upper(replace(postal_code, ' ', '')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_address_postcode"`);
  }
}
