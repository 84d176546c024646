import { tableOf } from '../../hsds/fields';

/**
 * HSDS in its tabular form: a Frictionless tabular data package (`datapackage.json` and
 * one CSV per table), as the HSDS and ORUK profiles publish it (the UK profile's
 * datapackage.json, docs/standard.md). Everything in this folder is derived from the field
 * registry (src/hsds/fields.ts) and the shapes (src/hsds/shapes.ts): the package's schema,
 * the CSV columns, how cells become JSON values, and how rows nest back into the documents
 * the API serves. Nothing lists fields. Here: the names of the files.
 */

export class CsvPackageError extends Error {
  override name = 'CsvPackageError';
}

export const DESCRIPTOR = 'datapackage.json';

/**
 * The official UK profile names most files after the plural of the table
 * (`organizations.csv`, `taxonomies.csv`); these keep the singular (`attribute.csv`).
 */
const SINGULAR_FILES = new Set([
  'accessibility',
  'address',
  'attribute',
  'funding',
  'schedule',
  'service_at_location',
]);

const plural = (table: string): string =>
  table.endsWith('y') ? `${table.slice(0, -1)}ies` : `${table}s`;

/** The file a table is written to: the name the official UK profile package uses. */
export function csvFileOf(entity: Function): string {
  const table = tableOf(entity);
  return `${SINGULAR_FILES.has(table) ? table : plural(table)}.csv`;
}

/** The names a table's file may have in a package without datapackage.json. */
export function fileNamesOf(entity: Function): string[] {
  const table = tableOf(entity);
  return [...new Set([csvFileOf(entity), `${table}.csv`, `${plural(table)}.csv`])];
}
