import { Query } from '@nestjs/common';
import { TAXONOMY, TAXONOMY_FULL } from '../hsds/shapes';
import { namedFilters } from '../search/filters';
import { Endpoints } from './endpoints';
import { EXAMPLE } from './examples';
import { IdParam } from './id-param';
import { TaxonomiesQuery } from './queries';
import { ListRoute, RecordRoute, resource, ResourceController } from './resource';

export const TAXONOMIES = resource({
  path: 'taxonomies',
  tag: 'Taxonomies (optional)',
  noun: 'taxonomy',
  list: {
    operationId: 'listTaxonomies',
    summary: 'List taxonomies',
    description:
      'A page of the taxonomies whose terms classify the services, ordered by name (by relevance ' +
      'with `search`).',
    page: 'A page of taxonomies.',
    query: TaxonomiesQuery,
    table: 'taxonomy',
    shapes: [TAXONOMY],
    shape: () => TAXONOMY,
    filter: namedFilters,
  },
  record: {
    example: EXAMPLE.taxonomy,
    operationId: 'getTaxonomy',
    summary: 'Get a taxonomy',
    description: 'One taxonomy with all its terms.',
    shapes: [TAXONOMY_FULL],
    shape: () => TAXONOMY_FULL,
  },
});

@ResourceController(TAXONOMIES)
export class TaxonomiesController {
  constructor(private readonly endpoints: Endpoints) {}

  @ListRoute(TAXONOMIES)
  list(@Query() query: TaxonomiesQuery) {
    return this.endpoints.list(TAXONOMIES, query);
  }

  @RecordRoute(TAXONOMIES)
  get(@IdParam() id: string) {
    return this.endpoints.record(TAXONOMIES, id);
  }
}
