import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { FULL_DESCRIPTION, ListQuery } from './page';
import { ToBoolean, ToList, ToNumber } from './query-values';

/**
 * The query parameters of each list endpoint: the union of both ORUK 3.0 OpenAPI documents
 * (docs/standard.md, "Query parameters") plus lat/long. Each is declared once here, with its validation
 * and its documentation; src/search/filters.ts turns them into SQL. Unknown parameters are
 * ignored; a bad value is a 400 naming the parameter.
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const MAX_LIST = 100;
const EXAMPLE_UUID = 'ac148810-d857-441c-9679-408f346de14b';

const Bool = (description: string, example = true) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'boolean', description, default: false, example }),
    IsOptional(),
    ToBoolean(),
    IsBoolean(),
  );

/** One UUID, several comma-separated, or the parameter repeated: any of them matches. */
const Uuids = (name: string, description: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      description: `${description} Several ids, comma-separated or repeated, match any of them.`,
      example: EXAMPLE_UUID,
    }),
    IsOptional(),
    ToList((v) => v.toLowerCase()),
    ArrayMaxSize(MAX_LIST, { message: `${name} takes at most ${MAX_LIST} ids` }),
    IsUUID('all', { each: true, message: `${name} must be a UUID (or a comma-separated list)` }),
    ArrayNotEmpty({ message: `${name} must not be empty` }),
  );

const Num = (name: string, description: string, min: number, max: number, example: number) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'number', description, minimum: min, maximum: max, example }),
    IsOptional(),
    ToNumber(),
    Max(max, { message: `${name} must be a number from ${min} to ${max}` }),
    Min(min, { message: `${name} must be a number from ${min} to ${max}` }),
    IsNumber(
      { allowNaN: false, allowInfinity: false },
      { message: `${name} must be a number from ${min} to ${max}` },
    ),
  );

const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const Time = (name: string, description: string, example: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'string', description, example, pattern: TIME.source }),
    IsOptional(),
    Matches(TIME, { message: `${name} must be a time as HH:MM` }),
    IsString({ message: `${name} must be a time as HH:MM` }),
  );

/** An ISO 8601 date or date-time; without an offset it is read as UTC. */
const INSTANT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i;

/** Filters on services: /services, and /service_at_locations through each one's service. */
export class ServiceFilterQuery extends ListQuery {
  @Uuids(
    'taxonomy_term_id',
    'Services with an attribute for this taxonomy term, or for any term below it in its hierarchy.',
  )
  taxonomy_term_id?: string[];

  @Uuids('taxonomy_id', 'Services with an attribute for any term of this taxonomy.')
  taxonomy_id?: string[];

  @Uuids('organization_id', 'Services provided by this organization.')
  organization_id?: string[];

  @ApiPropertyOptional({
    type: 'string',
    description:
      'Services whose last_modified is at or after this instant: an ISO 8601 date (midnight UTC) ' +
      'or date-time (UTC unless it has an offset).',
    example: '2026-01-31T09:00:00Z',
  })
  @IsOptional()
  @Matches(INSTANT, { message: 'modified_after must be an ISO 8601 date or date-time' })
  @IsString({ message: 'modified_after must be an ISO 8601 date or date-time' })
  modified_after?: string;

  @Num(
    'minimum_age',
    'Services whose minimum_age is at least this many years (the UK profile\u2019s definition).',
    0,
    150,
    11,
  )
  minimum_age?: number;

  @Num(
    'maximum_age',
    'Services whose maximum_age is at most this many years (the UK profile\u2019s definition).',
    0,
    150,
    18,
  )
  maximum_age?: number;

  @ApiPropertyOptional({
    type: 'string',
    description:
      'Services with a schedule open on this day of the week (MO, TU, WE, TH, FR, SA or SU; several, ' +
      'comma-separated, match any). Weekly and monthly schedules count (a monthly "2MO" is open on ' +
      'Mondays), when today is within their valid_from and valid_to.',
    example: 'MO',
  })
  @IsOptional()
  @ToList((v) => v.toUpperCase())
  @IsIn(WEEKDAYS, { each: true, message: 'day must be one of MO, TU, WE, TH, FR, SA, SU' })
  @ArrayNotEmpty({ message: 'day must not be empty' })
  day?: string[];

  @Time(
    'start_time',
    'With end_time (or alone): services with a schedule open at some time in the window from ' +
      'start_time to end_time (on `day`, when given). Alone: open at some time after it.',
    '09:00',
  )
  start_time?: string;

  @Time(
    'end_time',
    'The end of the start_time window. Alone: services with a schedule that opens before it.',
    '12:00',
  )
  end_time?: string;

  @ApiPropertyOptional({
    type: 'string',
    description:
      'A UK postcode (any case and spacing). Alone: services whose service areas cover it (by ' +
      'area name, postcode district or GeoJSON extent). With proximity: services with a location ' +
      'within that distance of its centre. Results then come nearest first, with their distance.',
    example: 'BS5 6XX',
  })
  @IsOptional()
  @MaxLength(16, { message: 'postcode must be a UK postcode such as "BS1 5TR"' })
  @IsString({ message: 'postcode must be a UK postcode such as "BS1 5TR"' })
  postcode?: string;

  @Num(
    'proximity',
    'With postcode, or lat and long: only records with a location within this many metres.',
    1,
    1_000_000,
    2000,
  )
  proximity?: number;

  @Num(
    'lat',
    'Extra: the latitude of a point, instead of a postcode (with long).',
    -90,
    90,
    51.4545,
  )
  lat?: number;

  @Num('long', 'Extra: the longitude of that point (with lat).', -180, 180, -2.5879)
  long?: number;
}

export class ServicesQuery extends ServiceFilterQuery {
  @Bool(FULL_DESCRIPTION)
  full: boolean = false;

  @Bool(
    'true: items are just {id, last_modified}, and per_page defaults to (and may be up to) 100000, ' +
      'so a syncing client can list everything in one request.',
  )
  override minimal: boolean = false;
}

export class ServiceAtLocationsQuery extends ServiceFilterQuery {
  @Bool(FULL_DESCRIPTION)
  full: boolean = false;
}

export class OrganizationQuery {
  @Bool('true: the services[] of the organization are fully nested; otherwise flat.')
  full_service: boolean = false;
}

export class OrganizationsQuery extends ListQuery {
  @Bool('true: items are nested as /organizations/{id} is: identifiers, attributes and services[].')
  full: boolean = false;

  @Bool('true: items are nested, with their services[] fully nested too.')
  full_service: boolean = false;
}

export class TaxonomiesQuery extends ListQuery {}

export class TaxonomyTermsQuery extends ListQuery {
  @Uuids('taxonomy_id', 'Terms of this taxonomy.')
  taxonomy_id?: string[];

  @Uuids('parent_id', 'Terms whose parent is this term.')
  parent_id?: string[];

  @Bool('true: only top-level terms (terms without a parent).')
  top_only: boolean = false;
}
