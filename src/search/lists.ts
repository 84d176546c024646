import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Geocoder } from '../geo/geocoder';
import { Shape } from '../hsds/shapes';
import {
  Correction,
  FilterContext,
  Point,
  SearchContext,
  SearchFilter,
  searchProbe,
  ServiceFilters,
} from './filters';
import { ListPlan } from './list-plan';
import { searchText } from './search-text';
import { MIN_TYPO_LENGTH, oneEditAway } from './typos';

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
    // The search in its bounded canonical form (./search-text.ts); without a word, none.
    if (filters.search !== undefined) filters = { ...filters, search: searchText(filters.search) };
    const context: FilterContext = {
      point: await this.point(filters),
      search: filters.search
        ? await this.search(spec.searchTable ?? spec.table, filters.search)
        : undefined,
    };
    const plan = new ListPlan(spec.table, spec.order);
    spec.joins?.forEach(([table, alias, via]) => plan.joinOne(table, alias, via));
    spec.filter(plan, filters, context);
    return { plan, shape: spec.shape(filters) };
  }

  /**
   * How a search reads its words: whether it must fall back (nothing matches its words as
   * such) and then, for its words that no service has, the known words one edit away (one
   * more statement, only then).
   */
  private async search(table: string, search: string): Promise<SearchContext> {
    const statement = searchProbe(table, search);
    if (!statement) return { fallback: false, corrections: [] };
    const [{ fallback, unknown }] = await this.db.query<
      { fallback: boolean; unknown: { word: string; lexeme: string }[] | null }[]
    >(...statement);
    const typos = (unknown ?? []).filter((u) => [...u.lexeme].length >= MIN_TYPO_LENGTH - 1);
    if (!fallback || !typos.length) return { fallback, corrections: [] };
    const edits = typos.map((t) => ({ ...t, edits: oneEditAway(t.lexeme) }));
    const known = new Set(
      (
        await this.db.query<{ lexeme: string }[]>(
          'SELECT lexeme FROM search_word WHERE lexeme = ANY($1::text[])',
          [[...new Set(edits.flatMap((e) => e.edits))]],
        )
      ).map((r) => r.lexeme),
    );
    const corrections: Correction[] = edits
      .map(({ word, edits }) => ({ word, lexemes: edits.filter((e) => known.has(e)).sort() }))
      .filter((c) => c.lexemes.length);
    return { fallback, corrections };
  }

  /** The point a postcode or lat/long names, if the filters have one. */
  private async point(filters: ServiceFilters): Promise<Point | undefined> {
    if (filters.lat !== undefined && filters.long !== undefined) {
      return { latitude: filters.lat, longitude: filters.long };
    }
    return filters.postcode ? this.geocoder.locate(filters.postcode) : undefined;
  }
}
