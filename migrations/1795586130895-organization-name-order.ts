import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * /organizations in name order, as every list is read: without an index on (name, id) a
 * page sorted every organization (17,078 on 100,000 services; a million services have
 * about 170,000), as /services did before IDX_service_name_id (docs/scale.md).
 */
export class OrganizationNameOrder1795586130895 implements MigrationInterface {
  name = 'OrganizationNameOrder1795586130895';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_organization_name_id" ON "organization" ("name", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_organization_name_id"`);
  }
}
