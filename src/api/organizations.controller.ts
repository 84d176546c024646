import { Query } from '@nestjs/common';
import {
  ORGANIZATION,
  ORGANIZATION_WITH_FULL_SERVICES,
  ORGANIZATION_WITH_SERVICES,
} from '../hsds/shapes';
import { namedFilters } from '../search/filters';
import { Endpoints } from './endpoints';
import { EXAMPLE } from './examples';
import { IdParam } from './id-param';
import { OrganizationQuery, OrganizationsQuery } from './queries';
import { ListRoute, RecordRoute, resource, ResourceController } from './resource';

export const ORGANIZATIONS = resource({
  path: 'organizations',
  tag: 'Organizations (optional)',
  noun: 'organization',
  list: {
    operationId: 'listOrganizations',
    summary: 'List organizations',
    description:
      'A page of the organizations that provide services, ordered by name (by relevance with ' +
      '`search`). `full=true` nests each as `/organizations/{id}` does.',
    page: 'A page of organizations.',
    query: OrganizationsQuery,
    table: 'organization',
    shapes: [ORGANIZATION, ORGANIZATION_WITH_SERVICES, ORGANIZATION_WITH_FULL_SERVICES],
    shape: (q) =>
      q.full_service
        ? ORGANIZATION_WITH_FULL_SERVICES
        : q.full
          ? ORGANIZATION_WITH_SERVICES
          : ORGANIZATION,
    filter: namedFilters,
  },
  record: {
    example: EXAMPLE.organization,
    operationId: 'getOrganization',
    summary: 'Get an organization',
    description:
      'One organization with its identifiers, attributes and the services it provides (flat, or ' +
      'fully nested with `full_service=true`).',
    query: OrganizationQuery,
    shapes: [ORGANIZATION_WITH_SERVICES, ORGANIZATION_WITH_FULL_SERVICES],
    shape: (q) => (q?.full_service ? ORGANIZATION_WITH_FULL_SERVICES : ORGANIZATION_WITH_SERVICES),
  },
});

@ResourceController(ORGANIZATIONS)
export class OrganizationsController {
  constructor(private readonly endpoints: Endpoints) {}

  @ListRoute(ORGANIZATIONS)
  list(@Query() query: OrganizationsQuery) {
    return this.endpoints.list(ORGANIZATIONS, query);
  }

  @RecordRoute(ORGANIZATIONS)
  get(@IdParam() id: string, @Query() query: OrganizationQuery) {
    return this.endpoints.record(ORGANIZATIONS, id, query);
  }
}
