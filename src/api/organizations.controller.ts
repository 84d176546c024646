import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ORGANIZATION,
  ORGANIZATION_WITH_FULL_SERVICES,
  ORGANIZATION_WITH_SERVICES,
} from '../hsds/shapes';
import { Lists, ORGANIZATIONS } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { ApiIdParam, IdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { OrganizationQuery, OrganizationsQuery } from './queries';

@ApiTags('Organizations (optional)')
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listOrganizations',
    summary: 'List organizations',
    description:
      'A page of the organizations that provide services, ordered by name (by relevance with ' +
      '`search`). `full=true` nests each as `/organizations/{id}` does.',
  })
  @ApiPage(
    'A page of organizations.',
    ORGANIZATION,
    ORGANIZATION_WITH_SERVICES,
    ORGANIZATION_WITH_FULL_SERVICES,
  )
  list(@Query() query: OrganizationsQuery) {
    return this.lists.run(ORGANIZATIONS, query);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getOrganization',
    summary: 'Get an organization',
    description:
      'One organization with its identifiers, attributes and the services it provides (flat, or ' +
      'fully nested with `full_service=true`).',
  })
  @ApiIdParam('organization')
  @ApiRecord(ORGANIZATION_WITH_SERVICES, 'The organization.', ORGANIZATION_WITH_FULL_SERVICES)
  async get(@IdParam() id: string, @Query() query: OrganizationQuery) {
    const shape = query.full_service ? ORGANIZATION_WITH_FULL_SERVICES : ORGANIZATION_WITH_SERVICES;
    const record = await this.reader.one(shape, id);
    if (!record) throw new NotFoundException(`No organization has the id ${id}`);
    return record;
  }
}
