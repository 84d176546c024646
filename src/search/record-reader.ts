import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { tableOf } from '../hsds/fields';
import { jsonObject, quoteIdent } from '../hsds/json-select';
import { Shape } from '../hsds/shapes';

export interface PageRequest {
  page: number;
  per_page: number;
}

/**
 * Reads records as ORUK JSON, built by PostgreSQL from a shape (src/hsds/json-select.ts).
 * A page costs two statements (the items and the count), one record one statement, whatever
 * the page size or the depth of the tree.
 */
@Injectable()
export class RecordReader {
  private readonly objects = new Map<Shape, string>();

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The SQL expression that builds one JSON item of this shape from the row `r`. */
  private object(shape: Shape): string {
    let sql = this.objects.get(shape);
    if (!sql) this.objects.set(shape, (sql = `json_strip_nulls(${jsonObject(shape, 'r')})`));
    return sql;
  }

  async page(shape: Shape, request: PageRequest): Promise<{ items: object[]; total: number }> {
    const table = quoteIdent(tableOf(shape.entity));
    // Stable order (name, then id) so that pages never overlap or skip; the page is cut
    // first and only its rows are turned into JSON.
    const [items, [{ total }]] = await Promise.all([
      this.db.query<{ item: object }[]>(
        `SELECT ${this.object(shape)} AS item
         FROM (SELECT * FROM ${table} ORDER BY name, id LIMIT $1 OFFSET $2) r
         ORDER BY r.name, r.id`,
        [request.per_page, (request.page - 1) * request.per_page],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM ${table}`),
    ]);
    return { items: items.map((row) => row.item), total };
  }

  async one(shape: Shape, id: string): Promise<object | undefined> {
    const table = quoteIdent(tableOf(shape.entity));
    const rows = await this.db.query<{ item: object }[]>(
      `SELECT ${this.object(shape)} AS item FROM ${table} r WHERE r.id = $1`,
      [id],
    );
    return rows[0]?.item;
  }
}
