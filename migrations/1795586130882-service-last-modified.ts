import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `service.last_modified` drives `modified_after`, so it must change whenever the service
 * or anything nested in it changes (docs/standard.md, "Known gaps in the published documents"), however the change is made: by the
 * loader, an import, or a council's own SQL. Each table that appears inside a service
 * gets a row trigger that finds the services containing the changed row and stamps them
 * with now(): at most once per service and transaction, and never for an update that
 * changes nothing. A change to a shared record (an organization, a location, a taxonomy
 * term) stamps every service that nests it.
 *
 * Attributes point at their record by (link_entity, link_id) without a foreign key, so
 * deleting a record deletes its attributes here too.
 */

// A migration is a frozen snapshot: it spells out the tables it knows rather than importing
// lists from src/, which will change after it has run.

/** table → pairs of (entity the row belongs to, column holding that entity's id). */
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
  // '@link_entity': the entity's name is in the row's link_entity column.
  attribute: ['@link_entity', 'link_id'],
  taxonomy_term: ['taxonomy_term', 'id'],
};

const LINKABLE = [
  'service',
  'organization',
  'organization_identifier',
  'location',
  'address',
  'accessibility',
  'contact',
];

export class ServiceLastModified1795586130882 implements MigrationInterface {
  name = 'ServiceLastModified1795586130882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION oruk_services_containing(entity text, record_id uuid) RETURNS SETOF uuid
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        CASE entity
          WHEN 'service' THEN RETURN NEXT record_id;
          WHEN 'organization' THEN
            RETURN QUERY SELECT s.id FROM service s WHERE s.organization_id = record_id;
          WHEN 'organization_identifier' THEN
            RETURN QUERY SELECT s.id FROM organization_identifier i JOIN service s ON s.organization_id = i.organization_id WHERE i.id = record_id;
          WHEN 'service_at_location' THEN
            RETURN QUERY SELECT sal.service_id FROM service_at_location sal WHERE sal.id = record_id;
          WHEN 'location' THEN
            RETURN QUERY SELECT sal.service_id FROM service_at_location sal WHERE sal.location_id = record_id;
          WHEN 'address' THEN
            RETURN QUERY SELECT sal.service_id FROM address a JOIN service_at_location sal ON sal.location_id = a.location_id WHERE a.id = record_id;
          WHEN 'accessibility' THEN
            RETURN QUERY SELECT sal.service_id FROM accessibility a JOIN service_at_location sal ON sal.location_id = a.location_id WHERE a.id = record_id;
          WHEN 'contact' THEN
            RETURN QUERY SELECT c.service_id FROM contact c WHERE c.id = record_id;
          WHEN 'phone' THEN
            RETURN QUERY
              SELECT p.service_id FROM phone p WHERE p.id = record_id AND p.service_id IS NOT NULL
              UNION SELECT c.service_id FROM phone p JOIN contact c ON c.id = p.contact_id WHERE p.id = record_id
              UNION SELECT sal.service_id FROM phone p JOIN service_at_location sal ON sal.location_id = p.location_id WHERE p.id = record_id;
          WHEN 'taxonomy_term' THEN
            RETURN QUERY SELECT oruk_services_containing(a.link_entity, a.link_id) FROM attribute a WHERE a.taxonomy_term_id = record_id;
          ELSE NULL;
        END CASE;
      END $$`);
    await queryRunner.query(`
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
            -- last_modified keeps milliseconds: compare at that precision, so that a
            -- service is stamped once per transaction however many rows change in it.
            UPDATE service SET last_modified = now()
            WHERE id IN (SELECT oruk_services_containing(entity, (r ->> TG_ARGV[i + 1])::uuid))
              AND last_modified IS DISTINCT FROM now()::timestamptz(3);
          END LOOP;
        END LOOP;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION oruk_service_modified() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_modified IS NOT DISTINCT FROM OLD.last_modified THEN
          NEW.last_modified := now();
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER service_last_modified BEFORE UPDATE ON service
      FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION oruk_service_modified()`);
    for (const [table, args] of Object.entries(CONTAINED_IN)) {
      const list = args.map((a) => `'${a}'`).join(', ');
      await queryRunner.query(`
        CREATE TRIGGER ${table}_touch_services AFTER INSERT OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION oruk_touch_services(${list})`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_touch_services_on_update AFTER UPDATE ON "${table}"
        FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION oruk_touch_services(${list})`);
    }
    await queryRunner.query(`
      CREATE FUNCTION oruk_delete_attributes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM attribute WHERE link_entity = TG_TABLE_NAME AND link_id = OLD.id;
        RETURN NULL;
      END $$`);
    for (const table of LINKABLE) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_delete_attributes AFTER DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION oruk_delete_attributes()`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of LINKABLE)
      await queryRunner.query(`DROP TRIGGER ${table}_delete_attributes ON "${table}"`);
    for (const table of Object.keys(CONTAINED_IN)) {
      await queryRunner.query(`DROP TRIGGER ${table}_touch_services_on_update ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER ${table}_touch_services ON "${table}"`);
    }
    await queryRunner.query(`DROP TRIGGER service_last_modified ON service`);
    await queryRunner.query(`DROP FUNCTION oruk_delete_attributes()`);
    await queryRunner.query(`DROP FUNCTION oruk_service_modified()`);
    await queryRunner.query(`DROP FUNCTION oruk_touch_services()`);
    await queryRunner.query(`DROP FUNCTION oruk_services_containing(text, uuid)`);
  }
}
