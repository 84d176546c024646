import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import {
  DateOnly,
  DateTime,
  Email,
  Id,
  Int,
  Num,
  OneOf,
  Ref,
  Text,
  Time,
  Uri,
  Uuid,
} from './fields';

/**
 * The HSDS data model of the ORUK 3.0 profile (the ORUK 3.0 JSON Schemas, docs/standard.md), one class per table.
 * Field names are the HSDS names. Fields marked "HSDS 3.0 extra" are not in the UK profile
 * but are stored and emitted (extra properties are allowed) because without them the data
 * is of little use: phones, language names and codes, contact emails, term codes.
 * How the entities nest in JSON is declared separately, in ./shapes.ts.
 */

export const SERVICE_STATUS = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;
export const LOCATION_TYPE = ['physical', 'postal', 'virtual'] as const;
export const SCHEDULE_FREQ = ['WEEKLY', 'MONTHLY'] as const;
export const PHONE_TYPE = ['text', 'fax', 'video', 'pager', 'textphone', 'voice'] as const;
/** Tables whose records can carry attributes (attribute.link_entity). */
export const LINKABLE = [
  'service',
  'organization',
  'organization_identifier',
  'location',
  'address',
  'accessibility',
  'contact',
] as const;
export type LinkEntity = (typeof LINKABLE)[number];

@Entity('organization')
// Lists are read in name order (src/search/list-plan.ts): a page walks this index.
@Index('IDX_organization_name_id', ['name', 'id'])
@Index('IDX_organization_search', { synchronize: false })
@Index('IDX_organization_name_trgm', { synchronize: false })
export class Organization {
  @Id('The identifier of the organization.') id: string;
  @Text('The name of the organization.', { required: true }) name: string;
  @Text('A brief summary of the organization.', { required: true }) description: string;
  @Email('The contact email address of the organization.') email?: string;
  @Uri('The website of the organization.') website?: string;
  @Text('A URL to an image of the organization\u2019s logo.') logo?: string;
  @Uri('A persistent identifier for the organization, e.g. its OpenCorporates URL.') uri?: string;
  @Ref(() => Organization, 'The parent organization, which may be published elsewhere.', {
    constraint: false,
  })
  parent_organization_id?: string;
}

@Entity('organization_identifier')
export class OrganizationIdentifier {
  @Id('The identifier of the organization identifier.') id: string;
  @Ref(() => Organization, 'The organization this identifier belongs to.', { notNull: true })
  organization_id: string;
  @Text('The org-id.guide scheme code, e.g. GB-CHC or GB-COH.', { example: 'GB-COH' })
  identifier_scheme?: string;
  @Text('A human-readable label for the scheme, e.g. "Company number".', { required: true })
  identifier_type: string;
  @Text('The identifier itself.', { required: true, example: '01234567' }) identifier: string;
}

// Indexes with `synchronize: false` are made by hand in the search migration (GIN and
// expression indexes TypeORM cannot describe); the others are TypeORM's to keep.
@Entity('service')
@Index('IDX_service_name_id', ['name', 'id'])
@Index('IDX_service_last_modified', ['last_modified'])
@Index('IDX_service_minimum_age', ['minimum_age'])
@Index('IDX_service_maximum_age', ['maximum_age'])
@Index('IDX_service_search_vector', { synchronize: false })
@Index('IDX_service_search_text', { synchronize: false })
export class Service {
  @Id('The identifier of the service.') id: string;
  @Ref(() => Organization, 'The organization that provides the service.', {
    notNull: true,
    onDelete: 'RESTRICT',
  })
  organization_id: string;
  @Text('The official or public name of the service.', { required: true }) name: string;
  @Text('A free-text description of the service.') description?: string;
  @Uri('The URL of the service.') url?: string;
  @Email('An email address for the service.') email?: string;
  @OneOf(SERVICE_STATUS, 'The current status of the service.', { required: true })
  status: string;
  @Text('Charges for the service (HSDS marks this deprecated in favour of cost_options).')
  fees?: string;
  @Text('Accreditations or licences held by the service.') accreditations?: string;
  @Num('The minimum age of people the service is for, in years.', { minimum: 0, maximum: 150 })
  minimum_age?: number;
  @Num('The maximum age of people the service is for, in years.', { minimum: 0, maximum: 150 })
  maximum_age?: number;
  @DateOnly('The date the service information was last checked.') assured_date?: string;
  @Email('The email address of the person who last checked the information.')
  assurer_email?: string;
  @Text('A short-term notice about the service, e.g. a temporary closure.') alert?: string;
  @DateTime('When the service, or anything nested in it, last changed.', {
    notNull: true,
    default: () => 'now()',
  })
  last_modified: string;

  /**
   * The search document (name, organization name, taxonomy terms, description), kept by a
   * trigger (see the search migration). Not HSDS: never emitted, never imported.
   */
  @Column({ type: 'tsvector', nullable: true, select: false }) search_vector?: string;
  /** Name, organization name and term names in lower case, for trigram matching. */
  @Column({ type: 'text', nullable: true, select: false }) search_text?: string;
}

@Entity('location')
@Index('IDX_location_latitude_longitude', ['latitude', 'longitude'])
export class Location {
  @Id('The identifier of the location.') id: string;
  @OneOf(LOCATION_TYPE, 'The type of location.', { required: true }) location_type: string;
  @Text('The name of the location.') name?: string;
  @Text('A description of the location.') description?: string;
  @Num('WGS84 latitude in decimal degrees.', { minimum: -90, maximum: 90, example: 51.4545 })
  latitude?: number;
  @Num('WGS84 longitude in decimal degrees.', { minimum: -180, maximum: 180, example: -2.5879 })
  longitude?: number;
  @Text('An identifier of the location in another system, e.g. a UPRN.')
  external_identifier?: string;
  @Text('The scheme of external_identifier, e.g. UPRN.') external_identifier_type?: string;
}

@Entity('service_at_location')
export class ServiceAtLocation {
  @Id('The identifier of the service at location.') id: string;
  @Ref(() => Service, 'The service.', { notNull: true }) service_id: string;
  @Ref(() => Location, 'The location.', { notNull: true }) location_id: string;
}

@Entity('address')
// Made in the located-postcodes migration: the postcode as the geocoder compares it.
@Index('IDX_address_postcode', { synchronize: false })
export class Address {
  @Id('The identifier of the address.') id: string;
  @Ref(() => Location, 'The location this address is for.', { notNull: true })
  location_id: string;
  @Text('The person or entity whose attention should be sought at the location.')
  attention?: string;
  @Text('The first line of the address.', { required: true }) address_1: string;
  @Text('The city or town.', { required: true }) city: string;
  @Text('The region, e.g. South West.') region?: string;
  @Text('The county or unitary authority.', { required: true }) state_province: string;
  @Text('The postcode.', { required: true, example: 'BS1 2LH' }) postal_code: string;
  @Text('ISO 3166-1 alpha-2 country code.', { required: true, example: 'GB' }) country: string;
  @OneOf(LOCATION_TYPE, 'The type of address.', { required: true }) address_type: string;
}

@Entity('accessibility')
export class Accessibility {
  @Id('The identifier of the accessibility record.') id: string;
  @Ref(() => Location, 'The location this is about.', { notNull: true }) location_id: string;
  @Text('A description of the assistance or facilities available.') description?: string;
  @Text('Further details, e.g. how to use a hearing loop.') details?: string;
  @Uri('A URL with more information.') url?: string;
  @Text('UK profile duplicate of description.') accessibility?: string;
}

@Entity('schedule')
@Index('IDX_schedule_weekdays', { synchronize: false })
export class Schedule {
  @Id('The identifier of the schedule.') id: string;
  @Ref(() => Service, 'The service this schedule is for.') service_id?: string;
  @Ref(() => ServiceAtLocation, 'The service at location this schedule is for.')
  service_at_location_id?: string;
  @DateOnly('The first date the schedule applies.') valid_from?: string;
  @DateOnly('The last date the schedule applies.') valid_to?: string;
  @DateOnly('The date of the first event (RFC 5545 DTSTART).') dtstart?: string;
  @OneOf(SCHEDULE_FREQ, 'How often the event recurs (RFC 5545 FREQ).') freq?: string;
  @Int('The recurrence interval, e.g. 2 with WEEKLY for fortnightly.', {
    minimum: 1,
    maximum: 1000,
  })
  interval?: number;
  @Text('Days of the week (RFC 5545 BYDAY), e.g. MO,TU or 1MO,-1FR with MONTHLY.', {
    example: 'MO,WE,FR',
  })
  byday?: string;
  @Text('Days of the month (RFC 5545 BYMONTHDAY), e.g. 1,15,-1.') bymonthday?: string;
  @Text('A human-readable description of the schedule.') description?: string;
  @Time('Opening time, local wall-clock time (HH:MM:SS).', { example: '09:30:00' })
  opens_at?: string;
  @Time('Closing time, local wall-clock time (HH:MM:SS).', { example: '17:00:00' })
  closes_at?: string;
  @Uri('A URL with the latest schedule, e.g. a timetable page.') schedule_link?: string;
  @Text('How to attend, e.g. in person or online.') attending_type?: string;
  @Text('Further notes about the schedule.') notes?: string;
}

@Entity('service_area')
@Index('IDX_service_area_name', { synchronize: false })
@Index('IDX_service_area_service_area', { synchronize: false })
@Index('IDX_service_area_code', { synchronize: false })
@Index('IDX_service_area_extent_bbox', { synchronize: false })
export class ServiceArea {
  @Id('The identifier of the service area.') id: string;
  @Ref(() => Service, 'The service.', { notNull: true }) service_id: string;
  @Text('A name or description of the area served.') name?: string;
  @Text('The extent of the area, e.g. a GeoJSON polygon.') extent?: string;
  @Text('The format of extent: geojson, topojson, kml or text.') extent_type?: string;
  @Text('A URI identifying the area.') uri?: string;
  @Text('UK profile duplicate of name.') service_area?: string;
}

@Entity('contact')
export class Contact {
  @Id('The identifier of the contact.') id: string;
  @Ref(() => Service, 'The service this contact is for.', { notNull: true }) service_id: string;
  @Text('The name of the contact.') name?: string;
  @Text('The job title of the contact.') title?: string;
  @Email('The email address of the contact (HSDS 3.0 extra).') email?: string;
}

@Entity('phone')
@Check('CHK_phone_one_owner', 'num_nonnulls("service_id", "location_id", "contact_id") = 1')
export class Phone {
  @Id('The identifier of the phone.') id: string;
  @Ref(() => Service, 'The service this phone is for.') service_id?: string;
  @Ref(() => Location, 'The location this phone is for.') location_id?: string;
  @Ref(() => Contact, 'The contact this phone is for.') contact_id?: string;
  @Text('The phone number.', { required: true, example: '0117 496 0123' }) number: string;
  @Text('The extension of the phone number.') extension?: string;
  @OneOf(PHONE_TYPE, 'The type of phone service.') type?: string;
  @Text('A description of the phone service, e.g. when it is staffed.') description?: string;
}

@Entity('language')
export class Language {
  @Id('The identifier of the language record.') id: string;
  @Ref(() => Service, 'The service offered in this language.') service_id?: string;
  @Ref(() => Phone, 'The phone line offered in this language.') phone_id?: string;
  @Text('The name of the language in English (HSDS 3.0 extra).', { example: 'Polish' })
  name?: string;
  @Text('The ISO 639-1 or 639-3 code of the language (HSDS 3.0 extra).', { example: 'pl' })
  code?: string;
  @Text('A note about the provision of the language (HSDS 3.0 extra).') note?: string;
}

@Entity('funding')
export class Funding {
  @Id('The identifier of the funding record.') id: string;
  @Ref(() => Service, 'The service.', { notNull: true }) service_id: string;
  @Text('A description of the source of funds.') source?: string;
}

@Entity('cost_option')
export class CostOption {
  @Id('The identifier of the cost option.') id: string;
  @Ref(() => Service, 'The service.', { notNull: true }) service_id: string;
  @DateOnly('The first date the cost option applies.') valid_from?: string;
  @DateOnly('The last date the cost option applies.') valid_to?: string;
  @Text('Who or what the option applies to, e.g. "Under 18s".') option?: string;
  @Num('The cost in pounds sterling.', { minimum: 0, maximum: 1e9 }) amount?: number;
  @Text('What the amount pays for, e.g. "per session".') amount_description?: string;
}

@Entity('taxonomy')
@Index('IDX_taxonomy_search', { synchronize: false })
export class Taxonomy {
  @Id('The identifier of the taxonomy.') id: string;
  @Text('The name of the taxonomy.', { required: true }) name: string;
  @Text('A description of the taxonomy.', { required: true }) description: string;
  @Uri('The URI of the taxonomy.') uri?: string;
  @Text('The version of the taxonomy.') version?: string;
}

@Entity('taxonomy_term')
@Index('IDX_taxonomy_term_search', { synchronize: false })
@Index('IDX_taxonomy_term_name_trgm', { synchronize: false })
export class TaxonomyTerm {
  @Id('The identifier of the taxonomy term.') id: string;
  @Text('The term label.', { required: true }) name: string;
  @Text('What the term means.', { required: true }) description: string;
  @Ref(() => TaxonomyTerm, 'The parent term, which may be published elsewhere.', {
    constraint: false,
  })
  parent_id?: string;
  @Text('The name or URI of the taxonomy, as free text.') taxonomy?: string;
  @Ref(() => Taxonomy, 'The taxonomy the term belongs to.', { onDelete: 'RESTRICT' })
  taxonomy_id?: string;
  @Uri('A URI for the term, e.g. its entry in a published vocabulary.') term_uri?: string;
  @Text('UK profile duplicate of name.') term?: string;
  @Text('The code of the term in its taxonomy (HSDS 3.0 extra).') code?: string;
}

@Entity('attribute')
@Index('IDX_attribute_link', ['link_entity', 'link_id'])
@Index('IDX_attribute_term_link', ['taxonomy_term_id', 'link_entity', 'link_id'])
export class Attribute {
  @Id('The identifier of the attribute.') id: string;
  @Uuid('The identifier of the record the term describes.', { notNull: true }) link_id: string;
  @OneOf(LINKABLE, 'The table of the record the term describes (HSDS 3.0 extra).', {
    notNull: true,
  })
  link_entity: string;
  @Ref(() => TaxonomyTerm, 'The taxonomy term.', { notNull: true }) taxonomy_term_id: string;
  @Text('What the term describes about the record, e.g. service_type or eligibility.')
  link_type?: string;
}

/**
 * Where a service came from: one row per service harvested from another publisher's feed
 * (src/transfer/harvest.ts), or imported with an id that was not a UUID (its id there
 * kept, docs/import.md). Not HSDS: emitted as the extra `provenance` of full services,
 * written by the importer only (never read from a document), and without a touch
 * trigger, so fetching a service again does not change its last_modified.
 */
@Entity('provenance')
@Index('IDX_provenance_source_feed_source_id', ['source_feed', 'source_id'])
export class Provenance {
  @Id('The service (its id here).') id: string;
  /** The foreign key of `id` (never read; for migrations and the ER diagram). */
  @ManyToOne(() => Service, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'id', foreignKeyConstraintName: 'FK_provenance_id' })
  id_ref?: Service;
  @Uri(
    'The base URL of the feed the service was harvested from, or urn:oruk-server:import:<scope> for an import.',
    { required: true },
  )
  source_feed: string;
  @Text('The id of the service there, as it was given.', { required: true })
  source_id: string;
  @DateTime('When the service was last fetched from the feed, or imported.', { required: true })
  fetched_at: string;
  @DateTime('When a full harvest found the service gone from the feed (and made it inactive).')
  gone_at?: string;
}

export const FEED_VERSIONS = ['v3', 'v1'] as const;

/** A feed harvested (src/transfer/harvest.ts): what the next, incremental, harvest needs. */
@Entity('feed')
export class Feed {
  @PrimaryColumn({
    type: 'text',
    primaryKeyConstraintName: 'PK_feed',
    comment: 'The base URL of the feed, without a trailing slash.',
  })
  base_url: string;
  @OneOf(FEED_VERSIONS, 'The ORUK version the feed was last harvested as.', { required: true })
  version: string;
  @DateTime(
    'When the last completed harvest started: the next one asks for what changed since then.',
  )
  last_started_at?: string;
  @DateTime('When the last completed harvest ended (an interrupted one is not recorded).')
  last_completed_at?: string;
  @Column({
    type: 'text',
    array: true,
    nullable: true,
    comment:
      'The ids (as the feed gives them) of the services the last harvest rejected: read again by the next.',
  })
  rejected?: string[];
}

/**
 * What the import that last stored a record changed in it: its repairs and what it dropped
 * (src/transfer/repair/), replaced by the next import of that record and deleted when that
 * one changes nothing. Not HSDS: for the publisher, to fix at source (`oruk-server changes`).
 */
@Entity('record_change')
@Index('IDX_record_change_imported_at', ['imported_at'])
export class RecordChange {
  @PrimaryColumn({
    type: 'uuid',
    primaryKeyConstraintName: 'PK_record_change',
    comment: 'The record: a service or a taxonomy, as stored.',
  })
  record_id: string;
  @OneOf(['service', 'taxonomy'], 'What the record is.', { required: true }) record_type: string;
  @Text('Where the import read it: file:line, file[index], table.csv:row or a URL.', {
    required: true,
  })
  source: string;
  @DateTime('When the import stored it.', { required: true }) imported_at: string;
  @Column({
    type: 'jsonb',
    comment: 'The changes: kind (repaired, dropped), rule, path, before, after, reason.',
  })
  changes: unknown[];
}

/** Tables of the harvest and the imports (not HSDS: not in imports, exports or CSV packages). */
export const HARVEST_ENTITIES = [Provenance, Feed, RecordChange];

/** Every table, each after the tables it references: the order in which the loader writes. */
export const ENTITIES = [
  Organization,
  OrganizationIdentifier,
  Taxonomy,
  TaxonomyTerm,
  // Before the records it classifies (it has no foreign key to them): a service's search
  // columns, computed as the service is written, include its terms.
  Attribute,
  Service,
  Location,
  ServiceAtLocation,
  Address,
  Accessibility,
  Schedule,
  ServiceArea,
  Contact,
  Phone,
  Language,
  Funding,
  CostOption,
];
