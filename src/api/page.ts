/** The ORUK page envelope and page sizes (docs/standard.md, "Page envelope"). */

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;
/** `minimal=true` items are tiny: a syncing client may list everything in one request. */
export const MAX_MINIMAL_PER_PAGE = 100_000;
export const MAX_SEARCH_LENGTH = 200;

/** The page size a query asks for, with the default applied. */
export function pageSize(query: { per_page?: number; minimal?: boolean }): number {
  return query.per_page ?? (query.minimal ? MAX_MINIMAL_PER_PAGE : DEFAULT_PER_PAGE);
}

/** The ORUK page envelope (docs/standard.md, "Page envelope"). */
export interface Page<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
}

export function toPage<T>(
  { items, total }: { items: T[]; total: number },
  { page, per_page }: { page: number; per_page: number },
): Page<T> {
  const totalPages = Math.ceil(total / per_page);
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: page,
    size: items.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: items.length === 0,
    contents: items,
  };
}
