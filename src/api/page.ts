import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToBoolean, ToInt } from './query-values';

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;

/** `page` and `per_page`, shared by every list endpoint (STANDARD.md §1.2, §1.5). */
export class PageQuery {
  @ApiPropertyOptional({
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
    description: `How many items a page holds (at most ${MAX_PER_PAGE}).`,
    default: DEFAULT_PER_PAGE,
    minimum: 1,
    maximum: MAX_PER_PAGE,
    example: DEFAULT_PER_PAGE,
  })
  @IsOptional()
  @ToInt()
  @Max(MAX_PER_PAGE)
  @Min(1)
  @IsInt()
  per_page: number = DEFAULT_PER_PAGE;
}

export class FullQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'true: list items are fully nested, the same shape as the /{id} response.',
    default: false,
    example: true,
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  full: boolean = false;
}

/** The ORUK page envelope (STANDARD.md §1.5). */
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
  query: PageQuery,
): Page<T> {
  const totalPages = Math.ceil(total / query.per_page);
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: query.page,
    size: items.length,
    first_page: query.page === 1,
    last_page: query.page >= totalPages,
    empty: items.length === 0,
    contents: items,
  };
}
