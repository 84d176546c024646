import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Geocoder } from '../geo/geocoder';
import { Shape } from '../hsds/shapes';
import { fallbackStatement, FilterContext, Point, SearchFilter, ServiceFilters } from './filters';
import { ListPlan } from './list-plan';

/**
 * What a list reads, as the query layer needs to know it: which rows, in which order, as
 * which shape, filtered how. Each API resource (src/api/*.controller.ts) gives one, beside
 * its documentation; `F` is what its filters read of the validated query.
 */
export interface ListSpec<F extends SearchFilter> {
  /** The table the items are rows of (ALIAS.row). */
  table: string;
  /** The stable order after any ranking (default: name, then id). */
  order?: string[];
  /** Required to-one references joined to each row: [table, alias, the row's column]. */
  joins?: [table: string, alias: string, via: string][];
  /** The table `search` looks in (default: the list's own). */
  searchTable?: string;
  shape(filters: F): Shape;
  filter(plan: ListPlan, filters: F, context: FilterContext): void;
}

/**
 * Plans a list request: finds what its filters need beyond the query (the point a
 * postcode names, whether a search must fall back to similarity: one small statement
 * each), then builds the plan. A postcode that cannot be located is a PostcodeError
 * (src/geo/geocoder.ts); RecordReader reads the plan.
 */
@Injectable()
export class Lists {
  private readonly geocoder: Geocoder;

  constructor(@Inject(DataSource) private readonly db: DataSource) {
    this.geocoder = new Geocoder(this.db);
  }

  /** What a list request reads: its plan (conditions, order) and the shape of its items. */
  async plan<F extends SearchFilter>(
    spec: ListSpec<F>,
    filters: F,
  ): Promise<{ plan: ListPlan; shape: Shape }> {
    const context: FilterContext = {
      point: await this.point(filters),
      fallback: filters.search
        ? await this.fallback(spec.searchTable ?? spec.table, filters.search)
        : false,
    };
    const plan = new ListPlan(spec.table, spec.order);
    spec.joins?.forEach(([table, alias, via]) => plan.joinOne(table, alias, via));
    spec.filter(plan, filters, context);
    return { plan, shape: spec.shape(filters) };
  }

  /** Whether a search must fall back to similarity: nothing matches its words as such. */
  private async fallback(table: string, search: string): Promise<boolean> {
    const statement = fallbackStatement(table, search);
    if (!statement) return false;
    const [{ fallback }] = await this.db.query<{ fallback: boolean }[]>(...statement);
    return fallback;
  }

  /** The point a postcode or lat/long names, if the filters have one. */
  private async point(filters: ServiceFilters): Promise<Point | undefined> {
    if (filters.lat !== undefined && filters.long !== undefined) {
      return { latitude: filters.lat, longitude: filters.long };
    }
    return filters.postcode ? this.geocoder.locate(filters.postcode) : undefined;
  }
}
