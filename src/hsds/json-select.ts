import { FieldSpec, tableOf } from './fields';
import { Shape, shapeFields } from './shapes';

/**
 * Compiles a shape into one SQL expression that builds the whole JSON object in
 * PostgreSQL: each nested array is a correlated `json_agg` over an indexed foreign key, each
 * nested object a correlated sub-select. A response therefore costs one statement however
 * many records it holds and however deep they nest (no N+1, no join explosion).
 *
 * Output rules of the standard live here, in one place (docs/standard.md, "Output rules"):
 *  - no nulls: the caller wraps the expression in json_strip_nulls, so absent fields and
 *    empty arrays are omitted;
 *  - date-time as RFC 3339 UTC with milliseconds; dates and times in ISO form, numbers as
 *    JSON numbers (PostgreSQL's own JSON encoding of date, time and double precision);
 *  - nested arrays ordered by id, so a document reads the same every time.
 */
export function jsonObject(
  shape: Shape,
  alias: string,
  extras: Record<string, string> = {},
  aliases = new AliasCounter(),
): string {
  const pairs = shapeFields(shape).map((f) => `'${f.name}', ${fieldValue(f, alias)}`);
  for (const [key, nest] of Object.entries(shape.nest ?? {})) {
    const child = aliases.next();
    const table = quoteIdent(tableOf(nest.shape.entity));
    const conditions = [
      nest.many
        ? `${child}.${quoteIdent(nest.via)} = ${alias}.id`
        : `${child}.id = ${alias}.${quoteIdent(nest.via)}`,
      ...Object.entries(nest.where ?? {}).map(
        ([column, value]) => `${child}.${quoteIdent(column)} = ${quoteLiteral(value)}`,
      ),
    ];
    const object = jsonObject(nest.shape, child, {}, aliases);
    const select = nest.many ? `json_agg(${object} ORDER BY ${child}.id)` : object;
    pairs.push(
      `'${key}', (SELECT ${select} FROM ${table} ${child} WHERE ${conditions.join(' AND ')})`,
    );
  }
  // Computed properties (e.g. distance), last: SQL expressions chosen by the caller.
  for (const [key, sql] of Object.entries(extras)) pairs.push(`'${key}', ${sql}`);
  // json_build_object takes at most 100 arguments (50 pairs); no ORUK entity comes close.
  if (pairs.length > 50) throw new Error(`${shape.name} has more than 50 properties`);
  return `json_build_object(${pairs.join(', ')})`;
}

function fieldValue(field: FieldSpec, alias: string): string {
  const column = `${alias}.${quoteIdent(field.name)}`;
  if (field.kind === 'datetime') {
    return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  }
  return column;
}

export class AliasCounter {
  private count = 0;
  next(): string {
    return `t${++this.count}`;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
