import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVICE, SERVICE_FULL } from '../hsds/shapes';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { FullQuery, toPage } from './page';

@ApiTags('Services (required)')
@Controller('services')
export class ServicesController {
  constructor(private readonly reader: RecordReader) {}

  @Get()
  @ApiOperation({
    operationId: 'listServices',
    summary: 'List services',
    description:
      'A page of services ordered by name, each with its flat organization; `full=true` nests everything, as `/services/{id}` does.',
  })
  @ApiPage('A page of services.', SERVICE, SERVICE_FULL)
  async list(@Query() query: FullQuery) {
    return toPage(await this.reader.page(query.full ? SERVICE_FULL : SERVICE, query), query);
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
