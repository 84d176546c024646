import { ALIAS, col } from './aliases';

/** The value of list_count for a whole table (migration 1795586130893). */
export const WHOLE_TABLE = '00000000-0000-0000-0000-000000000000';

/** Tables whose rows the write path counts (an unfiltered list: docs/scale.md). */
const COUNTED_TABLES = new Set(['service', 'service_at_location', 'organization']);

/** A condition's filter whose count the write path keeps: its list_count kind and values. */
export type Counted = [kind: string, values: readonly string[]];

/** The fewest matches a page always collects rather than walks for (see `few`). */
const MIN_FEW = 500;

/**
 * What a list request selects, as SQL fragments with numbered parameters: the rows of
 * one table (ALIAS.row), joined tables for filters, conditions (AND), sort keys before the
 * stable default order, and computed properties for the items. Built by src/search/filters.ts
 * from the validated query; run by RecordReader as a page, a count or a stream.
 */
export class ListPlan {
  readonly params: unknown[] = [];
  readonly joins: string[] = [];
  readonly where: string[] = [];
  /** Sort keys, most significant first; each is selected as `_k<n>` by the reader. */
  readonly sort: { sql: string; direction: 'ASC' | 'DESC' }[] = [];
  /** Computed item properties: JSON key → index of the sort key that holds the value. */
  readonly extras: Record<string, number> = {};
  /**
   * The condition marked selective (andIn with `selective`): `column IN (ids)`, whose
   * matches may be few or many. A page reads it one of two ways, chosen as the statement
   * runs (see RecordReader.itemsSql): when at most `few` rows match, it collects them and
   * sorts them; otherwise it walks the sort order and keeps the rows that match, which
   * finds a page quickly only when matches are dense. The planner cannot tell the two cases
   * apart (the ids come from a sub-query, e.g. a taxonomy term's descendants), and walking
   * for rows that are rare reads the whole table. At most one condition is selective: the
   * filters choose which (src/search/filters.ts).
   */
  selective?: { column: string; ids: string; index: number };
  /**
   * Most matches of the selective condition read by collecting and sorting them. Unset, it
   * scales with the data: collecting k matches costs about k row reads, walking the order
   * about (offset + page) × rows / k, which are equal at k = √((offset + page) × rows), the
   * rows being the table's as PostgreSQL last counted them (pg_class.reltuples). Set (a
   * test), it is that number.
   */
  few?: number;
  /** offset + page size of the page (or batch) being read (see `few`); set by RecordReader. */
  window = 0;
  /** The condition whose count the write path keeps (see keptCount), by its index. */
  private counted?: { index: number; kind: string; values: readonly string[] };
  /** The alias of each join (all are required to-one references, see joinOne()). */
  private readonly joined = new Map<string, string>();
  /** The joins that are conditions too (joinOne's `filters`). */
  private readonly filtering = new Set<string>();

  constructor(
    /** The table the items are rows of. */
    readonly table: string,
    /** The default order after any ranking: unique, so pages never overlap or skip. */
    readonly order: string[] = [col(ALIAS.row, 'name'), col(ALIAS.row, 'id')],
  ) {}

  /**
   * A placeholder for a value, cast when given. Placeholders are numbered per statement by
   * bind(), since the count uses only the parameters of the conditions.
   */
  param(value: unknown, cast = ''): string {
    this.params.push(value);
    return `$(${this.params.length - 1})${cast ? `::${cast}` : ''}`;
  }

  /** The statement with $1, $2… for the placeholders it uses, and their values. */
  bind(sql: string): [string, unknown[]] {
    const used = new Map<number, number>();
    const text = sql.replace(/\$\((\d+)\)/g, (_, index: string) => {
      const i = Number(index);
      if (!used.has(i)) used.set(i, used.size + 1);
      return `$${used.get(i)}`;
    });
    return [text, [...used.keys()].map((i) => this.params[i])];
  }

  /**
   * Joins the row's one partner in `table` (a table, or a sub-select in parentheses)
   * through the row's column `via`: `JOIN table alias ON alias.key = r.via` (e.g. a service
   * at location's service: key id, via service_id). Every row has exactly one, so the count
   * leaves the join out unless a condition uses it (PostgreSQL does not drop inner joins by
   * itself, and counting 150k joined rows costs ten times counting the rows); `filters`:
   * rows may have none, and the join is a condition too, counted. Joining the same alias
   * again does nothing.
   */
  joinOne(table: string, alias: string, via: string, { key = 'id', filters = false } = {}): this {
    const sql = `JOIN ${table} ${alias} ON ${col(alias, key)} = ${col(ALIAS.row, via)}`;
    const known = [...this.joined].find(([, a]) => a === alias)?.[0];
    if (known !== undefined && known !== sql)
      throw new Error(`${alias} is already joined as "${known}"`);
    if (known === undefined) {
      this.joins.push(sql);
      this.joined.set(sql, alias);
      if (filters) this.filtering.add(sql);
    }
    return this;
  }

  /**
   * A condition. `counted`: the list_count kind and the values of the filter it is, when
   * the write path keeps the count of the services of one such value (docs/scale.md).
   */
  and(condition: string, { counted }: { counted?: Counted } = {}): this {
    if (counted) this.counted = { index: this.where.length, kind: counted[0], values: counted[1] };
    this.where.push(condition);
    return this;
  }

  /**
   * The list_count row (kind, value) that holds the count of this list, if the write path
   * keeps it: a whole table without conditions (nor joins that are conditions), or
   * /services with one condition that is a kept filter of one value. Otherwise undefined:
   * the list is counted as it is read.
   */
  keptCount(): [kind: string, value: string] | undefined {
    if (this.filtering.size) return undefined;
    if (!this.where.length)
      return COUNTED_TABLES.has(this.table) ? [this.table, WHOLE_TABLE] : undefined;
    const counted = this.counted;
    if (this.table !== 'service' || this.where.length !== 1 || counted?.index !== 0)
      return undefined;
    return counted.values.length === 1 ? [counted.kind, counted.values[0]] : undefined;
  }

  /**
   * `column IN (ids)`, where `ids` is a query of one column. `selective`: this is the
   * condition a page reads two ways (see `selective`); only one condition may be.
   */
  andIn(
    column: string,
    ids: string,
    { selective = false, counted }: { selective?: boolean; counted?: Counted } = {},
  ): this {
    if (selective) {
      if (this.selective) throw new Error('a plan has at most one selective condition');
      this.selective = { column, ids, index: this.where.length };
    }
    return this.and(`${column} IN (${ids})`, { counted });
  }

  sortBy(sql: string, direction: 'ASC' | 'DESC', extra?: string): this {
    this.sort.push({ sql, direction });
    if (extra) this.extras[extra] = this.sort.length - 1;
    return this;
  }

  /**
   * FROM … WHERE … of the items (a page, a stream). `matches`: for the two ways of
   * reading the selective condition, what its matches are in this one: `few` (at most
   * `this.few`, collected in the CTE ALIAS.few) or `many`.
   */
  fromWhere(table: string, matches?: 'few' | 'many', after?: string): string {
    const conditions = this.where.map((condition, i) => {
      const selective = this.selective;
      if (!matches || !selective || i !== selective.index) return condition;
      const count = `(SELECT count(*) FROM ${ALIAS.few})`;
      return matches === 'few'
        ? `${selective.column} IN (SELECT * FROM ${ALIAS.few}) AND ${count} <= (SELECT n FROM ${ALIAS.threshold})`
        : `${condition} AND ${count} > (SELECT n FROM ${ALIAS.threshold})`;
    });
    return from(table, this.joins, after ? [...conditions, after] : conditions);
  }

  /**
   * The rows after the one whose sort keys and order columns (as text, as the reader selects
   * them: `keys`) are `last`, in the plan's order: what a stream reads next (keyset paging).
   * Parameters are left untyped, so that PostgreSQL reads each as the type of its key. NULLs
   * sort as ORDER BY puts them: last going up, first going down.
   */
  after(last: readonly (string | null)[]): string {
    const keys = [
      ...this.sort,
      ...this.order.map((sql) => ({ sql, direction: 'ASC' as const })),
    ].map((key, i) => ({ ...key, value: last[i] }));
    if (!this.sort.length && keys.every((k) => k.value !== null)) {
      // The order columns alone (NOT NULL, ascending): one row comparison, which an index
      // on them serves. A sort key may be NULL (a distance without coordinates), and a row
      // comparison with a NULL is never true: those take the general form below.
      return `(${keys.map((k) => k.sql).join(', ')}) > (${keys.map((k) => this.param(k.value)).join(', ')})`;
    }
    const equal = (k: (typeof keys)[number]) =>
      k.value === null ? `${k.sql} IS NULL` : `${k.sql} = ${this.param(k.value)}`;
    const beyond = (k: (typeof keys)[number]) => {
      if (k.direction === 'ASC')
        return k.value === null
          ? 'false'
          : `(${k.sql} > ${this.param(k.value)} OR ${k.sql} IS NULL)`;
      return k.value === null ? `${k.sql} IS NOT NULL` : `${k.sql} < ${this.param(k.value)}`;
    };
    return keys
      .map((k, i) => [...keys.slice(0, i).map(equal), beyond(k)].join(' AND '))
      .map((c) => `(${c})`)
      .join(' OR ');
  }

  /** FROM … WHERE … of the count: without the joins that neither filter nor multiply rows. */
  countFrom(table: string): string {
    const used = (alias: string) =>
      this.where.some((condition) => new RegExp(`\\b${alias}\\.`).test(condition));
    const joins = this.joins.filter(
      (sql) => this.filtering.has(sql) || used(this.joined.get(sql)!),
    );
    return from(table, joins, this.where);
  }

  /**
   * The CTEs of the selective condition: `few` (ALIAS.threshold, computed once, so that every
   * part of the statement compares with the same number even if VACUUM rewrites reltuples
   * meanwhile) and its matches, as far as `few` + 1 of them.
   */
  fewCte(): string {
    if (!this.selective) return '';
    const n = `(SELECT n FROM ${ALIAS.threshold})`;
    return `WITH ${ALIAS.threshold} AS MATERIALIZED (SELECT ${this.fewSql()} AS n),
      ${ALIAS.few} AS MATERIALIZED (${this.selective.ids} LIMIT ${n} + 1)`;
  }

  /** `few` as SQL: the number set, or the one that scales with the table (see `few`). */
  private fewSql(): string {
    if (this.few !== undefined) return String(this.few);
    const rows = `(SELECT reltuples FROM pg_class WHERE oid = '${this.table}'::regclass)`;
    return `greatest(${MIN_FEW}, sqrt(${this.window} * greatest(${rows}, 1)))::bigint`;
  }
}

function from(table: string, joins: string[], conditions: string[]): string {
  const where = conditions.length ? `WHERE ${conditions.map((w) => `(${w})`).join(' AND ')}` : '';
  return `FROM ${table} ${ALIAS.row} ${joins.join(' ')} ${where}`;
}
