import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TAXONOMY, TAXONOMY_FULL } from '../hsds/shapes';
import { Lists, TAXONOMIES } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { TaxonomiesQuery } from './queries';

@ApiTags('Taxonomies (optional)')
@Controller('taxonomies')
export class TaxonomiesController {
  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listTaxonomies',
    summary: 'List taxonomies',
    description:
      'A page of the taxonomies whose terms classify the services, ordered by name (by relevance ' +
      'with `search`).',
  })
  @ApiPage('A page of taxonomies.', TAXONOMY)
  list(@Query() query: TaxonomiesQuery) {
    return this.lists.run(TAXONOMIES, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getTaxonomy',
    summary: 'Get a taxonomy',
    description: 'One taxonomy with all its terms.',
  })
  @ApiIdParam('taxonomy')
  @ApiRecord(TAXONOMY_FULL, 'The taxonomy.')
  async get(@IdParam() id: string) {
    const record = await this.reader.one(TAXONOMY_FULL, id);
    if (!record) throw new NotFoundException(`No taxonomy has the id ${id}`);
    return record;
  }
}
