import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig } from '../config/config';

/** Holds the generated OpenAPI document once the application has built it. */
export class OpenApiHolder {
  document?: OpenAPIObject;
}

export const ORUK_VERSION = 'HSDS-UK-3.0';

@ApiTags('Feed details (required)')
@Controller()
export class RootController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({
    operationId: 'getApiDetails',
    summary: 'Feed details',
    description:
      'The version and profile of the standard this feed follows and where its OpenAPI document is. The ORUK validator starts here.',
  })
  @ApiOkResponse({
    description: 'The feed details.',
    schema: { $ref: '#/components/schemas/ApiDetails' },
  })
  details(@Req() request: Request) {
    const {
      API_DESCRIPTION,
      PUBLISHER_NAME,
      PUBLISHER_IDENTIFIER,
      PUBLISHER_EMAIL,
      PUBLISHER_WEBSITE,
    } = this.config;
    const publisher = omitEmpty({
      name: PUBLISHER_NAME,
      identifier: PUBLISHER_IDENTIFIER,
      email: PUBLISHER_EMAIL,
      website: PUBLISHER_WEBSITE,
    });
    return omitEmpty({
      version: ORUK_VERSION,
      profile: this.config.PROFILE_URL,
      openapi_url: `${baseUrl(this.config, request)}/openapi.json`,
      description: API_DESCRIPTION,
      publisher: Object.keys(publisher).length ? publisher : undefined,
    });
  }
}

/** This server's OpenAPI document, at the URL `GET /` names (not an ORUK endpoint). */
@ApiTags('This server')
@Controller()
export class OpenApiController {
  constructor(
    private readonly config: AppConfig,
    private readonly openApi: OpenApiHolder,
  ) {}

  @Get('openapi.json')
  @ApiOperation({
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    description: 'The document you are reading, with `servers` set to this feed\u2019s base URL.',
  })
  @ApiOkResponse({
    description: 'An OpenAPI 3 document.',
    schema: { type: 'object', additionalProperties: true },
  })
  openapi(@Req() request: Request) {
    return { ...this.openApi.document, servers: [{ url: baseUrl(this.config, request) }] };
  }
}

/** The absolute URL of the base path: PUBLIC_URL when set, else from the request. */
function baseUrl(config: AppConfig, request: Request): string {
  const base =
    config.PUBLIC_URL ?? `${request.protocol}://${request.get('host')}${config.BASE_PATH}`;
  return base.replace(/\/+$/, '');
}

function omitEmpty<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
