import { IntersectionType } from '@nestjs/swagger';
import { SearchFilter, ServiceFilters, TaxonomyTermFilters } from '../search/filters';
import { EXAMPLE } from './examples';
import { DEFAULT_PER_PAGE, MAX_MINIMAL_PER_PAGE, MAX_PER_PAGE, MAX_SEARCH_LENGTH } from './page';
import {
  AnyOf,
  Clock,
  Count,
  CountDocs,
  Flag,
  Instant,
  OneOf,
  Range,
  Uuids,
  Words,
} from './parameters';

/**
 * Every query parameter of the API, each declared once, in groups that the endpoints
 * combine: the union of both ORUK 3.0 OpenAPI documents (docs/standard.md, "Query
 * parameters") plus lat/long. Each declaration is the parameter's validation and its
 * documentation (./parameters.ts); src/search/filters.ts turns the values into SQL.
 * Unknown parameters are ignored; a bad value is a 400 naming the parameter.
 */

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export const FORMATS = ['json', 'ndjson'] as const;

const PER_PAGE = {
  description: `How many items a page holds: ${DEFAULT_PER_PAGE} unless given, at most ${MAX_PER_PAGE}.`,
  min: 1,
  max: MAX_PER_PAGE,
  example: DEFAULT_PER_PAGE,
};

/** `page`, `per_page`, `format` and `search`: every list (docs/standard.md, "Page envelope"). */
export class ListQuery implements SearchFilter {
  @Count({
    description: 'The page to return, counting from 1.',
    min: 1,
    example: 1,
    default: 1,
  })
  page: number = 1;

  @Count({
    ...PER_PAGE,
    // minimal=true (on /services, see ServicesQuery) raises the maximum.
    maxOf: (query) => (query.minimal ? MAX_MINIMAL_PER_PAGE : MAX_PER_PAGE),
  })
  per_page?: number;

  @OneOf(
    FORMATS,
    'json (the default): one page in the ORUK envelope. ndjson: every matching record, one JSON ' +
      'object a line (application/x-ndjson), streamed without paging, of any size, as one consistent ' +
      'snapshot; page and per_page are ignored. A stream that fails midway is cut off (its chunked ' +
      'encoding left unfinished), never ended as if it were complete.',
    { example: 'json', default: 'json' },
  )
  format?: (typeof FORMATS)[number];

  @Words(
    'Free-text search, as in a web search engine: words are matched with English stemming ' +
      '("advice" finds "advising"), "a quoted phrase" must appear as written, and -word excludes. ' +
      'A word of five letters or more with one typo (a letter left out, added, replaced, or two ' +
      'swapped) finds what the word would; misspelt or partial words still find close matches. ' +
      'Results are ordered by relevance.',
    { maxLength: MAX_SEARCH_LENGTH, example: EXAMPLE.search },
  )
  search?: string;

  /** Set by the queries that take `minimal`. */
  minimal?: boolean;
}

/** What a service is: its taxonomy terms, organization, modification time and ages. */
class ServiceQuery {
  @Uuids(
    'Services with an attribute for this taxonomy term, or for any term below it in its hierarchy.',
    EXAMPLE.taxonomyTerm,
  )
  taxonomy_term_id?: string[];

  @Uuids('Services with an attribute for any term of this taxonomy.', EXAMPLE.taxonomy)
  taxonomy_id?: string[];

  @Uuids('Services provided by this organization.', EXAMPLE.organization)
  organization_id?: string[];

  @Instant(
    'Services whose last_modified is at or after this instant: an ISO 8601 date (midnight UTC) ' +
      'or date-time (UTC unless it has an offset).',
    '2026-01-31T09:00:00Z',
  )
  modified_after?: string;

  @Range(
    'Services whose minimum_age is at least this many years (the UK profile\u2019s definition).',
    0,
    150,
    11,
  )
  minimum_age?: number;

  @Range(
    'Services whose maximum_age is at most this many years (the UK profile\u2019s definition).',
    0,
    150,
    18,
  )
  maximum_age?: number;
}

/** When a service is open. */
class ScheduleQuery {
  @AnyOf(
    WEEKDAYS,
    'Services with a schedule open on this day of the week (MO, TU, WE, TH, FR, SA or SU; several, ' +
      'comma-separated, match any). Weekly and monthly schedules count (a monthly "2MO" is open on ' +
      'Mondays), when today is within their valid_from and valid_to.',
    'MO',
  )
  day?: string[];

  @Clock(
    'With end_time (or alone): services with a schedule open at some time in the window from ' +
      'start_time to end_time (on `day`, when given). Alone: open at some time after it.',
    '09:00',
  )
  start_time?: string;

  @Clock(
    'The end of the start_time window. Alone: services with a schedule that opens before it.',
    '12:00',
  )
  end_time?: string;
}

/** Where: a postcode, or a point, and a distance from it. */
class PlaceQuery {
  @Words(
    'A UK postcode (any case and spacing). Alone: services whose service areas cover it (by ' +
      'area name, postcode district or GeoJSON extent). With proximity: services with a location ' +
      'within that distance of its centre. Results then come nearest first, with their distance.',
    {
      maxLength: 16,
      example: EXAMPLE.postcode,
      message: `$property must be a UK postcode such as "${EXAMPLE.postcode}"`,
    },
  )
  postcode?: string;

  @Range(
    'With postcode, or lat and long: only records with a location within this many metres.',
    1,
    1_000_000,
    2000,
  )
  proximity?: number;

  // Their examples are in the descriptions: given as examples, Swagger UI would send them
  // with the postcode's, which they contradict.
  @Range(
    'Extra: the latitude of a point, instead of a postcode (with long), e.g. 51.4545.',
    -90,
    90,
  )
  lat?: number;

  @Range('Extra: the longitude of that point (with lat), e.g. -2.5879.', -180, 180)
  long?: number;
}

export class FullQuery {
  @Flag('true: list items are fully nested, the same shape as the /{id} response.', true)
  full: boolean = false;
}

/** /services, and /service_at_locations through each one's service. */
export class ServiceFilterQuery
  extends IntersectionType(ListQuery, ServiceQuery, ScheduleQuery, PlaceQuery, FullQuery)
  implements ServiceFilters {}

export class ServicesQuery extends ServiceFilterQuery {
  @Flag(
    'true: items are just {id, last_modified}, and per_page defaults to (and may be up to) 100000, ' +
      'so a syncing client can list everything in one request.',
    false, // full's example is true: the two cannot be combined
  )
  override minimal: boolean = false;

  // Documented again: here minimal=true raises the maximum (ListQuery checks it).
  @CountDocs({
    ...PER_PAGE,
    description: `${PER_PAGE.description.slice(0, -1)} (with minimal=true: all of them, up to ${MAX_MINIMAL_PER_PAGE}).`,
    documentedMax: MAX_MINIMAL_PER_PAGE,
  })
  declare per_page?: number;
}

export class ServiceAtLocationsQuery extends ServiceFilterQuery {}

export class OrganizationQuery {
  @Flag('true: the services[] of the organization are fully nested; otherwise flat.', true)
  full_service: boolean = false;
}

export class OrganizationsQuery extends ListQuery {
  @Flag(
    'true: items are nested as /organizations/{id} is: identifiers, attributes and services[].',
    true,
  )
  full: boolean = false;

  @Flag('true: items are nested, with their services[] fully nested too.', false)
  full_service: boolean = false;
}

export class TaxonomiesQuery extends ListQuery {}

export class TaxonomyTermsQuery extends ListQuery implements TaxonomyTermFilters {
  @Uuids('Terms of this taxonomy.', EXAMPLE.taxonomy)
  taxonomy_id?: string[];

  @Uuids('Terms whose parent is this term.', EXAMPLE.parentTerm)
  parent_id?: string[];

  // false: true with parent_id would ask for terms that have a parent and none.
  @Flag('true: only top-level terms (terms without a parent).', false)
  top_only: boolean = false;
}

/** What validation of single parameters cannot say: the rules that involve several. */
export function combinationProblems(query: Partial<ServicesQuery>): string[] {
  const problems: string[] = [];
  if ((query.lat === undefined) !== (query.long === undefined)) {
    problems.push('lat and long must be given together');
  }
  if (query.postcode && query.lat !== undefined) {
    problems.push('give either postcode or lat and long, not both');
  }
  if (query.proximity !== undefined && !query.postcode && query.lat === undefined) {
    problems.push('proximity needs a postcode, or lat and long');
  }
  if (query.start_time && query.end_time && query.start_time >= query.end_time) {
    problems.push('start_time must be before end_time');
  }
  if (query.minimal && query.full) problems.push('minimal and full cannot be combined');
  return problems;
}
