import { Query } from '@nestjs/common';
import { SERVICE, SERVICE_FULL, SERVICE_MINIMAL } from '../hsds/shapes';
import { ALIAS } from '../search/aliases';
import { serviceFilters } from '../search/filters';
import { Endpoints } from './endpoints';
import { EXAMPLE } from './examples';
import { IdParam } from './id-param';
import { ServicesQuery } from './queries';
import { ListRoute, RecordRoute, resource, ResourceController } from './resource';

export const SERVICES = resource({
  path: 'services',
  tag: 'Services (required)',
  noun: 'service',
  list: {
    operationId: 'listServices',
    summary: 'List services',
    description:
      'A page of services ordered by name (by relevance with `search`, nearest first with a ' +
      'postcode or lat/long), each with its flat organization. Filters combine with AND. ' +
      '`full=true` nests everything, as `/services/{id}` does; `minimal=true` gives only ids and ' +
      'modification times.',
    page: 'A page of services.',
    query: ServicesQuery,
    table: 'service',
    shapes: [SERVICE, SERVICE_FULL, SERVICE_MINIMAL],
    shape: (q) => (q.minimal ? SERVICE_MINIMAL : q.full ? SERVICE_FULL : SERVICE),
    filter: (plan, q, context) => serviceFilters(plan, q, ALIAS.row, context, 'service'),
  },
  record: {
    example: EXAMPLE.service,
    operationId: 'getService',
    summary: 'Get a service',
    description:
      'One service with everything nested in it: organization, locations with addresses and accessibility, schedules, service areas, languages, funding, cost options, contacts, phones and attributes.',
    shapes: [SERVICE_FULL],
    shape: () => SERVICE_FULL,
  },
});

@ResourceController(SERVICES)
export class ServicesController {
  constructor(private readonly endpoints: Endpoints) {}

  @ListRoute(SERVICES)
  list(@Query() query: ServicesQuery) {
    return this.endpoints.list(SERVICES, query);
  }

  @RecordRoute(SERVICES)
  get(@IdParam() id: string) {
    return this.endpoints.record(SERVICES, id);
  }
}
