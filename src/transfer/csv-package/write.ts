import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { csvLine } from '../../common/csv';
import { ENTITIES } from '../../hsds/entities';
import { FieldKind, fieldsOf, tableOf } from '../../hsds/fields';
import { jsonObject, quoteIdent } from '../../hsds/json-select';
import { csvFileOf, DESCRIPTOR } from './names';

/** Writing a tabular data package (./names.ts says what one is). */

const BATCH = 1000;

/** Table Schema type and format of each kind of field. */
const TABLE_TYPES: Record<FieldKind, { type: string; format?: string }> = {
  uuid: { type: 'string', format: 'uuid' },
  text: { type: 'string' },
  email: { type: 'string', format: 'email' },
  uri: { type: 'string', format: 'uri' },
  enum: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  date: { type: 'date' },
  datetime: { type: 'datetime' },
  time: { type: 'time' },
};

/**
 * The Table Schema of one table. A field is required when its column is NOT NULL (the
 * tabular form's rule, stricter than the JSON's: e.g. service.organization_id). Foreign
 * keys are the references the database enforces; references that may point outside the
 * dataset (parent organizations and terms published elsewhere) are not declared, as a
 * package validator would then reject a faithful export.
 */
function resourceOf(db: DataSource, entity: Function): Record<string, unknown> {
  const table = tableOf(entity);
  const metadata = db.getMetadata(entity);
  const enforced = new Set(metadata.foreignKeys.flatMap((fk) => fk.columnNames));
  const fields = fieldsOf(entity).map((field) => {
    const column = metadata.findColumnWithPropertyName(field.name);
    const constraints: Record<string, unknown> = {
      required: field.required || (column ? !column.isNullable : false),
    };
    if (field.name === 'id') constraints.unique = true;
    if (field.values) constraints.enum = [...field.values];
    if (field.minimum !== undefined) constraints.minimum = field.minimum;
    if (field.maximum !== undefined) constraints.maximum = field.maximum;
    return {
      name: field.name,
      ...TABLE_TYPES[field.kind],
      description: field.description,
      constraints,
    };
  });
  const foreignKeys = fieldsOf(entity)
    .filter((field) => field.references && enforced.has(field.name))
    .map((field) => {
      const target = tableOf(field.references!());
      // Table Schema names the resource itself with "" in a self-reference.
      return {
        fields: field.name,
        reference: { resource: target === table ? '' : target, fields: 'id' },
      };
    });
  return {
    name: table,
    path: csvFileOf(entity),
    profile: 'tabular-data-resource',
    format: 'csv',
    mediatype: 'text/csv',
    encoding: 'utf-8',
    schema: { fields, primaryKey: 'id', ...(foreignKeys.length ? { foreignKeys } : {}) },
  };
}

export function dataPackageDescriptor(db: DataSource): Record<string, unknown> {
  return {
    profile: 'tabular-data-package',
    name: 'human_services_data',
    title: 'Human Services Data (Open Referral UK 3.0), exported by oruk-server',
    resources: ENTITIES.map((entity) => resourceOf(db, entity)),
  };
}

/**
 * Writes every table as an HSDS tabular data package in `dir` (created if need be):
 * one CSV per table, rows in id order, values formatted exactly as the JSON API formats
 * them, and datapackage.json last. All tables are read in one snapshot, through a cursor,
 * so memory stays flat however large the database.
 */
export async function writeCsvPackage(
  db: DataSource,
  dir: string,
): Promise<{ tables: number; rows: number }> {
  await mkdir(dir, { recursive: true });
  const client = await ((db.driver as PostgresDriver).master as Pool).connect();
  let rows = 0;
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const entity of ENTITIES) {
      const fields = fieldsOf(entity);
      // The API's own JSON of each row (json-select.ts), taken apart into text cells.
      const object = jsonObject({ name: tableOf(entity), entity }, 'r');
      const sql = `SELECT ${fields.map((f) => `j.o->>'${f.name}'`).join(', ')}
        FROM ${quoteIdent(tableOf(entity))} r CROSS JOIN LATERAL (SELECT ${object} AS o) j
        ORDER BY r.id`;
      const cursor = client.query(new Cursor<(string | null)[]>(sql, [], { rowMode: 'array' }));
      async function* lines(): AsyncGenerator<string> {
        yield csvLine(fields.map((f) => f.name));
        for (;;) {
          const batch = await cursor.read(BATCH);
          if (!batch.length) return;
          rows += batch.length;
          yield batch.map(csvLine).join('');
        }
      }
      try {
        await pipeline(lines(), createWriteStream(join(dir, csvFileOf(entity))));
      } finally {
        await cursor.close();
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
  const descriptor = dataPackageDescriptor(db);
  await writeFile(join(dir, DESCRIPTOR), `${JSON.stringify(descriptor, null, 2)}\n`);
  return { tables: ENTITIES.length, rows };
}
