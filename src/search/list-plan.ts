/**
 * What a list request selects, as SQL fragments with numbered parameters: the rows of
 * one table (alias `r`), joined tables for filters, conditions (AND), sort keys before the
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

  constructor(
    /** The table the items are rows of. */
    readonly table: string,
    /** The default order after any ranking: unique, so pages never overlap or skip. */
    readonly order: string[] = ['r.name', 'r.id'],
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

  join(sql: string): this {
    if (!this.joins.includes(sql)) this.joins.push(sql);
    return this;
  }

  and(condition: string): this {
    this.where.push(condition);
    return this;
  }

  sortBy(sql: string, direction: 'ASC' | 'DESC', extra?: string): this {
    this.sort.push({ sql, direction });
    if (extra) this.extras[extra] = this.sort.length - 1;
    return this;
  }

  /** FROM … WHERE …, shared by the count and the items. */
  fromWhere(table: string): string {
    const where = this.where.length ? `WHERE ${this.where.map((w) => `(${w})`).join(' AND ')}` : '';
    return `FROM ${table} r ${this.joins.join(' ')} ${where}`;
  }
}
