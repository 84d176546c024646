import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { UUID } from '../hsds/uuid';
import { asUtcInstant } from '../search/filters';
import { ToBoolean, ToInt, ToList, ToNumber } from './query-values';

/**
 * The kinds of query parameter, each one decorator that declares a property's validation
 * and its documentation together. The parameter's name is the property's name: messages
 * say `$property` (class-validator fills it in), and @nestjs/swagger names the parameter
 * after the property. src/api/queries.ts declares every parameter with these.
 *
 * A property's checks run in the order they are registered and stop at the first failure
 * (stopAtFirstError): each decorator below registers the type check first, then the
 * range, so that a message names the real problem.
 */

/** Most values of one list parameter (`?taxonomy_term_id=a,b,…`). */
const MAX_LIST = 100;

/** `true` or `false`; `example` is what Swagger UI sends (with every other example). */
export const Flag = (description: string, example: boolean) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'boolean', description, default: false, example }),
    IsOptional(),
    ToBoolean(),
    IsBoolean(),
  );

/** One UUID, several comma-separated, or the parameter repeated: any of them matches. */
export const Uuids = (description: string, example: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      description: `${description} Several ids, comma-separated or repeated, match any of them.`,
      example,
    }),
    IsOptional(),
    ToList((v) => v.toLowerCase()),
    ArrayMaxSize(MAX_LIST, { message: `$property takes at most ${MAX_LIST} ids` }),
    Matches(UUID, { each: true, message: '$property must be a UUID (or a comma-separated list)' }),
    ArrayNotEmpty({ message: '$property must not be empty' }),
  );

/** A number from `min` to `max` (no example: Swagger UI then sends nothing). */
export const Range = (description: string, min: number, max: number, example?: number) => {
  const message = `$property must be a number from ${min} to ${max}`;
  return applyDecorators(
    ApiPropertyOptional({ type: 'number', description, minimum: min, maximum: max, example }),
    IsOptional(),
    ToNumber(),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(min, { message }),
    Max(max, { message }),
  );
};

/** A whole number from `min` (messages: class-validator's own, which name the bound). */
export const Count = (options: {
  description: string;
  min: number;
  max?: number;
  example: number;
  default?: number;
  /** A maximum that depends on the other parameters, checked instead of `max`. */
  maxOf?: (query: Record<string, unknown>) => number;
  /** The maximum documented, when `maxOf` decides it. */
  documentedMax?: number;
}) =>
  applyDecorators(
    CountDocs(options),
    IsOptional(),
    ToInt(),
    IsInt(),
    Min(options.min),
    options.maxOf ? MaxOf(options.maxOf) : Max(options.max ?? 2147483647),
  );

/**
 * The documentation of a Count alone: for a query that inherits the parameter and documents
 * it otherwise (per_page on /services, whose maximum minimal=true raises).
 */
export const CountDocs = (options: {
  description: string;
  min: number;
  max?: number;
  documentedMax?: number;
  example: number;
  default?: number;
}) =>
  ApiPropertyOptional({
    type: 'integer',
    description: options.description,
    default: options.default,
    minimum: options.min,
    maximum: options.documentedMax ?? options.max,
    example: options.example,
  });

/** A maximum computed from the whole query (e.g. per_page's, larger with minimal=true). */
const MaxOf = (maxOf: (query: Record<string, unknown>) => number) =>
  ValidateBy({
    name: 'maxOf',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'number' && value <= maxOf(args?.object as Record<string, unknown>),
      defaultMessage: (args) =>
        `${args?.property} must not be greater than ${maxOf(args?.object as Record<string, unknown>)}`,
    },
  });

/** One of a list of values, given once. */
export const OneOf = <T extends string>(
  values: readonly T[],
  description: string,
  options: { example: T; default?: T },
) =>
  applyDecorators(
    ApiPropertyOptional({
      description,
      enum: [...values],
      default: options.default,
      example: options.example,
    }),
    IsOptional(),
    IsIn(values, { message: `$property must be ${orList(values)}` }),
  );

/** Any of a list of values: comma-separated or repeated, in any case. */
export const AnyOf = (values: readonly string[], description: string, example: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'string', description, example }),
    IsOptional(),
    ToList((v) => v.toUpperCase()),
    ArrayNotEmpty({ message: '$property must not be empty' }),
    IsIn(values, { each: true, message: `$property must be one of ${values.join(', ')}` }),
  );

const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** A time of day, HH:MM (or HH:MM:SS). */
export const Clock = (description: string, example: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'string', description, example, pattern: TIME.source }),
    IsOptional(),
    IsString({ message: '$property must be a time as HH:MM' }),
    Matches(TIME, { message: '$property must be a time as HH:MM' }),
  );

/** An ISO 8601 date or date-time, that names a real moment (no 30 February, no hour 25). */
const INSTANT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i;
export const Instant = (description: string, example: string) => {
  const message = '$property must be an ISO 8601 date or date-time';
  return applyDecorators(
    ApiPropertyOptional({ type: 'string', description, example }),
    IsOptional(),
    IsString({ message }),
    Matches(INSTANT, { message }),
    ValidateBy(
      { name: 'isRealInstant', validator: { validate: (value) => isRealInstant(String(value)) } },
      { message },
    ),
  );
};

/** Text of at most `maxLength` characters (`message`: what a wrong value should be). */
export const Words = (
  description: string,
  options: { maxLength: number; example: string; message?: string },
) => {
  const message = options.message ?? '$property must be a single string';
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      description,
      maxLength: options.maxLength,
      example: options.example,
    }),
    IsOptional(),
    IsString({ message }),
    MaxLength(options.maxLength, options.message ? { message } : undefined),
  );
};

function orList(values: readonly string[]): string {
  return values.length > 1
    ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`
    : values[0];
}

/** Whether an ISO 8601 instant names a real moment (no 30 February, no hour 25). */
function isRealInstant(value: string): boolean {
  const time = Date.parse(asUtcInstant(value).replace(' ', 'T'));
  if (Number.isNaN(time)) return false;
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(value) ?? [];
  if (!year) return false;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
}
