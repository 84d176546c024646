/**
 * The SQL aliases that the list statements share. ListPlan writes `FROM <table> r` and the
 * joins, the filters (./filters.ts) write conditions on those rows, and RecordReader selects
 * the chosen rows under `h` with their sort keys: one home for the names, so that the
 * fragments written in three files agree. Aliases inside a filter's own sub-select are the
 * filter's business (they are never read outside it) and are not listed here.
 */
export const ALIAS = {
  /** The rows of the list's own table: `FROM service r`, `FROM taxonomy_term r`. */
  row: 'r',
  /** The service joined to each row of a list that is not of services (/service_at_locations). */
  service: 's',
  /** The location joined to each row of /service_at_locations. */
  location: 'l',
  /** Each service's distance to the point, joined to /services within a proximity. */
  nearest: 'nd',
  /** The ids a page has chosen, with their sort keys, joined back to build their JSON. */
  hit: 'h',
  /** The matches of the plan's selective condition (ListPlan.selective), at most `few` + 1. */
  few: '_few',
  /** The most matches of the selective condition collected rather than walked (ListPlan.few). */
  threshold: '_threshold',
} as const;

/** The column under which the n-th sort key of a plan is selected. */
export const sortKey = (n: number): string => `_k${n}`;

/** The column under which the n-th column of the plan's stable order is selected. */
export const orderKey = (n: number): string => `_o${n}`;

/** `alias.column`, for the common case. */
export const col = (alias: string, column: string): string => `${alias}.${column}`;
