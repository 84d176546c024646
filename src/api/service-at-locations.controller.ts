import { Query } from '@nestjs/common';
import { SERVICE_AT_LOCATION, SERVICE_AT_LOCATION_FULL } from '../hsds/shapes';
import { ALIAS, col } from '../search/aliases';
import { serviceFilters } from '../search/filters';
import { Endpoints } from './endpoints';
import { EXAMPLE } from './examples';
import { IdParam } from './id-param';
import { ServiceAtLocationsQuery } from './queries';
import { ListRoute, RecordRoute, resource, ResourceController } from './resource';

export const SERVICE_AT_LOCATIONS = resource({
  path: 'service_at_locations',
  tag: 'Services at locations (optional)',
  noun: 'service at location',
  list: {
    operationId: 'listServiceAtLocations',
    summary: 'List services at locations',
    description:
      'Where each service is delivered: a page of service-at-location records, each with its flat ' +
      'location and its service (with a flat organization), ordered by service name (by relevance ' +
      'with `search`, nearest first with a postcode or lat/long). The service filters apply to ' +
      'each record\u2019s service; proximity to its location.',
    page: 'A page of services at locations.',
    query: ServiceAtLocationsQuery,
    table: 'service_at_location',
    // A service at location has no name: by its service's name, then its own id.
    joins: [['service', ALIAS.service, 'service_id']],
    order: [col(ALIAS.service, 'name'), col(ALIAS.row, 'id')],
    searchTable: 'service',
    shapes: [SERVICE_AT_LOCATION, SERVICE_AT_LOCATION_FULL],
    shape: (q) => (q.full ? SERVICE_AT_LOCATION_FULL : SERVICE_AT_LOCATION),
    filter: (plan, q, context) => serviceFilters(plan, q, ALIAS.service, context, 'location'),
  },
  record: {
    example: EXAMPLE.serviceAtLocation,
    operationId: 'getServiceAtLocation',
    summary: 'Get a service at a location',
    description:
      'One service-at-location record with its full location and its full service (without the ' +
      'service\u2019s other locations).',
    shapes: [SERVICE_AT_LOCATION_FULL],
    shape: () => SERVICE_AT_LOCATION_FULL,
  },
});

@ResourceController(SERVICE_AT_LOCATIONS)
export class ServiceAtLocationsController {
  constructor(private readonly endpoints: Endpoints) {}

  @ListRoute(SERVICE_AT_LOCATIONS)
  list(@Query() query: ServiceAtLocationsQuery) {
    return this.endpoints.list(SERVICE_AT_LOCATIONS, query);
  }

  @RecordRoute(SERVICE_AT_LOCATIONS)
  get(@IdParam() id: string) {
    return this.endpoints.record(SERVICE_AT_LOCATIONS, id);
  }
}
