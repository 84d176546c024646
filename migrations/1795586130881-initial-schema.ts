import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795586130881 implements MigrationInterface {
  name = 'InitialSchema1795586130881';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organization" ("id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL, "email" text, "website" text, "logo" text, "uri" text, "parent_organization_id" uuid, CONSTRAINT "PK_organization" PRIMARY KEY ("id")); COMMENT ON COLUMN "organization"."id" IS 'The identifier of the organization.'; COMMENT ON COLUMN "organization"."name" IS 'The name of the organization.'; COMMENT ON COLUMN "organization"."description" IS 'A brief summary of the organization.'; COMMENT ON COLUMN "organization"."email" IS 'The contact email address of the organization.'; COMMENT ON COLUMN "organization"."website" IS 'The website of the organization.'; COMMENT ON COLUMN "organization"."logo" IS 'A URL to an image of the organization’s logo.'; COMMENT ON COLUMN "organization"."uri" IS 'A persistent identifier for the organization, e.g. its OpenCorporates URL.'; COMMENT ON COLUMN "organization"."parent_organization_id" IS 'The parent organization, which may be published elsewhere.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_organization_parent_organization_id" ON "organization"  ("parent_organization_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "organization_identifier" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "identifier_scheme" text, "identifier_type" text NOT NULL, "identifier" text NOT NULL, CONSTRAINT "PK_organization_identifier" PRIMARY KEY ("id")); COMMENT ON COLUMN "organization_identifier"."id" IS 'The identifier of the organization identifier.'; COMMENT ON COLUMN "organization_identifier"."organization_id" IS 'The organization this identifier belongs to.'; COMMENT ON COLUMN "organization_identifier"."identifier_scheme" IS 'The org-id.guide scheme code, e.g. GB-CHC or GB-COH.'; COMMENT ON COLUMN "organization_identifier"."identifier_type" IS 'A human-readable label for the scheme, e.g. "Company number".'; COMMENT ON COLUMN "organization_identifier"."identifier" IS 'The identifier itself.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_organization_identifier_organization_id" ON "organization_identifier"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "service" ("id" uuid NOT NULL, "organization_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "url" text, "email" text, "status" text NOT NULL, "fees" text, "accreditations" text, "minimum_age" double precision, "maximum_age" double precision, "assured_date" date, "assurer_email" text, "alert" text, "last_modified" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_service_status" CHECK ("status" IN ('active', 'inactive', 'defunct', 'temporarily closed')), CONSTRAINT "CHK_service_minimum_age" CHECK ("minimum_age" BETWEEN 0 AND 150), CONSTRAINT "CHK_service_maximum_age" CHECK ("maximum_age" BETWEEN 0 AND 150), CONSTRAINT "PK_service" PRIMARY KEY ("id")); COMMENT ON COLUMN "service"."id" IS 'The identifier of the service.'; COMMENT ON COLUMN "service"."organization_id" IS 'The organization that provides the service.'; COMMENT ON COLUMN "service"."name" IS 'The official or public name of the service.'; COMMENT ON COLUMN "service"."description" IS 'A free-text description of the service.'; COMMENT ON COLUMN "service"."url" IS 'The URL of the service.'; COMMENT ON COLUMN "service"."email" IS 'An email address for the service.'; COMMENT ON COLUMN "service"."status" IS 'The current status of the service.'; COMMENT ON COLUMN "service"."fees" IS 'Charges for the service (HSDS marks this deprecated in favour of cost_options).'; COMMENT ON COLUMN "service"."accreditations" IS 'Accreditations or licences held by the service.'; COMMENT ON COLUMN "service"."minimum_age" IS 'The minimum age of people the service is for, in years.'; COMMENT ON COLUMN "service"."maximum_age" IS 'The maximum age of people the service is for, in years.'; COMMENT ON COLUMN "service"."assured_date" IS 'The date the service information was last checked.'; COMMENT ON COLUMN "service"."assurer_email" IS 'The email address of the person who last checked the information.'; COMMENT ON COLUMN "service"."alert" IS 'A short-term notice about the service, e.g. a temporary closure.'; COMMENT ON COLUMN "service"."last_modified" IS 'When the service, or anything nested in it, last changed.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_organization_id" ON "service"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_last_modified" ON "service"  ("last_modified") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_service_name_id" ON "service"  ("name", "id") `);
    await queryRunner.query(
      `CREATE TABLE "location" ("id" uuid NOT NULL, "location_type" text NOT NULL, "name" text, "description" text, "latitude" double precision, "longitude" double precision, "external_identifier" text, "external_identifier_type" text, CONSTRAINT "CHK_location_location_type" CHECK ("location_type" IN ('physical', 'postal', 'virtual')), CONSTRAINT "CHK_location_latitude" CHECK ("latitude" BETWEEN -90 AND 90), CONSTRAINT "CHK_location_longitude" CHECK ("longitude" BETWEEN -180 AND 180), CONSTRAINT "PK_location" PRIMARY KEY ("id")); COMMENT ON COLUMN "location"."id" IS 'The identifier of the location.'; COMMENT ON COLUMN "location"."location_type" IS 'The type of location.'; COMMENT ON COLUMN "location"."name" IS 'The name of the location.'; COMMENT ON COLUMN "location"."description" IS 'A description of the location.'; COMMENT ON COLUMN "location"."latitude" IS 'WGS84 latitude in decimal degrees.'; COMMENT ON COLUMN "location"."longitude" IS 'WGS84 longitude in decimal degrees.'; COMMENT ON COLUMN "location"."external_identifier" IS 'An identifier of the location in another system, e.g. a UPRN.'; COMMENT ON COLUMN "location"."external_identifier_type" IS 'The scheme of external_identifier, e.g. UPRN.'`,
    );
    await queryRunner.query(
      `CREATE TABLE "service_at_location" ("id" uuid NOT NULL, "service_id" uuid NOT NULL, "location_id" uuid NOT NULL, CONSTRAINT "PK_service_at_location" PRIMARY KEY ("id")); COMMENT ON COLUMN "service_at_location"."id" IS 'The identifier of the service at location.'; COMMENT ON COLUMN "service_at_location"."service_id" IS 'The service.'; COMMENT ON COLUMN "service_at_location"."location_id" IS 'The location.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_at_location_service_id" ON "service_at_location"  ("service_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_at_location_location_id" ON "service_at_location"  ("location_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "address" ("id" uuid NOT NULL, "location_id" uuid NOT NULL, "attention" text, "address_1" text NOT NULL, "city" text NOT NULL, "region" text, "state_province" text NOT NULL, "postal_code" text NOT NULL, "country" text NOT NULL, "address_type" text NOT NULL, CONSTRAINT "CHK_address_address_type" CHECK ("address_type" IN ('physical', 'postal', 'virtual')), CONSTRAINT "PK_address" PRIMARY KEY ("id")); COMMENT ON COLUMN "address"."id" IS 'The identifier of the address.'; COMMENT ON COLUMN "address"."location_id" IS 'The location this address is for.'; COMMENT ON COLUMN "address"."attention" IS 'The person or entity whose attention should be sought at the location.'; COMMENT ON COLUMN "address"."address_1" IS 'The first line of the address.'; COMMENT ON COLUMN "address"."city" IS 'The city or town.'; COMMENT ON COLUMN "address"."region" IS 'The region, e.g. South West.'; COMMENT ON COLUMN "address"."state_province" IS 'The county or unitary authority.'; COMMENT ON COLUMN "address"."postal_code" IS 'The postcode.'; COMMENT ON COLUMN "address"."country" IS 'ISO 3166-1 alpha-2 country code.'; COMMENT ON COLUMN "address"."address_type" IS 'The type of address.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_address_location_id" ON "address"  ("location_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "accessibility" ("id" uuid NOT NULL, "location_id" uuid NOT NULL, "description" text, "details" text, "url" text, "accessibility" text, CONSTRAINT "PK_accessibility" PRIMARY KEY ("id")); COMMENT ON COLUMN "accessibility"."id" IS 'The identifier of the accessibility record.'; COMMENT ON COLUMN "accessibility"."location_id" IS 'The location this is about.'; COMMENT ON COLUMN "accessibility"."description" IS 'A description of the assistance or facilities available.'; COMMENT ON COLUMN "accessibility"."details" IS 'Further details, e.g. how to use a hearing loop.'; COMMENT ON COLUMN "accessibility"."url" IS 'A URL with more information.'; COMMENT ON COLUMN "accessibility"."accessibility" IS 'UK profile duplicate of description.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_accessibility_location_id" ON "accessibility"  ("location_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "schedule" ("id" uuid NOT NULL, "service_id" uuid, "service_at_location_id" uuid, "valid_from" date, "valid_to" date, "dtstart" date, "freq" text, "interval" integer, "byday" text, "bymonthday" text, "description" text, "opens_at" TIME, "closes_at" TIME, "schedule_link" text, "attending_type" text, "notes" text, CONSTRAINT "CHK_schedule_freq" CHECK ("freq" IN ('WEEKLY', 'MONTHLY')), CONSTRAINT "CHK_schedule_interval" CHECK ("interval" BETWEEN 1 AND 1000), CONSTRAINT "PK_schedule" PRIMARY KEY ("id")); COMMENT ON COLUMN "schedule"."id" IS 'The identifier of the schedule.'; COMMENT ON COLUMN "schedule"."service_id" IS 'The service this schedule is for.'; COMMENT ON COLUMN "schedule"."service_at_location_id" IS 'The service at location this schedule is for.'; COMMENT ON COLUMN "schedule"."valid_from" IS 'The first date the schedule applies.'; COMMENT ON COLUMN "schedule"."valid_to" IS 'The last date the schedule applies.'; COMMENT ON COLUMN "schedule"."dtstart" IS 'The date of the first event (RFC 5545 DTSTART).'; COMMENT ON COLUMN "schedule"."freq" IS 'How often the event recurs (RFC 5545 FREQ).'; COMMENT ON COLUMN "schedule"."interval" IS 'The recurrence interval, e.g. 2 with WEEKLY for fortnightly.'; COMMENT ON COLUMN "schedule"."byday" IS 'Days of the week (RFC 5545 BYDAY), e.g. MO,TU or 1MO,-1FR with MONTHLY.'; COMMENT ON COLUMN "schedule"."bymonthday" IS 'Days of the month (RFC 5545 BYMONTHDAY), e.g. 1,15,-1.'; COMMENT ON COLUMN "schedule"."description" IS 'A human-readable description of the schedule.'; COMMENT ON COLUMN "schedule"."opens_at" IS 'Opening time, local wall-clock time (HH:MM:SS).'; COMMENT ON COLUMN "schedule"."closes_at" IS 'Closing time, local wall-clock time (HH:MM:SS).'; COMMENT ON COLUMN "schedule"."schedule_link" IS 'A URL with the latest schedule, e.g. a timetable page.'; COMMENT ON COLUMN "schedule"."attending_type" IS 'How to attend, e.g. in person or online.'; COMMENT ON COLUMN "schedule"."notes" IS 'Further notes about the schedule.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_schedule_service_id" ON "schedule"  ("service_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_schedule_service_at_location_id" ON "schedule"  ("service_at_location_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "service_area" ("id" uuid NOT NULL, "service_id" uuid NOT NULL, "name" text, "extent" text, "extent_type" text, "uri" text, "service_area" text, CONSTRAINT "PK_service_area" PRIMARY KEY ("id")); COMMENT ON COLUMN "service_area"."id" IS 'The identifier of the service area.'; COMMENT ON COLUMN "service_area"."service_id" IS 'The service.'; COMMENT ON COLUMN "service_area"."name" IS 'A name or description of the area served.'; COMMENT ON COLUMN "service_area"."extent" IS 'The extent of the area, e.g. a GeoJSON polygon.'; COMMENT ON COLUMN "service_area"."extent_type" IS 'The format of extent: geojson, topojson, kml or text.'; COMMENT ON COLUMN "service_area"."uri" IS 'A URI identifying the area.'; COMMENT ON COLUMN "service_area"."service_area" IS 'UK profile duplicate of name.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_service_area_service_id" ON "service_area"  ("service_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contact" ("id" uuid NOT NULL, "service_id" uuid NOT NULL, "name" text, "title" text, "email" text, CONSTRAINT "PK_contact" PRIMARY KEY ("id")); COMMENT ON COLUMN "contact"."id" IS 'The identifier of the contact.'; COMMENT ON COLUMN "contact"."service_id" IS 'The service this contact is for.'; COMMENT ON COLUMN "contact"."name" IS 'The name of the contact.'; COMMENT ON COLUMN "contact"."title" IS 'The job title of the contact.'; COMMENT ON COLUMN "contact"."email" IS 'The email address of the contact (HSDS 3.0 extra).'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_contact_service_id" ON "contact"  ("service_id") `);
    await queryRunner.query(
      `CREATE TABLE "phone" ("id" uuid NOT NULL, "service_id" uuid, "location_id" uuid, "contact_id" uuid, "number" text NOT NULL, "extension" text, "type" text, "description" text, CONSTRAINT "CHK_phone_type" CHECK ("type" IN ('text', 'fax', 'video', 'pager', 'textphone', 'voice')), CONSTRAINT "CHK_phone_one_owner" CHECK (num_nonnulls("service_id", "location_id", "contact_id") = 1), CONSTRAINT "PK_phone" PRIMARY KEY ("id")); COMMENT ON COLUMN "phone"."id" IS 'The identifier of the phone.'; COMMENT ON COLUMN "phone"."service_id" IS 'The service this phone is for.'; COMMENT ON COLUMN "phone"."location_id" IS 'The location this phone is for.'; COMMENT ON COLUMN "phone"."contact_id" IS 'The contact this phone is for.'; COMMENT ON COLUMN "phone"."number" IS 'The phone number.'; COMMENT ON COLUMN "phone"."extension" IS 'The extension of the phone number.'; COMMENT ON COLUMN "phone"."type" IS 'The type of phone service.'; COMMENT ON COLUMN "phone"."description" IS 'A description of the phone service, e.g. when it is staffed.'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_phone_service_id" ON "phone"  ("service_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_phone_location_id" ON "phone"  ("location_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_phone_contact_id" ON "phone"  ("contact_id") `);
    await queryRunner.query(
      `CREATE TABLE "language" ("id" uuid NOT NULL, "service_id" uuid, "phone_id" uuid, "name" text, "code" text, "note" text, CONSTRAINT "PK_language" PRIMARY KEY ("id")); COMMENT ON COLUMN "language"."id" IS 'The identifier of the language record.'; COMMENT ON COLUMN "language"."service_id" IS 'The service offered in this language.'; COMMENT ON COLUMN "language"."phone_id" IS 'The phone line offered in this language.'; COMMENT ON COLUMN "language"."name" IS 'The name of the language in English (HSDS 3.0 extra).'; COMMENT ON COLUMN "language"."code" IS 'The ISO 639-1 or 639-3 code of the language (HSDS 3.0 extra).'; COMMENT ON COLUMN "language"."note" IS 'A note about the provision of the language (HSDS 3.0 extra).'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_language_service_id" ON "language"  ("service_id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_language_phone_id" ON "language"  ("phone_id") `);
    await queryRunner.query(
      `CREATE TABLE "funding" ("id" uuid NOT NULL, "service_id" uuid NOT NULL, "source" text, CONSTRAINT "PK_funding" PRIMARY KEY ("id")); COMMENT ON COLUMN "funding"."id" IS 'The identifier of the funding record.'; COMMENT ON COLUMN "funding"."service_id" IS 'The service.'; COMMENT ON COLUMN "funding"."source" IS 'A description of the source of funds.'`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_funding_service_id" ON "funding"  ("service_id") `);
    await queryRunner.query(
      `CREATE TABLE "cost_option" ("id" uuid NOT NULL, "service_id" uuid NOT NULL, "valid_from" date, "valid_to" date, "option" text, "amount" double precision, "amount_description" text, CONSTRAINT "CHK_cost_option_amount" CHECK ("amount" BETWEEN 0 AND 1000000000), CONSTRAINT "PK_cost_option" PRIMARY KEY ("id")); COMMENT ON COLUMN "cost_option"."id" IS 'The identifier of the cost option.'; COMMENT ON COLUMN "cost_option"."service_id" IS 'The service.'; COMMENT ON COLUMN "cost_option"."valid_from" IS 'The first date the cost option applies.'; COMMENT ON COLUMN "cost_option"."valid_to" IS 'The last date the cost option applies.'; COMMENT ON COLUMN "cost_option"."option" IS 'Who or what the option applies to, e.g. "Under 18s".'; COMMENT ON COLUMN "cost_option"."amount" IS 'The cost in pounds sterling.'; COMMENT ON COLUMN "cost_option"."amount_description" IS 'What the amount pays for, e.g. "per session".'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_cost_option_service_id" ON "cost_option"  ("service_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "taxonomy" ("id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL, "uri" text, "version" text, CONSTRAINT "PK_taxonomy" PRIMARY KEY ("id")); COMMENT ON COLUMN "taxonomy"."id" IS 'The identifier of the taxonomy.'; COMMENT ON COLUMN "taxonomy"."name" IS 'The name of the taxonomy.'; COMMENT ON COLUMN "taxonomy"."description" IS 'A description of the taxonomy.'; COMMENT ON COLUMN "taxonomy"."uri" IS 'The URI of the taxonomy.'; COMMENT ON COLUMN "taxonomy"."version" IS 'The version of the taxonomy.'`,
    );
    await queryRunner.query(
      `CREATE TABLE "taxonomy_term" ("id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL, "parent_id" uuid, "taxonomy" text, "taxonomy_id" uuid, "term_uri" text, "term" text, "code" text, CONSTRAINT "PK_taxonomy_term" PRIMARY KEY ("id")); COMMENT ON COLUMN "taxonomy_term"."id" IS 'The identifier of the taxonomy term.'; COMMENT ON COLUMN "taxonomy_term"."name" IS 'The term label.'; COMMENT ON COLUMN "taxonomy_term"."description" IS 'What the term means.'; COMMENT ON COLUMN "taxonomy_term"."parent_id" IS 'The parent term, which may be published elsewhere.'; COMMENT ON COLUMN "taxonomy_term"."taxonomy" IS 'The name or URI of the taxonomy, as free text.'; COMMENT ON COLUMN "taxonomy_term"."taxonomy_id" IS 'The taxonomy the term belongs to.'; COMMENT ON COLUMN "taxonomy_term"."term_uri" IS 'A URI for the term, e.g. its entry in a published vocabulary.'; COMMENT ON COLUMN "taxonomy_term"."term" IS 'UK profile duplicate of name.'; COMMENT ON COLUMN "taxonomy_term"."code" IS 'The code of the term in its taxonomy (HSDS 3.0 extra).'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_taxonomy_term_parent_id" ON "taxonomy_term"  ("parent_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_taxonomy_term_taxonomy_id" ON "taxonomy_term"  ("taxonomy_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "attribute" ("id" uuid NOT NULL, "link_id" uuid NOT NULL, "link_entity" text NOT NULL, "taxonomy_term_id" uuid NOT NULL, "link_type" text, CONSTRAINT "CHK_attribute_link_entity" CHECK ("link_entity" IN ('service', 'organization', 'organization_identifier', 'location', 'address', 'accessibility', 'contact')), CONSTRAINT "PK_attribute" PRIMARY KEY ("id")); COMMENT ON COLUMN "attribute"."id" IS 'The identifier of the attribute.'; COMMENT ON COLUMN "attribute"."link_id" IS 'The identifier of the record the term describes.'; COMMENT ON COLUMN "attribute"."link_entity" IS 'The table of the record the term describes (HSDS 3.0 extra).'; COMMENT ON COLUMN "attribute"."taxonomy_term_id" IS 'The taxonomy term.'; COMMENT ON COLUMN "attribute"."link_type" IS 'What the term describes about the record, e.g. service_type or eligibility.'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_attribute_taxonomy_term_id" ON "attribute"  ("taxonomy_term_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_attribute_link" ON "attribute"  ("link_entity", "link_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_identifier" ADD CONSTRAINT "FK_organization_identifier_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "service" ADD CONSTRAINT "FK_service_organization_id" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_at_location" ADD CONSTRAINT "FK_service_at_location_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_at_location" ADD CONSTRAINT "FK_service_at_location_location_id" FOREIGN KEY ("location_id") REFERENCES "location"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "address" ADD CONSTRAINT "FK_address_location_id" FOREIGN KEY ("location_id") REFERENCES "location"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "accessibility" ADD CONSTRAINT "FK_accessibility_location_id" FOREIGN KEY ("location_id") REFERENCES "location"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule" ADD CONSTRAINT "FK_schedule_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule" ADD CONSTRAINT "FK_schedule_service_at_location_id" FOREIGN KEY ("service_at_location_id") REFERENCES "service_at_location"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_area" ADD CONSTRAINT "FK_service_area_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact" ADD CONSTRAINT "FK_contact_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "phone" ADD CONSTRAINT "FK_phone_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "phone" ADD CONSTRAINT "FK_phone_location_id" FOREIGN KEY ("location_id") REFERENCES "location"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "phone" ADD CONSTRAINT "FK_phone_contact_id" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "language" ADD CONSTRAINT "FK_language_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "language" ADD CONSTRAINT "FK_language_phone_id" FOREIGN KEY ("phone_id") REFERENCES "phone"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "funding" ADD CONSTRAINT "FK_funding_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cost_option" ADD CONSTRAINT "FK_cost_option_service_id" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "taxonomy_term" ADD CONSTRAINT "FK_taxonomy_term_taxonomy_id" FOREIGN KEY ("taxonomy_id") REFERENCES "taxonomy"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attribute" ADD CONSTRAINT "FK_attribute_taxonomy_term_id" FOREIGN KEY ("taxonomy_term_id") REFERENCES "taxonomy_term"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "attribute" DROP CONSTRAINT "FK_attribute_taxonomy_term_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "taxonomy_term" DROP CONSTRAINT "FK_taxonomy_term_taxonomy_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "cost_option" DROP CONSTRAINT "FK_cost_option_service_id"`,
    );
    await queryRunner.query(`ALTER TABLE "funding" DROP CONSTRAINT "FK_funding_service_id"`);
    await queryRunner.query(`ALTER TABLE "language" DROP CONSTRAINT "FK_language_phone_id"`);
    await queryRunner.query(`ALTER TABLE "language" DROP CONSTRAINT "FK_language_service_id"`);
    await queryRunner.query(`ALTER TABLE "phone" DROP CONSTRAINT "FK_phone_contact_id"`);
    await queryRunner.query(`ALTER TABLE "phone" DROP CONSTRAINT "FK_phone_location_id"`);
    await queryRunner.query(`ALTER TABLE "phone" DROP CONSTRAINT "FK_phone_service_id"`);
    await queryRunner.query(`ALTER TABLE "contact" DROP CONSTRAINT "FK_contact_service_id"`);
    await queryRunner.query(
      `ALTER TABLE "service_area" DROP CONSTRAINT "FK_service_area_service_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "schedule" DROP CONSTRAINT "FK_schedule_service_at_location_id"`,
    );
    await queryRunner.query(`ALTER TABLE "schedule" DROP CONSTRAINT "FK_schedule_service_id"`);
    await queryRunner.query(
      `ALTER TABLE "accessibility" DROP CONSTRAINT "FK_accessibility_location_id"`,
    );
    await queryRunner.query(`ALTER TABLE "address" DROP CONSTRAINT "FK_address_location_id"`);
    await queryRunner.query(
      `ALTER TABLE "service_at_location" DROP CONSTRAINT "FK_service_at_location_location_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_at_location" DROP CONSTRAINT "FK_service_at_location_service_id"`,
    );
    await queryRunner.query(`ALTER TABLE "service" DROP CONSTRAINT "FK_service_organization_id"`);
    await queryRunner.query(
      `ALTER TABLE "organization_identifier" DROP CONSTRAINT "FK_organization_identifier_organization_id"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_attribute_link"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_attribute_taxonomy_term_id"`);
    await queryRunner.query(`DROP TABLE "attribute"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_taxonomy_term_taxonomy_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_taxonomy_term_parent_id"`);
    await queryRunner.query(`DROP TABLE "taxonomy_term"`);
    await queryRunner.query(`DROP TABLE "taxonomy"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cost_option_service_id"`);
    await queryRunner.query(`DROP TABLE "cost_option"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_funding_service_id"`);
    await queryRunner.query(`DROP TABLE "funding"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_language_phone_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_language_service_id"`);
    await queryRunner.query(`DROP TABLE "language"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_phone_contact_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_phone_location_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_phone_service_id"`);
    await queryRunner.query(`DROP TABLE "phone"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_contact_service_id"`);
    await queryRunner.query(`DROP TABLE "contact"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_area_service_id"`);
    await queryRunner.query(`DROP TABLE "service_area"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_schedule_service_at_location_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_schedule_service_id"`);
    await queryRunner.query(`DROP TABLE "schedule"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_accessibility_location_id"`);
    await queryRunner.query(`DROP TABLE "accessibility"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_address_location_id"`);
    await queryRunner.query(`DROP TABLE "address"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_at_location_location_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_at_location_service_id"`);
    await queryRunner.query(`DROP TABLE "service_at_location"`);
    await queryRunner.query(`DROP TABLE "location"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_last_modified"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_service_organization_id"`);
    await queryRunner.query(`DROP TABLE "service"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_organization_identifier_organization_id"`);
    await queryRunner.query(`DROP TABLE "organization_identifier"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_organization_parent_organization_id"`);
    await queryRunner.query(`DROP TABLE "organization"`);
  }
}
