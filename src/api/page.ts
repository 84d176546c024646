import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateBy } from 'class-validator';
import { ToBoolean, ToInt } from './query-values';
import { IsBoolean, Max } from 'class-validator';

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;
/** `minimal=true` items are tiny: a syncing client may list everything in one request. */
export const MAX_MINIMAL_PER_PAGE = 100_000;
export const MAX_SEARCH_LENGTH = 200;

/** per_page's maximum: larger for `minimal=true`, where items are only an id and a time. */
const MaxPerPage = () =>
  ValidateBy({
    name: 'maxPerPage',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'number' && value <= maxPerPage(args?.object as ListQuery),
      defaultMessage: (args) =>
        `per_page must not be greater than ${maxPerPage(args?.object as ListQuery)}`,
    },
  });

const maxPerPage = (query: { minimal?: boolean }) =>
  query.minimal ? MAX_MINIMAL_PER_PAGE : MAX_PER_PAGE;

/**
 * `page`, `per_page`, `format` and `search`, shared by every list endpoint (docs/standard.md,
 * "Query parameters" and "Page envelope"). The filters of each endpoint extend it (./queries.ts).
 */
export class ListQuery {
  @ApiPropertyOptional({
    type: 'integer',
    description: 'The page to return, counting from 1.',
    default: 1,
    minimum: 1,
    example: 1,
  })
  // Checks run bottom-up and stop at the first failure: type first, then range.
  @IsOptional()
  @ToInt()
  @Max(2147483647)
  @Min(1)
  @IsInt()
  page: number = 1;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      `How many items a page holds: ${DEFAULT_PER_PAGE} unless given, at most ${MAX_PER_PAGE} ` +
      `(with minimal=true: all of them, up to ${MAX_MINIMAL_PER_PAGE}).`,
    minimum: 1,
    maximum: MAX_MINIMAL_PER_PAGE,
    example: DEFAULT_PER_PAGE,
  })
  @IsOptional()
  @ToInt()
  @MaxPerPage()
  @Min(1)
  @IsInt()
  per_page?: number;

  @ApiPropertyOptional({
    description:
      'json (the default): one page in the ORUK envelope. ndjson: every matching record, one JSON ' +
      'object a line (application/x-ndjson), streamed without paging; page and per_page are ignored.',
    enum: ['json', 'ndjson'],
    default: 'json',
    example: 'ndjson',
  })
  @IsOptional()
  @IsIn(['json', 'ndjson'], { message: 'format must be json or ndjson' })
  format?: 'json' | 'ndjson';

  @ApiPropertyOptional({
    description:
      'Free-text search, as in a web search engine: words are matched with English stemming ' +
      '("advice" finds "advising"), "a quoted phrase" must appear as written, and -word excludes. ' +
      'Misspelt or partial words still find close matches. Results are ordered by relevance.',
    maxLength: MAX_SEARCH_LENGTH,
    example: 'debt advice -online',
  })
  @IsOptional()
  @MaxLength(MAX_SEARCH_LENGTH)
  @IsString({ message: 'search must be a single string' })
  search?: string;

  /** Set by subclasses that take `minimal`. */
  minimal?: boolean;
}

/** The page size a query asks for, with the default applied. */
export function pageSize(query: ListQuery): number {
  return query.per_page ?? (query.minimal ? MAX_MINIMAL_PER_PAGE : DEFAULT_PER_PAGE);
}

export const FULL_DESCRIPTION =
  'true: list items are fully nested, the same shape as the /{id} response.';

export class FullQuery extends ListQuery {
  @ApiPropertyOptional({ description: FULL_DESCRIPTION, default: false, example: true })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  full: boolean = false;
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
