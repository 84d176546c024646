import { DataSource, EntityManager } from 'typeorm';
import { ENTITIES, Service } from './entities';
import { fieldsOf, tableOf } from './fields';
import { quoteIdent } from './json-select';
import { Nest, nestsOf, Shape } from './shapes';
import { Problem, ShapeValidator, withoutEmptyValues } from './validation';

export interface Rejection extends Problem {
  /** The document's id, when it has one. */
  id?: string;
  /** Position of the document in the input. */
  index: number;
}

export interface Checked {
  accepted: { doc: Doc; index: number }[];
  rejected: Rejection[];
}

/**
 * Work done in a batch's transaction (see Loader.store): before its documents are written
 * (what they need), and after (what is kept beside them, knowing what became of them).
 */
export interface Around {
  before?(manager: EntityManager): Promise<void>;
  after?(manager: EntityManager, result: LoadResult): Promise<void>;
}

export interface LoadResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  rejected: Rejection[];
}

type Row = Record<string, unknown>;
type Doc = Record<string, unknown>;

/**
 * The one write path: takes HSDS documents of a shape (full services, taxonomies with
 * their terms), validates them, and upserts every record they contain by id. A document's
 * own arrays are its complete set of children: children missing from it are deleted.
 * Records that several documents share (organizations, locations, taxonomy terms) are
 * upserted and never deleted here.
 *
 * A batch is written in one transaction; if the database refuses it, each document is
 * retried alone so that one bad document is reported and the others are stored. Nothing
 * is ever half-written: a document is stored whole or not at all.
 *
 * Rows are only rewritten when their content differs, so loading the same data twice
 * changes nothing. `service.last_modified` is maintained by database triggers (see the
 * migrations) whenever anything nested in a service changes; a document's own
 * `last_modified`, when given, is kept as the publisher's value.
 */
export class Loader {
  private readonly validator = new ShapeValidator();

  constructor(private readonly db: DataSource) {}

  /** Validates and stores documents of a shape: `check`, then `store`. */
  async load(shape: Shape, input: unknown[]): Promise<LoadResult> {
    const { accepted, rejected } = this.check(shape, input);
    const result = await this.store(shape, accepted);
    result.rejected.unshift(...rejected);
    return result;
  }

  /**
   * Validates documents (synchronous, no database): the valid ones, normalised (no nulls
   * or empty strings), and a rejection for each problem of the others.
   */
  check(shape: Shape, input: unknown[]): Checked {
    const checked: Checked = { accepted: [], rejected: [] };
    input.forEach((raw, index) => {
      const doc = withoutEmptyValues(raw) as Doc;
      const problems = this.problems(shape, doc);
      if (problems.length) checked.rejected.push(...problems.map((p) => rejection(doc, index, p)));
      else checked.accepted.push({ doc, index });
    });
    return checked;
  }

  /**
   * Writes checked documents, all in one transaction. If the database refuses the batch,
   * each document is retried alone, so that one bad document is reported and the others
   * are stored. Inside a caller's transaction (`manager`) there is no retry: the refusal
   * is thrown, for the caller to roll everything back. `around` runs in the same
   * transaction, before and after the documents are written: what the caller stores with
   * them (e.g. where they came from) is stored with them or not at all.
   */
  async store(
    shape: Shape,
    accepted: Checked['accepted'],
    manager?: EntityManager,
    around?: Around,
  ): Promise<LoadResult> {
    const result: LoadResult = { created: [], updated: [], unchanged: [], rejected: [] };
    if (!accepted.length) return result;
    const docs = accepted.map((a) => a.doc);
    if (manager) return this.write(manager, shape, docs, around);
    try {
      merge(result, await this.transaction(shape, docs, around));
    } catch (batchError) {
      if (accepted.length === 1) {
        result.rejected.push(
          rejection(accepted[0].doc, accepted[0].index, databaseProblem(batchError)),
        );
        return result;
      }
      for (const { doc, index } of accepted) {
        try {
          merge(result, await this.transaction(shape, [doc], around));
        } catch (error) {
          result.rejected.push(rejection(doc, index, databaseProblem(error)));
        }
      }
    }
    return result;
  }

  /**
   * One transaction. Loads running side by side may wait on each other's shared records
   * (an organization, a location) and, rarely, deadlock; PostgreSQL then cancels one of
   * them, which is simply run again.
   */
  private async transaction(
    shape: Shape,
    docs: Doc[],
    around?: Around,
    attempt = 1,
  ): Promise<LoadResult> {
    try {
      return await this.db.transaction((m) => this.write(m, shape, docs, around));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt < 5 && (code === '40P01' || code === '40001'))
        return this.transaction(shape, docs, around, attempt + 1);
      throw error;
    }
  }

  /** Schema validation, then the rules a schema cannot say. */
  private problems(shape: Shape, doc: Doc): Problem[] {
    const problems = this.validator.validate(shape, doc);
    if (problems.length) return problems;
    if (shape.entity === Service) {
      if (!doc.organization && !doc.organization_id) {
        problems.push({
          path: '/organization',
          reason: 'a service needs an organization or organization_id',
        });
      }
      const { minimum_age: min, maximum_age: max } = doc as {
        minimum_age?: number;
        maximum_age?: number;
      };
      if (min !== undefined && max !== undefined && min > max) {
        problems.push({ path: '/minimum_age', reason: 'minimum_age is greater than maximum_age' });
      }
    }
    return contradictions(shape, doc, '', problems);
  }

  private async write(
    manager: EntityManager,
    shape: Shape,
    docs: Doc[],
    around?: Around,
  ): Promise<LoadResult> {
    await around?.before?.(manager);
    const plan = new WritePlan();
    const roots = docs.map((doc) => String(doc.id));
    const rootTable = tableOf(shape.entity);
    const isRoot = new Set(roots);
    docs.forEach((doc) => plan.add(shape, doc, String(doc.id)));
    const changed = new Set<string>();
    const created = new Set<string>();
    // Deletes first: a document that drops a child and points another record at it is
    // then refused by the foreign key, instead of losing that record to a cascade.
    for (const edge of [...plan.owned.values()].reverse()) {
      const deleted = await deleteMissing(manager, edge);
      deleted.forEach((parentId) =>
        plan.rootsOf(edge.parentTable, parentId).forEach((r) => changed.add(r)),
      );
    }
    for (const entity of ENTITIES) {
      const table = tableOf(entity);
      const rows = plan.rows.get(table);
      if (!rows) continue;
      // In id order, so that loads running side by side lock shared rows in the same order.
      const sorted = [...rows.values()].sort((a, b) =>
        (a.id as string) < (b.id as string) ? -1 : 1,
      );
      for (const { id, inserted } of await upsert(manager, entity, sorted)) {
        plan.rootsOf(table, id).forEach((root) => changed.add(root));
        if (inserted && table === rootTable && isRoot.has(id)) created.add(id);
      }
    }
    if (shape.entity === Service) {
      for (const id of await keepPublishersLastModified(manager, docs)) changed.add(id);
    }
    const result: LoadResult = {
      created: roots.filter((id) => created.has(id)),
      updated: roots.filter((id) => changed.has(id) && !created.has(id)),
      unchanged: roots.filter((id) => !changed.has(id)),
      rejected: [],
    };
    await around?.after?.(manager, result);
    return result;
  }
}

interface OwnedEdge {
  table: string;
  parentTable: string;
  via: string;
  where: Record<string, string>;
  parents: Set<string>;
  keep: Set<string>;
}

class PlanError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.reason);
  }
}

/** Flattens documents into rows per table, remembering which document each row came from. */
class WritePlan {
  readonly rows = new Map<string, Map<string, Row>>();
  /**
   * The arrays that are a parent's complete set of children, keyed by table and link, in
   * the order met (parents before children, so reversed they delete children first).
   */
  readonly owned = new Map<string, OwnedEdge>();
  private readonly edges = new Map<Nest, OwnedEdge>();
  /** `table:id` → the document (or documents, for shared records) a row came from. */
  private readonly roots = new Map<string, string | Set<string>>();

  rootsOf(table: string, id: string): readonly string[] | ReadonlySet<string> {
    const roots = this.roots.get(`${table}:${id}`);
    return roots === undefined ? [] : typeof roots === 'string' ? [roots] : roots;
  }

  /**
   * The row of a record and, recursively, of everything nested in it. `links` are the
   * columns the nesting implies (the parent's id: a document that says otherwise is
   * refused), `constants` those it sets (e.g. attribute.link_entity). The documents
   * themselves are not changed.
   */
  add(
    shape: Shape,
    doc: Doc,
    root: string,
    path = '',
    links?: Record<string, unknown>,
    constants?: Record<string, string>,
  ): Row {
    const table = tableOf(shape.entity);
    const row: Row = {};
    for (const field of fieldsOf(shape.entity)) {
      if (doc[field.name] !== undefined) row[field.name] = doc[field.name];
    }
    for (const column in links) linkTo(row, column, links[column], path);
    Object.assign(row, constants);
    for (const [key, nest] of nestsOf(shape)) {
      if (nest.readOnly) continue;
      const value = doc[key];
      if (nest.many) {
        if (value) this.addChildren(nest, table, row, value as Doc[], root, `${path}/${key}`);
        else if (nest.owned) this.edge(nest, table).parents.add(row.id as string);
      } else if (value) {
        const child = this.add(nest.shape, value as Doc, root, `${path}/${key}`);
        linkTo(row, nest.via, child.id, path);
      }
    }
    const id = row.id as string;
    let byId = this.rows.get(table);
    if (!byId) this.rows.set(table, (byId = new Map<string, Row>()));
    byId.set(id, row);
    const key = `${table}:${id}`;
    const roots = this.roots.get(key);
    if (roots === undefined || roots === root) this.roots.set(key, root);
    else if (typeof roots === 'string') this.roots.set(key, new Set([roots, root]));
    else roots.add(root);
    return row;
  }

  /** The parent–children link of a nest, for the deletes of children no longer listed. */
  private edge(nest: Nest, parentTable: string): OwnedEdge {
    let edge = this.edges.get(nest);
    if (!edge) {
      edge = {
        table: tableOf(nest.shape.entity),
        parentTable,
        via: nest.via,
        where: nest.where ?? {},
        parents: new Set(),
        keep: new Set(),
      };
      this.edges.set(nest, edge);
      if (nest.owned) {
        // One edge per table, link and constants, whichever nest (shape) it is reached by.
        const key = `${edge.table}|${edge.via}|${JSON.stringify(edge.where)}`;
        const shared = this.owned.get(key);
        if (shared) this.edges.set(nest, (edge = shared));
        else this.owned.set(key, edge);
      }
    }
    return edge;
  }

  private addChildren(
    nest: Nest,
    parentTable: string,
    parent: Row,
    children: Doc[],
    root: string,
    path: string,
  ) {
    const edge = this.edge(nest, parentTable);
    if (nest.owned) edge.parents.add(parent.id as string);
    const links = { [nest.via]: parent.id };
    children.forEach((child, i) => {
      const row = this.add(nest.shape, child, root, `${path}/${i}`, links, nest.where);
      edge.keep.add(row.id as string);
    });
  }
}

/**
 * Nesting implies the link; a document that says otherwise is refused, not silently fixed:
 * a child that names another parent, or a parent that names another nested record.
 */
function contradictions(shape: Shape, doc: Doc, path: string, problems: Problem[]): Problem[] {
  for (const [key, nest] of nestsOf(shape)) {
    const value = doc[key];
    if (nest.readOnly || !value) continue;
    const children = nest.many ? (value as Doc[]) : [value as Doc];
    children.forEach((child, i) => {
      const at = nest.many ? `${path}/${key}/${i}` : `${path}/${key}`;
      const [holder, holderPath, other] = nest.many ? [child, at, doc.id] : [doc, path, child.id];
      const given = holder[nest.via];
      if (given !== undefined && given !== other)
        problems.push({
          path: `${holderPath}/${nest.via}`,
          reason: `${nest.via} ${given as string} contradicts the enclosing record ${other as string}`,
        });
      contradictions(nest.shape, child, at, problems);
    });
  }
  return problems;
}

function linkTo(row: Row, column: string, id: unknown, path: string): void {
  const given = row[column] as string | undefined;
  if (given !== undefined && given !== id) {
    throw new PlanError({
      path: `${path}/${column}`,
      reason: `${column} ${given} contradicts the enclosing record ${id as string}`,
    });
  }
  row[column] = id;
}

/**
 * service.last_modified: the publisher's value when a document gives one, else now() for a
 * new service; on update, triggers stamp it when the content changes (the migrations), and
 * keepPublishersLastModified restores a given value that a change of a child overwrote.
 */
const LAST_MODIFIED = '"last_modified"';
const SEARCH_COLUMNS = ['"search_vector"', '"search_text"'];

async function upsert(
  manager: EntityManager,
  entity: Function,
  rows: Row[],
): Promise<{ id: string; inserted: boolean }[]> {
  const table = quoteIdent(tableOf(entity));
  const columns = fieldsOf(entity).map((f) => quoteIdent(f.name));
  const updatable = columns.filter((c) => c !== '"id"');
  const value = (c: string) => (c === LAST_MODIFIED ? `coalesce(j.${c}, now())` : `j.${c}`);
  const given = (c: string, from: string, stored: string) =>
    c === LAST_MODIFIED ? `coalesce(${from}.${c}, ${stored}.${c})` : `${from}.${c}`;
  // Rows equal to the stored ones are left out before the insert, by a plain read: an
  // ON CONFLICT that finds nothing to change still locks the row, and loads side by side
  // that share records (taxonomy terms, organizations) would wait on each other. (A
  // sub-select per row, by primary key: NOT EXISTS would let the planner read the table.)
  // A service's search columns are computed as it is written (see migration
  // 1795586130887): its organization, terms and attributes are written before it.
  const search = entity === Service;
  const sql = `
    INSERT INTO ${table} AS t (${[...columns, ...(search ? SEARCH_COLUMNS : [])].join(', ')})
    SELECT ${[...columns.map(value), ...(search ? ['x.vector', 'x.text'] : [])].join(', ')}
    FROM json_populate_recordset(NULL::${table}, $1::json) j
    ${search ? `, LATERAL oruk_service_search(j.id, j.name, j.description, j.organization_id) x` : ''}
    WHERE (
      SELECT (${updatable.map((c) => `s.${c}`).join(', ')}) IS NOT DISTINCT FROM (${updatable.map((c) => given(c, 'j', 's')).join(', ')})
      FROM ${table} s WHERE s.id = j.id) IS NOT TRUE
    ON CONFLICT (id) DO UPDATE SET ${[
      ...updatable.map((c) => `${c} = ${given(c, 'EXCLUDED', 't')}`),
      ...(search ? SEARCH_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`) : []),
    ].join(', ')}
    WHERE (${updatable.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${updatable.map((c) => given(c, 'EXCLUDED', 't')).join(', ')})
    RETURNING id, (xmax = 0) AS inserted`;
  return records<{ id: string; inserted: boolean }>(manager, sql, [JSON.stringify(rows)]);
}

/** Deletes the children of the edge's parents that the documents no longer list. */
async function deleteMissing(manager: EntityManager, edge: OwnedEdge): Promise<string[]> {
  const params: unknown[] = [[...edge.parents], [...edge.keep]];
  const conditions = [`${quoteIdent(edge.via)} = ANY($1::uuid[])`, `NOT (id = ANY($2::uuid[]))`];
  for (const [column, value] of Object.entries(edge.where)) {
    params.push(value);
    conditions.push(`${quoteIdent(column)} = $${params.length}`);
  }
  const rows = await records(
    manager,
    `DELETE FROM ${quoteIdent(edge.table)} WHERE ${conditions.join(' AND ')} RETURNING ${quoteIdent(edge.via)} AS parent`,
    params,
  );
  return rows.map((r) => String(r.parent));
}

/** Sets the `last_modified` that documents carry; returns the services it changed. */
async function keepPublishersLastModified(manager: EntityManager, docs: Doc[]): Promise<string[]> {
  const given = docs
    .filter((d) => d.last_modified)
    .map((d) => ({ id: d.id, last_modified: d.last_modified }));
  if (!given.length) return [];
  const rows = await records(
    manager,
    `UPDATE service s SET last_modified = g.last_modified
     FROM json_to_recordset($1::json) AS g(id uuid, last_modified timestamptz)
     WHERE s.id = g.id AND s.last_modified IS DISTINCT FROM g.last_modified
     RETURNING s.id`,
    [JSON.stringify(given)],
  );
  return rows.map((r) => String(r.id));
}

/** The rows a statement returns (TypeORM's plain query() returns [rows, count] for DML). */
async function records<T = Row>(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result = await manager.queryRunner!.query(sql, params, true);
  return result.records as T[];
}

function merge(into: LoadResult, from: LoadResult): void {
  into.created.push(...from.created);
  into.updated.push(...from.updated);
  into.unchanged.push(...from.unchanged);
  into.rejected.push(...from.rejected);
}

function rejection(doc: Doc, index: number, problem: Problem): Rejection {
  return { index, id: typeof doc.id === 'string' ? doc.id : undefined, ...problem };
}

/**
 * After a bulk load: the counts the write path keeps summed up (one row per count again,
 * migration 1795586130893), then VACUUM (ANALYZE) of the HSDS tables and of what the
 * triggers keep beside them (service_facet, list_count). A load outruns autovacuum, and
 * until a table is vacuumed none of its pages is marked all-visible, so every index-only
 * read (the counts of every list, the taxonomy filters' probes) still reads the table, and
 * plans rest on stale statistics. Measured on 100,000 synthetic services (`npm run
 * explain`): the count of /services 53 → 22 ms, its page 1,000 148 → 16 ms, `minimum_age=18`
 * counted 53 → 8 ms, a common term's page 104 → 8 ms; the vacuum itself took 3.9 s. A role
 * that does not own the tables is skipped by PostgreSQL with a warning.
 */
export async function vacuumAnalyze(db: DataSource): Promise<void> {
  await compactListCounts(db);
  const tables = [...ENTITIES.map((e) => quoteIdent(tableOf(e))), 'service_facet', 'list_count'];
  await db.query(`VACUUM (ANALYZE) ${tables.join(', ')}`).catch(() => undefined);
}

/**
 * The kept counts summed up: each write transaction appends its own signed rows (migration
 * 1795586130893), so that writers never wait on each other; every import ends with this, so
 * a count stays a few rows however often a feed is harvested. Safe beside other writers. A
 * role that may not write the table skips it.
 */
export async function compactListCounts(db: DataSource): Promise<void> {
  await db.query('SELECT oruk_compact_list_counts()').catch(() => undefined);
}

/** A refusal by the database (e.g. a reference to a taxonomy that does not exist). */
export function databaseProblem(error: unknown): Problem {
  const e = error as { table?: string; detail?: string; message?: string; code?: string };
  if (!e.code) throw error;
  const detail = e.detail ? ` (${e.detail})` : '';
  return { path: e.table ? `/${e.table}` : '/', reason: `${e.message}${detail}` };
}
