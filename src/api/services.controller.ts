import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVICE, SERVICE_FULL, SERVICE_MINIMAL } from '../hsds/shapes';
import { Lists, SERVICES } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { ServicesQuery } from './queries';

@ApiTags('Services (required)')
@Controller('services')
export class ServicesController {
  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listServices',
    summary: 'List services',
    description:
      'A page of services ordered by name (by relevance with `search`, nearest first with a ' +
      'postcode or lat/long), each with its flat organization. Filters combine with AND. ' +
      '`full=true` nests everything, as `/services/{id}` does; `minimal=true` gives only ids and ' +
      'modification times.',
  })
  @ApiPage('A page of services.', SERVICE, SERVICE_FULL, SERVICE_MINIMAL)
  list(@Query() query: ServicesQuery) {
    return this.lists.run(SERVICES, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getService',
    summary: 'Get a service',
    description:
      'One service with everything nested in it: organization, locations with addresses and accessibility, schedules, service areas, languages, funding, cost options, contacts, phones and attributes.',
  })
  @ApiIdParam('service')
  @ApiRecord(SERVICE_FULL, 'The service.')
  async get(@IdParam() id: string) {
    const service = await this.reader.one(SERVICE_FULL, id);
    if (!service) throw new NotFoundException(`No service has the id ${id}`);
    return service;
  }
}
