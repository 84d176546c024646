import { applyDecorators, INestApplication } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiResponse,
  DocumentBuilder,
  OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { POSTCODE_DIRECTORY_MISSING } from '../geo/geocoder';
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
const pagedShapes = new Map<string, readonly Shape[]>();

/** An error response: the Error schema, and an example body. */
const error = (statusCode: number, message: string) => ({
  content: {
    'application/json': {
      schema: { $ref: `${COMPONENTS}Error` },
      example: { statusCode, message, error: STATUS_CODES[statusCode] },
    },
  },
});

/** The validators and the policy of every data endpoint's 200 and 304 (docs/caching.md). */
const VALIDATORS = {
  ETag: {
    description:
      'A strong validator of this answer, from the data version: send it back in If-None-Match.',
    schema: { type: 'string', example: '"3f2a9c0d41b7.42.Cwdi-1-xdvPjOGYq"' },
  },
  'Last-Modified': {
    description: 'When the data last changed (once that second is over).',
    schema: { type: 'string', example: 'Mon, 07 Dec 2026 23:51:02 GMT' },
  },
  'Cache-Control': {
    description: 'How long the answer may be reused without asking again (CACHE_CONTROL).',
    schema: { type: 'string', example: 'public, max-age=60, stale-while-revalidate=300' },
  },
};

/** The conditional request headers and the 304 of every data endpoint (docs/caching.md). */
const Conditional = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description:
        'The ETag of an answer you have, e.g. "3f2a9c0d41b7.42.Cwdi-1-xdvPjOGYq": 304 if it is still current.',
    }),
    ApiHeader({
      name: 'If-Modified-Since',
      required: false,
      description:
        'The Last-Modified of an answer you have, e.g. Mon, 07 Dec 2026 23:51:02 GMT: 304 if nothing changed since (ignored with If-None-Match).',
    }),
    ApiResponse({
      status: 304,
      description: 'Not modified: the answer you have is still current. No body.',
      headers: VALIDATORS,
    }),
  );

/** 200 with one record (a `noun`) of one of these shapes, or 404, or 400. */
export function ApiRecord(noun: string, shapes: readonly Shape[]) {
  shapes.forEach((s) => documentedShapes.add(s));
  const refs = shapes.map((s) => ({ $ref: `${COMPONENTS}${s.name}` }));
  return applyDecorators(
    ApiOkResponse({
      description: `The ${noun}.`,
      schema: refs.length === 1 ? refs[0] : { anyOf: refs },
      headers: VALIDATORS,
    }),
    Conditional(),
    ApiNotFoundResponse({
      description: `No ${noun} has this id.`,
      ...error(404, `No ${noun} has the id 00000000-0000-4000-8000-000000000000`),
    }),
    ApiBadRequestResponse({
      description: 'The id is not a UUID.',
      ...error(400, 'id must be a UUID'),
    }),
  );
}

/**
 * 200 with an ORUK page envelope whose items have one of these shapes, or 400; with
 * `locates` (the list takes a postcode), 501 for a postcode the server cannot locate.
 */
export function ApiPage(
  description: string,
  shapes: readonly Shape[],
  { locates = false }: { locates?: boolean } = {},
) {
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
      headers: VALIDATORS,
    }),
    Conditional(),
    ApiBadRequestResponse({
      description: 'A query parameter has a bad value; the message names it.',
      ...error(400, 'per_page must not be greater than 1000'),
    }),
    ...(locates
      ? [
          ApiResponse({
            status: 501,
            description:
              'The postcode is not at any location of this directory, and no postcode directory ' +
              'is loaded to locate it (README: Postcodes).',
            ...error(501, POSTCODE_DIRECTORY_MISSING('BS99 9ZZ')),
          }),
        ]
      : []),
  );
}

/**
 * The OpenAPI document, its object keys sorted (paths, components, every schema's keys but
 * the order of its properties, which is the fields' order of declaration), so that a change
 * to the API shows in a diff as just that change. Swagger UI shows the tags in the order
 * of TAGS.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
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
    .addServer('/');
  for (const [tag, description] of Object.entries(TAGS)) builder.addTag(tag, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { ignoreGlobalPrefix: true });
  document.components = {
    ...document.components,
    schemas: { ...componentSchemas(), ...document.components?.schemas },
  };
  return sortKeys(document) as OpenAPIObject;
}

/**
 * The tags of the operations (src/api/*.controller.ts), in the order Swagger UI shows them.
 * ORUK 3.0 requires three endpoints; the official validator fails a feed on those alone
 * (docs/standard.md, "How the official validator decides").
 */
export const TAGS: Record<string, string> = {
  'Feed details (required)': 'Required by ORUK 3.0: where a reader (and the validator) starts.',
  'Services (required)': 'Required by ORUK 3.0: the services, a page at a time, and one by id.',
  'Services at locations (optional)': 'Optional in ORUK 3.0: where each service is delivered.',
  'Organizations (optional)': 'Optional in ORUK 3.0: who provides the services.',
  'Taxonomies (optional)': 'Optional in ORUK 3.0: the classification schemes of the services.',
  'Taxonomy terms (optional)': 'Optional in ORUK 3.0: the terms of those schemes.',
  'This server': 'Not part of ORUK: this server\u2019s own documents.',
};

/** A copy with every object's keys sorted, except a schema's properties and examples. */
function sortKeys(value: unknown, parent?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (value === null || typeof value !== 'object') return value;
  const keep = parent === 'properties' || parent === 'example' || parent === 'examples';
  const keys = Object.keys(value);
  return Object.fromEntries(
    (keep ? keys : keys.sort()).map((key) => [
      key,
      parent === 'example'
        ? (value as Record<string, unknown>)[key]
        : sortKeys((value as Record<string, unknown>)[key], key),
    ]),
  );
}

function componentSchemas(): Record<string, JsonSchema> {
  const schemas = shapeSchemas([...documentedShapes], COMPONENTS);
  for (const [name, shapes] of pagedShapes) schemas[name] = pageSchema(shapes);
  schemas.Error = ERROR_SCHEMA;
  schemas.ApiDetails = API_DETAILS_SCHEMA;
  return schemas;
}

function pageSchema(shapes: readonly Shape[]): JsonSchema {
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
    statusCode: { type: 'integer', description: 'The HTTP status code.' },
    message: { type: 'string', description: 'What was wrong, naming the parameter or the id.' },
    error: { type: 'string', description: 'The HTTP reason phrase.' },
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
