import { BadRequestException, Inject, Injectable, Logger, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ListQuery, Page, pageSize, toPage } from '../api/page';
import { sendError } from '../common/all-exceptions.filter';
import type {
  OrganizationsQuery,
  ServiceAtLocationsQuery,
  ServiceFilterQuery,
  ServicesQuery,
  TaxonomiesQuery,
  TaxonomyTermsQuery,
} from '../api/queries';
import { Geocoder, PostcodeError } from '../geo/geocoder';
import {
  ORGANIZATION,
  ORGANIZATION_WITH_FULL_SERVICES,
  ORGANIZATION_WITH_SERVICES,
  SERVICE,
  SERVICE_AT_LOCATION,
  SERVICE_AT_LOCATION_FULL,
  SERVICE_FULL,
  SERVICE_MINIMAL,
  Shape,
  TAXONOMY,
  TAXONOMY_TERM,
} from '../hsds/shapes';
import {
  asUtcInstant,
  fallbackStatement,
  FilterContext,
  namedFilters,
  Point,
  serviceFilters,
  taxonomyTermFilters,
} from './filters';
import { ListPlan } from './list-plan';
import { RecordReader } from './record-reader';

/** One list endpoint: which rows, in which order, as which shape, filtered how. */
export interface ListResource<Q extends ListQuery> {
  table: string;
  /** The stable order after any ranking (default: name, then id). */
  order?: string[];
  /** Joined tables: [join, alias of a required to-one reference (see ListPlan.join)]. */
  joins?: [string, string?][];
  /** The table `search` looks in (default: the list's own). */
  searchTable?: string;
  shape(query: Q): Shape;
  filter(plan: ListPlan, query: Q, context: FilterContext): void;
}

export const SERVICES: ListResource<ServicesQuery> = {
  table: 'service',
  shape: (q) => (q.minimal ? SERVICE_MINIMAL : q.full ? SERVICE_FULL : SERVICE),
  filter: (plan, q, context) => serviceFilters(plan, q, 'r', context, 'service'),
};

export const SERVICE_AT_LOCATIONS: ListResource<ServiceAtLocationsQuery> = {
  table: 'service_at_location',
  // A service at location has no name: by its service's name, then its own id.
  joins: [['JOIN service s ON s.id = r.service_id', 's']],
  order: ['s.name', 'r.id'],
  shape: (q) => (q.full ? SERVICE_AT_LOCATION_FULL : SERVICE_AT_LOCATION),
  searchTable: 'service',
  filter: (plan, q, context) => serviceFilters(plan, q, 's', context, 'location'),
};

export const ORGANIZATIONS: ListResource<OrganizationsQuery> = {
  table: 'organization',
  shape: (q) =>
    q.full_service
      ? ORGANIZATION_WITH_FULL_SERVICES
      : q.full
        ? ORGANIZATION_WITH_SERVICES
        : ORGANIZATION,
  filter: namedFilters,
};

export const TAXONOMIES: ListResource<TaxonomiesQuery> = {
  table: 'taxonomy',
  shape: () => TAXONOMY,
  filter: namedFilters,
};

export const TAXONOMY_TERMS: ListResource<TaxonomyTermsQuery> = {
  table: 'taxonomy_term',
  shape: () => TAXONOMY_TERM,
  filter: taxonomyTermFilters,
};

/**
 * Runs a list request: checks what validation of single parameters cannot, locates the
 * point a postcode names, builds the plan, and reads a page (or, with format=ndjson, a
 * stream of every match).
 */
@Injectable()
export class Lists {
  private readonly geocoder: Geocoder;
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly reader: RecordReader,
    @Inject(DataSource) private readonly db: DataSource,
  ) {
    this.geocoder = new Geocoder(this.db);
  }

  async run<Q extends ListQuery>(
    resource: ListResource<Q>,
    query: Q,
  ): Promise<Page<object> | StreamableFile> {
    const { plan, shape } = await this.plan(resource, query);
    if (query.format === 'ndjson') {
      return new StreamableFile(await this.reader.openStream(shape, plan), {
        type: 'application/x-ndjson; charset=utf-8',
      }).setErrorHandler((error, response) => sendError(error, response as Response, this.logger));
    }
    const page = { page: query.page, per_page: pageSize(query) };
    return toPage(await this.reader.page(shape, plan, page), page);
  }

  /** What a list request reads: its plan (conditions, order) and the shape of its items. */
  async plan<Q extends ListQuery>(
    resource: ListResource<Q>,
    query: Q,
  ): Promise<{ plan: ListPlan; shape: Shape }> {
    checkCombinations(query);
    const context: FilterContext = {
      point: await this.point(query),
      fallback: query.search
        ? await this.fallback(resource.searchTable ?? resource.table, query.search)
        : false,
    };
    const plan = new ListPlan(resource.table, resource.order);
    resource.joins?.forEach(([join, oneEach]) => plan.join(join, oneEach));
    resource.filter(plan, query, context);
    return { plan, shape: resource.shape(query) };
  }

  /** Whether a search must fall back to similarity: nothing matches its words as such. */
  private async fallback(table: string, search: string): Promise<boolean> {
    const statement = fallbackStatement(table, search);
    if (!statement) return false;
    const [{ fallback }] = await this.db.query<{ fallback: boolean }[]>(...statement);
    return fallback;
  }

  /** The point a postcode or lat/long names, if the query has one. */
  private async point(query: Partial<ServiceFilterQuery>): Promise<Point | undefined> {
    if (query.lat !== undefined && query.long !== undefined) {
      return { latitude: query.lat, longitude: query.long };
    }
    if (!query.postcode) return undefined;
    try {
      return await this.geocoder.locate(query.postcode);
    } catch (error) {
      if (error instanceof PostcodeError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}

/** Rules that involve more than one parameter. */
function checkCombinations(query: Partial<ServicesQuery>): void {
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
  if (query.modified_after && !isRealInstant(asUtcInstant(query.modified_after))) {
    problems.push('modified_after must be an ISO 8601 date or date-time');
  }
  if (problems.length) throw new BadRequestException(problems.join('; '));
}

/** Whether an ISO 8601 instant names a real moment (no 30 February, no hour 25). */
function isRealInstant(value: string): boolean {
  const time = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(time)) return false;
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)!;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
}
