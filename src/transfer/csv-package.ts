import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import * as yauzl from 'yauzl';
import { CsvError, csvRecords } from '../geo/csv';
import { ENTITIES } from '../hsds/entities';
import { FieldKind, FieldSpec, fieldsOf, tableOf } from '../hsds/fields';
import { jsonObject, quoteIdent } from '../hsds/json-select';
import { SERVICE_FULL, Shape, shapeFields, TAXONOMY_FULL } from '../hsds/shapes';
import { Doc, SourceDocument } from './documents';

/**
 * HSDS in its tabular form: a Frictionless tabular data package (`datapackage.json` and
 * one CSV per table), as the HSDS and ORUK profiles publish it (uk-profile/datapackage.json).
 *
 * Everything here is derived from the field registry (src/hsds/fields.ts) and the shapes
 * (src/hsds/shapes.ts): the package's schema, the CSV columns, how cells become JSON
 * values, and how rows nest back into the documents the API serves. Nothing lists fields.
 */

export class CsvPackageError extends Error {
  override name = 'CsvPackageError';
}

const DESCRIPTOR = 'datapackage.json';
const BATCH = 1000;

// ---------------------------------------------------------------------------------------
// File names

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
function fileNamesOf(entity: Function): string[] {
  const table = tableOf(entity);
  return [...new Set([csvFileOf(entity), `${table}.csv`, `${plural(table)}.csv`])];
}

// ---------------------------------------------------------------------------------------
// Writing

/** RFC 4180: a cell is quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvLine(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

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

// ---------------------------------------------------------------------------------------
// Reading: the package's files, in a folder or a zip

interface PackageFiles {
  has(file: string): boolean;
  /** The file's text, in chunks. */
  open(file: string): Promise<AsyncIterable<string>>;
  close(): void;
}

/** A resource path must name a file inside the package (Data Package spec). */
function safePath(file: string): boolean {
  return (
    file !== '' &&
    !isAbsolute(file) &&
    !/^[a-z][a-z0-9+.-]*:/i.test(file) &&
    !file.split(/[\\/]/).includes('..')
  );
}

async function openPackage(path: string): Promise<PackageFiles> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CsvPackageError(`${path}: no such folder or zip file`);
  if (info.isDirectory()) return folderFiles(path);
  if (basename(path) === DESCRIPTOR) return folderFiles(dirname(path));
  return zipFiles(path);
}

async function folderFiles(dir: string): Promise<PackageFiles> {
  const isFile = async (file: string) =>
    (await stat(join(dir, file)).catch(() => undefined))?.isFile() ?? false;
  // The files worth knowing about up front: the descriptor and the known table names.
  const known = [DESCRIPTOR, ...ENTITIES.flatMap(fileNamesOf)];
  const present = new Set<string>();
  for (const file of known) if (await isFile(file)) present.add(file);
  return {
    has: (file) => present.has(file),
    open: async (file) => {
      if (!present.has(file) && !(await isFile(file))) throw missing(file);
      return createReadStream(join(dir, file), { encoding: 'utf8' });
    },
    close: () => undefined,
  };
}

/**
 * A zip read in place: the central directory says where each entry is, and an entry is
 * inflated as a stream when it is read, so nothing is extracted and nothing held whole.
 * A zip of the package's folder (entries under one directory) is read the same.
 */
async function zipFiles(path: string): Promise<PackageFiles> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new CsvPackageError(`${path}: not a zip file or a folder (${(error as Error).message})`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
    }
  } catch (error) {
    zip.close();
    throw new CsvPackageError(`${path}: unreadable zip (${(error as Error).message})`);
  }
  // The package's root: where datapackage.json is, else where a known CSV is (shallowest).
  const known = new Set(ENTITIES.flatMap(fileNamesOf));
  const depth = (name: string) => name.split('/').length;
  const names = [...entries.keys()].sort((a, b) => depth(a) - depth(b));
  const anchor =
    names.find((name) => posix.basename(name) === DESCRIPTOR) ??
    names.find((name) => known.has(posix.basename(name)));
  const root = anchor && posix.dirname(anchor) !== '.' ? `${posix.dirname(anchor)}/` : '';
  const entryOf = (file: string) => entries.get(root + posix.normalize(file.replace(/\\/g, '/')));
  return {
    has: (file) => entryOf(file) !== undefined,
    open: async (file) => {
      const entry = entryOf(file);
      if (!entry) throw missing(file);
      const stream = await zip.openReadStreamPromise(entry);
      stream.setEncoding('utf8');
      return stream as AsyncIterable<string>;
    },
    close: () => zip.close(),
  };
}

const missing = (file: string) =>
  new CsvPackageError(`${file}: listed in ${DESCRIPTOR} but not in the package`);

interface Resource {
  entity: Function;
  file: string;
}

/** Which file holds each table: from datapackage.json, else by the usual file names. */
async function resourcesOf(files: PackageFiles, path: string): Promise<Resource[]> {
  const byTable = new Map(ENTITIES.map((entity) => [tableOf(entity), entity]));
  const byFile = new Map(ENTITIES.flatMap((e) => fileNamesOf(e).map((f) => [f, e] as const)));
  const found = new Map<Function, string>();
  if (!files.has(DESCRIPTOR)) {
    for (const [file, entity] of byFile) {
      if (files.has(file) && !found.has(entity)) found.set(entity, file);
    }
    if (!found.size) {
      throw new CsvPackageError(
        `${path}: no ${DESCRIPTOR}, and none of the HSDS files (${ENTITIES.map(csvFileOf).join(', ')})`,
      );
    }
    return [...found].map(([entity, file]) => ({ entity, file }));
  }
  const descriptor = await readDescriptor(files);
  for (const [index, resource] of descriptor.entries()) {
    const where = `${DESCRIPTOR}: resources[${index}]`;
    if (typeof resource !== 'object' || resource === null)
      throw new CsvPackageError(`${where} is not an object`);
    const { name, path: file, dialect, encoding } = resource as Record<string, unknown>;
    if (Array.isArray(file))
      throw new CsvPackageError(`${where}: multi-file resources are not supported`);
    if (typeof file !== 'string') continue; // inline data: not a table of ours
    const entity =
      (typeof name === 'string' ? byTable.get(name) : undefined) ??
      byFile.get(posix.basename(file.replace(/\\/g, '/')));
    if (!entity || found.has(entity)) continue; // a table HSDS-UK does not have
    if (!safePath(file))
      throw new CsvPackageError(`${where}: path "${file}" is not a file inside the package`);
    const delimiter = (dialect as { delimiter?: unknown } | undefined)?.delimiter;
    if (delimiter !== undefined && delimiter !== ',')
      throw new CsvPackageError(`${where}: only comma-separated files are supported`);
    if (typeof encoding === 'string' && !/^utf-?8$/i.test(encoding))
      throw new CsvPackageError(`${where}: only UTF-8 files are supported, not ${encoding}`);
    found.set(entity, file);
  }
  return [...found].map(([entity, file]) => ({ entity, file }));
}

async function readDescriptor(files: PackageFiles): Promise<unknown[]> {
  let text = '';
  for await (const chunk of await files.open(DESCRIPTOR)) text += chunk;
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CsvPackageError(`${DESCRIPTOR}: not valid JSON (${(error as Error).message})`);
  }
  const resources = (descriptor as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) throw new CsvPackageError(`${DESCRIPTOR}: no "resources" array`);
  return resources as unknown[];
}

// ---------------------------------------------------------------------------------------
// Reading: rows

interface Row {
  doc: Doc;
  /** The line the record starts on. */
  line: number;
}

/** One table's rows, in id order, with the indexes the nesting needs. */
class Table {
  readonly byId = new Map<string, Row>();
  private readonly indexes = new Map<string, Map<string, Row[]>>();

  constructor(
    readonly file: string,
    readonly rows: Row[],
  ) {
    rows.sort((a, b) => compareIds(a.doc.id, b.doc.id));
    for (const row of rows) if (typeof row.doc.id === 'string') this.byId.set(key(row.doc.id), row);
  }

  /** The rows whose `column` holds `id`, in id order. */
  referring(column: string, id: string): Row[] {
    let index = this.indexes.get(column);
    if (!index) {
      index = new Map();
      for (const row of this.rows) {
        const value = row.doc[column];
        if (typeof value !== 'string') continue;
        const list = index.get(key(value));
        if (list) list.push(row);
        else index.set(key(value), [row]);
      }
      this.indexes.set(column, index);
    }
    return index.get(key(id)) ?? [];
  }
}

/** UUIDs compare as PostgreSQL orders them (by bytes: lower-case hex order). */
const key = (id: string) => id.toLowerCase();
function compareIds(a: unknown, b: unknown): number {
  const x = typeof a === 'string' ? key(a) : '';
  const y = typeof b === 'string' ? key(b) : '';
  return x < y ? -1 : x > y ? 1 : 0;
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell as a JSON value: numbers for number fields when they parse, else the text.
 * Spaces around ids and numbers mean nothing (the official example has some) and go.
 */
function cellValue(field: FieldSpec, text: string): unknown {
  if (field.kind === 'uuid') return text.trim();
  if (field.kind === 'number' || field.kind === 'integer') {
    const trimmed = text.trim();
    return NUMBER.test(trimmed) ? Number(trimmed) : text;
  }
  return text;
}

/**
 * The records of a CSV file with the line each starts on. Lines are handed to the parser
 * one at a time, so that when it returns a record the line it ended on is known; a record
 * starts as many lines earlier as it has line breaks in its quoted fields.
 */
async function* numberedRecords(
  chunks: AsyncIterable<string>,
  file: string,
): AsyncGenerator<{ fields: string[]; line: number }> {
  let line = 0;
  async function* lines(): AsyncGenerator<string> {
    let rest = '';
    for await (const chunk of chunks) {
      const text = rest + chunk;
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        line++;
        yield text.slice(start, end + 1);
        start = end + 1;
      }
      rest = text.slice(start);
    }
    if (rest !== '') {
      line++;
      yield rest;
    }
  }
  try {
    for await (const batch of csvRecords(lines(), file)) {
      for (const fields of batch) {
        let breaks = 0;
        for (const field of fields) {
          for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) breaks++;
        }
        yield { fields, line: line - breaks };
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvPackageError(error.message);
    throw error;
  }
}

async function readTable(files: PackageFiles, { entity, file }: Resource): Promise<Table> {
  const specs = new Map(fieldsOf(entity).map((f) => [f.name, f]));
  let columns: (FieldSpec | undefined)[] | undefined;
  const rows: Row[] = [];
  const lines = new Map<string, number>();
  for await (const { fields, line } of numberedRecords(await files.open(file), file)) {
    if (!columns) {
      const header = fields.map((name) => name.trim());
      const twice = header.find((name, i) => name !== '' && header.indexOf(name) !== i);
      if (twice) throw new CsvPackageError(`${file}, line ${line}: column "${twice}" twice`);
      if (!header.includes('id'))
        throw new CsvPackageError(`${file}, line ${line}: the header has no id column`);
      // Columns HSDS-UK does not have (e.g. HSDS fields the profile removed) are ignored.
      columns = header.map((name) => specs.get(name));
      continue;
    }
    if (fields.length !== columns.length) {
      throw new CsvPackageError(
        `${file}, line ${line}: ${fields.length} fields where the header has ${columns.length}`,
      );
    }
    const doc: Doc = {};
    columns.forEach((spec, i) => {
      if (!spec || fields[i] === '') return;
      const value = cellValue(spec, fields[i]);
      if (value !== '') doc[spec.name] = value;
    });
    if (typeof doc.id === 'string') {
      const earlier = lines.get(key(doc.id));
      if (earlier !== undefined)
        throw new CsvPackageError(`${file}, line ${line}: id ${doc.id} is also on line ${earlier}`);
      lines.set(key(doc.id), line);
    }
    rows.push({ doc, line });
  }
  if (!columns) throw new CsvPackageError(`${file}, line 1: no header (an id column is required)`);
  return new Table(file, rows);
}

// ---------------------------------------------------------------------------------------
// Reading: documents

/** The entities a shape reaches, itself included. */
function entitiesOf(shape: Shape, into = new Set<Function>()): Set<Function> {
  into.add(shape.entity);
  for (const nest of Object.values(shape.nest ?? {})) entitiesOf(nest.shape, into);
  return into;
}

/**
 * A row as a document of the shape, its children nested as the shape declares: arrays of
 * the rows that point at it by `via` (and carry the `where` constants, when they say),
 * in id order; objects it points at by `via`. Empty arrays and missing objects are left
 * out, as the API leaves them out.
 */
function assemble(shape: Shape, row: Row, tables: Map<Function, Table>): Doc {
  const doc: Doc = {};
  for (const field of shapeFields(shape)) {
    if (row.doc[field.name] !== undefined) doc[field.name] = row.doc[field.name];
  }
  for (const [name, nest] of Object.entries(shape.nest ?? {})) {
    const table = tables.get(nest.shape.entity);
    const link = nest.many ? row.doc.id : row.doc[nest.via];
    if (!table || typeof link !== 'string') continue;
    if (nest.many) {
      // A package without the where column (the UK profile drops attribute.link_entity)
      // links by id alone: ids are UUIDs, unique across tables.
      const children = table
        .referring(nest.via, link)
        .filter((child) =>
          Object.entries(nest.where ?? {}).every(
            ([column, value]) => child.doc[column] === undefined || child.doc[column] === value,
          ),
        );
      if (children.length) doc[name] = children.map((child) => assemble(nest.shape, child, tables));
    } else {
      const target = table.byId.get(key(link));
      if (target) doc[name] = assemble(nest.shape, target, tables);
    }
  }
  return doc;
}

/**
 * The documents of an HSDS tabular data package (a folder, or a .zip of one): every
 * taxonomy with its terms, then every service fully nested, each in id order and each
 * with the file and line of its row. A package written by writeCsvPackage gives back
 * exactly the documents the API serves.
 *
 * Cells become JSON values by the field registry: numbers for number fields when they
 * parse (otherwise the text, for validation to reject), empty cells left out.
 * The tables are held in memory while the documents are assembled.
 */
export async function* readCsvPackage(path: string): AsyncGenerator<SourceDocument> {
  const files = await openPackage(path);
  try {
    const roots: [SourceDocument['kind'], Shape][] = [
      ['taxonomy', TAXONOMY_FULL],
      ['service', SERVICE_FULL],
    ];
    const needed = new Set<Function>();
    roots.forEach(([, shape]) => entitiesOf(shape, needed));
    const tables = new Map<Function, Table>();
    for (const resource of await resourcesOf(files, path)) {
      if (needed.has(resource.entity))
        tables.set(resource.entity, await readTable(files, resource));
    }
    for (const [kind, shape] of roots) {
      const table = tables.get(shape.entity);
      for (const row of table?.rows ?? []) {
        yield { kind, doc: assemble(shape, row, tables), at: `${table!.file}:${row.line}` };
      }
    }
  } finally {
    files.close();
  }
}
