import { applyDecorators, Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { Shape } from '../hsds/shapes';
import { FilterContext } from '../search/filters';
import { ListPlan } from '../search/list-plan';
import { ListSpec } from '../search/lists';
import { ApiIdParam } from './id-param';
import { ApiPage, ApiRecord } from './openapi';
import { ListQuery } from './queries';

/**
 * One ORUK resource, declared once: where it lives, what its list reads (table, filters,
 * shapes: a ListSpec for the query layer) and what its record is, with the wording of
 * their documentation and of their 404. Its controller (src/api/*.controller.ts, beside it)
 * is routes only; Endpoints (./endpoints.ts) answers them; the OpenAPI document is built
 * from the same objects.
 */
export interface Resource<Q extends ListQuery = ListQuery, R = never> {
  /** The path under the base path, e.g. `services`. */
  path: string;
  /** The Swagger tag, which says whether ORUK requires the endpoints. */
  tag: string;
  /** What one record is called, in documentation and in the 404 message. */
  noun: string;
  list: ListEndpoint<Q>;
  record: RecordEndpoint<R>;
}

interface Documented {
  operationId: string;
  summary: string;
  description: string;
}

export interface ListEndpoint<Q extends ListQuery>
  extends Documented, Omit<ListSpec<Q>, 'shape' | 'filter'> {
  /** The query class (its parameters: src/api/queries.ts): the type the others are given. */
  query: new () => Q;
  shape(query: NoInfer<Q>): Shape;
  filter(plan: ListPlan, query: NoInfer<Q>, context: FilterContext): void;
  /** The 200 response's description. */
  page: string;
  /** Every shape `shape()` may choose, the first the usual one: the documented items. */
  shapes: readonly Shape[];
}

export interface RecordEndpoint<R> extends Documented {
  /** The id of a record of the demonstration data, for the documentation (./examples.ts). */
  example: string;
  /** The query class of the record, if it takes parameters. */
  query?: new () => R;
  /** Every shape `shape()` may choose, the first the usual one. */
  shapes: readonly Shape[];
  shape(query?: NoInfer<R>): Shape;
}

/** Any resource, whatever its query classes. */
export type AnyResource = Resource<ListQuery, unknown>;

/** A resource, its query types inferred from its query classes. */
export function resource<Q extends ListQuery, R = never>(value: Resource<Q, R>): Resource<Q, R> {
  return value;
}

/** The controller of a resource: its path and tag. */
export const ResourceController = (resource: AnyResource) =>
  applyDecorators(ApiTags(resource.tag), Controller(resource.path));

/** The list route of a resource: `GET {path}`, documented. */
export const ListRoute = ({ list }: AnyResource) => {
  const { operationId, summary, description, page, shapes, query } = list;
  return applyDecorators(
    Get(),
    ApiOperation({ operationId, summary, description }),
    ApiPage(page, shapes, { locates: takes(query, 'postcode') }),
  );
};

/** Whether a query class declares a parameter (its validation metadata says so). */
function takes(query: Function, parameter: string): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(query, '', true, false)
    .some((m) => m.propertyName === parameter);
}

/** The record route of a resource: `GET {path}/{id}`, documented. */
export const RecordRoute = ({ noun, record }: AnyResource) => {
  const { operationId, summary, description, shapes, example } = record;
  return applyDecorators(
    Get(':id'),
    ApiOperation({ operationId, summary, description }),
    ApiIdParam(noun, example),
    ApiRecord(noun, shapes),
  );
};
