import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVICE_AT_LOCATION, SERVICE_AT_LOCATION_FULL } from '../hsds/shapes';
import { Lists, SERVICE_AT_LOCATIONS } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { ServiceAtLocationsQuery } from './queries';

@ApiTags('Services at locations (optional)')
@Controller('service_at_locations')
export class ServiceAtLocationsController {
  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listServiceAtLocations',
    summary: 'List services at locations',
    description:
      'Where each service is delivered: a page of service-at-location records, each with its flat ' +
      'location and its service (with a flat organization), ordered by service name (by relevance ' +
      'with `search`, nearest first with a postcode or lat/long). The service filters apply to ' +
      'each record\u2019s service; proximity to its location.',
  })
  @ApiPage('A page of services at locations.', SERVICE_AT_LOCATION, SERVICE_AT_LOCATION_FULL)
  list(@Query() query: ServiceAtLocationsQuery) {
    return this.lists.run(SERVICE_AT_LOCATIONS, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getServiceAtLocation',
    summary: 'Get a service at a location',
    description:
      'One service-at-location record with its full location and its full service (without the ' +
      'service\u2019s other locations).',
  })
  @ApiIdParam('service at location')
  @ApiRecord(SERVICE_AT_LOCATION_FULL, 'The service at location.')
  async get(@IdParam() id: string) {
    const record = await this.reader.one(SERVICE_AT_LOCATION_FULL, id);
    if (!record) throw new NotFoundException(`No service at location has the id ${id}`);
    return record;
  }
}
