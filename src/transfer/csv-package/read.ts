import { posix } from 'node:path';
import { ENTITIES } from '../../hsds/entities';
import { FieldSpec, fieldsOf, tableOf } from '../../hsds/fields';
import { SERVICE_FULL, Shape, shapeFields, TAXONOMY_FULL } from '../../hsds/shapes';
import { Doc, SourceDocument } from '../documents';
import { numberedRecords, openPackage, PackageFiles, safePath } from './files';
import { packageVersion, readLegacyPackage } from './legacy';
import { csvFileOf, CsvPackageError, DESCRIPTOR, fileNamesOf } from './names';

/** Reading a tabular data package into the documents the loader takes. */

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

async function readTable(
  files: PackageFiles,
  { entity, file }: Resource,
  warn: (at: string, message: string) => void,
): Promise<Table> {
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
      // Columns HSDS-UK does not have (e.g. HSDS fields the profile removed) are not read,
      // and named.
      columns = header.map((name) => specs.get(name));
      const unread = header.filter((name, i) => name !== '' && !columns![i]);
      if (unread.length)
        warn(file, `columns not of ${tableOf(entity)} in ORUK 3.0, not read: ${unread.join(', ')}`);
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
export async function* readCsvPackage(
  path: string,
  options: { idScope?: string; onWarning?: (at: string, message: string) => void } = {},
): AsyncGenerator<SourceDocument> {
  const files = await openPackage(path);
  const scope = options.idScope ?? 'local';
  const warn = options.onWarning ?? (() => undefined);
  try {
    if (packageVersion(files.list()) === 'legacy') {
      yield* readLegacyPackage(files, scope, warn);
      return;
    }
    const roots: [SourceDocument['kind'], Shape][] = [
      ['taxonomy', TAXONOMY_FULL],
      ['service', SERVICE_FULL],
    ];
    const needed = new Set<Function>();
    roots.forEach(([, shape]) => entitiesOf(shape, needed));
    const tables = new Map<Function, Table>();
    const read = new Set([DESCRIPTOR]);
    for (const resource of await resourcesOf(files, path)) {
      if (!needed.has(resource.entity)) continue;
      tables.set(resource.entity, await readTable(files, resource, warn));
      read.add(resource.file);
    }
    // Nothing is left out without a word: the files not read are named.
    for (const file of files.list())
      if (!read.has(file)) warn(file, 'not a table of ORUK 3.0 that this server reads: not read');
    for (const [kind, shape] of roots) {
      const table = tables.get(shape.entity);
      for (const row of table?.rows ?? []) {
        yield { kind, doc: assemble(shape, row, tables), at: `${table!.file}:${row.line}`, scope };
      }
    }
  } finally {
    files.close();
  }
}
