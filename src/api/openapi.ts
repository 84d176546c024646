import { applyDecorators, INestApplication } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  DocumentBuilder,
  OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { JsonSchema, shapeSchemas } from '../hsds/json-schema';
import { Shape } from '../hsds/shapes';

/**
 * The OpenAPI document is generated from the code: operations and query parameters by
 * @nestjs/swagger from the controllers and query classes, response bodies from the same
 * shapes that build them (src/hsds/shapes.ts). `npm run openapi` writes it to
 * openapi/openapi.json; CI fails if that copy drifts from the code.
 */
const COMPONENTS = '#/components/schemas/';
const documentedShapes = new Set<Shape>();
const pagedShapes = new Map<string, Shape[]>();

/** 200 with one record of this shape. */
export function ApiRecord(shape: Shape, description: string, ...alternatives: Shape[]) {
  const shapes = [shape, ...alternatives];
  shapes.forEach((s) => documentedShapes.add(s));
  const refs = shapes.map((s) => ({ $ref: `${COMPONENTS}${s.name}` }));
  return applyDecorators(
    ApiOkResponse({ description, schema: refs.length === 1 ? refs[0] : { anyOf: refs } }),
    ApiNotFoundResponse({
      description: 'No record has this id.',
      schema: { $ref: `${COMPONENTS}Error` },
    }),
    ApiBadRequestResponse({
      description: 'The id is not a UUID.',
      schema: { $ref: `${COMPONENTS}Error` },
    }),
  );
}

/** 200 with an ORUK page envelope whose items have one of these shapes. */
export function ApiPage(description: string, ...shapes: Shape[]) {
  const name = `${shapes[0].name}Page`;
  shapes.forEach((shape) => documentedShapes.add(shape));
  pagedShapes.set(name, shapes);
  const item =
    shapes.length === 1
      ? { $ref: `${COMPONENTS}${shapes[0].name}` }
      : { anyOf: shapes.map((s) => ({ $ref: `${COMPONENTS}${s.name}` })) };
  return applyDecorators(
    ApiOkResponse({
      description: `${description} With format=ndjson: every matching item, one JSON object a line, without the envelope.`,
      content: {
        'application/json': { schema: { $ref: `${COMPONENTS}${name}` } },
        'application/x-ndjson': { schema: item },
      },
    }),
    ApiBadRequestResponse({
      description: 'A query parameter has a bad value; the message names it.',
      schema: { $ref: `${COMPONENTS}Error` },
    }),
  );
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Open Referral UK 3.0 feed (oruk-server)')
    .setDescription(
      'A directory of community services published to the Open Referral UK (ORUK) 3.0 standard, ' +
        'the UK profile of the Human Services Data Specification (HSDS). Read-only and open: no key ' +
        'is needed. Every response is JSON; empty optional fields are omitted, never null.',
    )
    .setVersion('HSDS-UK-3.0')
    .setLicense(
      'MIT (the server); the data is the publisher\u2019s',
      'https://opensource.org/license/mit',
    )
    .addServer('/')
    .build();
  const document = SwaggerModule.createDocument(app, config, { ignoreGlobalPrefix: true });
  document.components = {
    ...document.components,
    schemas: { ...componentSchemas(), ...document.components?.schemas },
  };
  return document;
}

function componentSchemas(): Record<string, JsonSchema> {
  const schemas = shapeSchemas([...documentedShapes], COMPONENTS);
  for (const [name, shapes] of pagedShapes) schemas[name] = pageSchema(shapes);
  schemas.Error = ERROR_SCHEMA;
  schemas.ApiDetails = API_DETAILS_SCHEMA;
  return schemas;
}

function pageSchema(shapes: Shape[]): JsonSchema {
  const refs = shapes.map((s) => ({ $ref: `${COMPONENTS}${s.name}` }));
  const integer = (description: string) => ({ type: 'integer', minimum: 0, description });
  const boolean = (description: string) => ({ type: 'boolean', description });
  return {
    type: 'object',
    required: [
      'total_items',
      'total_pages',
      'page_number',
      'size',
      'first_page',
      'last_page',
      'empty',
      'contents',
    ],
    properties: {
      total_items: integer('How many records match, on all pages.'),
      total_pages: integer('How many pages there are at this per_page (0 when nothing matches).'),
      page_number: { type: 'integer', minimum: 1, description: 'This page, counting from 1.' },
      size: integer('How many items this page holds (the length of contents).'),
      first_page: boolean('Whether this is page 1.'),
      last_page: boolean('Whether no page follows this one.'),
      empty: boolean('Whether contents is empty.'),
      contents: { type: 'array', items: refs.length === 1 ? refs[0] : { anyOf: refs } },
    },
  };
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['statusCode', 'message', 'error'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status code.', example: 400 },
    message: {
      type: 'string',
      description: 'What was wrong, naming the parameter.',
      example: 'per_page must not be greater than 1000',
    },
    error: { type: 'string', description: 'The HTTP reason phrase.', example: 'Bad Request' },
  },
};

export const API_DETAILS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['version', 'profile', 'openapi_url'],
  properties: {
    version: {
      type: 'string',
      description: 'The version of the standard this feed follows.',
      example: 'HSDS-UK-3.0',
    },
    profile: {
      type: 'string',
      format: 'uri',
      description: 'The profile of HSDS this feed follows.',
    },
    openapi_url: {
      type: 'string',
      format: 'uri',
      description: 'The OpenAPI document of this feed.',
    },
    description: { type: 'string', description: 'What this feed publishes.' },
    publisher: {
      type: 'object',
      description: 'Who publishes this feed.',
      properties: {
        name: { type: 'string' },
        identifier: { type: 'string', description: 'An org-id.guide identifier, e.g. GB-LAE-BST.' },
        email: { type: 'string', format: 'email' },
        website: { type: 'string', format: 'uri' },
      },
    },
  },
};
