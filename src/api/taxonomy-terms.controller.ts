import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TAXONOMY_TERM } from '../hsds/shapes';
import { Lists, TAXONOMY_TERMS } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { TaxonomyTermsQuery } from './queries';

@ApiTags('Taxonomy terms (optional)')
@Controller('taxonomy_terms')
export class TaxonomyTermsController {
  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listTaxonomyTerms',
    summary: 'List taxonomy terms',
    description:
      'A page of taxonomy terms ordered by name (by relevance with `search`), optionally of one ' +
      'taxonomy, under one parent, or only the top level.',
  })
  @ApiPage('A page of taxonomy terms.', TAXONOMY_TERM)
  list(@Query() query: TaxonomyTermsQuery) {
    return this.lists.run(TAXONOMY_TERMS, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getTaxonomyTerm',
    summary: 'Get a taxonomy term',
    description: 'One taxonomy term.',
  })
  @ApiIdParam('taxonomy term')
  @ApiRecord(TAXONOMY_TERM, 'The taxonomy term.')
  async get(@IdParam() id: string) {
    const record = await this.reader.one(TAXONOMY_TERM, id);
    if (!record) throw new NotFoundException(`No taxonomy term has the id ${id}`);
    return record;
  }
}
