import { Query } from '@nestjs/common';
import { TAXONOMY_TERM } from '../hsds/shapes';
import { taxonomyTermFilters } from '../search/filters';
import { Endpoints } from './endpoints';
import { EXAMPLE } from './examples';
import { IdParam } from './id-param';
import { TaxonomyTermsQuery } from './queries';
import { ListRoute, RecordRoute, resource, ResourceController } from './resource';

export const TAXONOMY_TERMS = resource({
  path: 'taxonomy_terms',
  tag: 'Taxonomy terms (optional)',
  noun: 'taxonomy term',
  list: {
    operationId: 'listTaxonomyTerms',
    summary: 'List taxonomy terms',
    description:
      'A page of taxonomy terms ordered by name (by relevance with `search`), optionally of one ' +
      'taxonomy, under one parent, or only the top level.',
    page: 'A page of taxonomy terms.',
    query: TaxonomyTermsQuery,
    table: 'taxonomy_term',
    shapes: [TAXONOMY_TERM],
    shape: () => TAXONOMY_TERM,
    filter: taxonomyTermFilters,
  },
  record: {
    example: EXAMPLE.taxonomyTerm,
    operationId: 'getTaxonomyTerm',
    summary: 'Get a taxonomy term',
    description: 'One taxonomy term.',
    shapes: [TAXONOMY_TERM],
    shape: () => TAXONOMY_TERM,
  },
});

@ResourceController(TAXONOMY_TERMS)
export class TaxonomyTermsController {
  constructor(private readonly endpoints: Endpoints) {}

  @ListRoute(TAXONOMY_TERMS)
  list(@Query() query: TaxonomyTermsQuery) {
    return this.endpoints.list(TAXONOMY_TERMS, query);
  }

  @RecordRoute(TAXONOMY_TERMS)
  get(@IdParam() id: string) {
    return this.endpoints.record(TAXONOMY_TERMS, id);
  }
}
