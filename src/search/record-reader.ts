import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { tableOf } from '../hsds/fields';
import { jsonObject, quoteIdent } from '../hsds/json-select';
import { Shape } from '../hsds/shapes';
import { ALIAS, col, orderKey, sortKey } from './aliases';
import { ListPlan } from './list-plan';

const STREAM_BATCH = 500;

/**
 * Reads records as ORUK JSON, built by PostgreSQL from a shape (src/hsds/json-select.ts).
 * A page costs two statements (the items and the count), one record one statement, whatever
 * the page size or the depth of the tree. A stream reads every match through a cursor,
 * a batch at a time, in constant memory.
 */
@Injectable()
export class RecordReader {
  private readonly objects = new Map<string, string>();

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The SQL expression that builds one JSON item of this shape from the row ALIAS.row. */
  private object(shape: Shape, extras: Record<string, string> = {}): string {
    const key = `${shape.name}|${JSON.stringify(extras)}`;
    let sql = this.objects.get(key);
    if (!sql) {
      sql = `json_strip_nulls(${jsonObject(shape, ALIAS.row, extras)})`;
      this.objects.set(key, sql);
    }
    return sql;
  }

  /**
   * The matching rows in order, as JSON items. The plan's conditions and sort keys choose
   * and order the ids first (cutting the page there), and only those rows become JSON.
   */
  private itemsSql(shape: Shape, plan: ListPlan, limit = '', asText = false): string {
    const { row, hit } = ALIAS;
    const table = quoteIdent(plan.table);
    const keys = plan.sort.map((k, i) => `${k.sql} AS ${sortKey(i)}`);
    const order = plan.order.map((o, i) => `${o} AS ${orderKey(i)}`);
    const orderBy = [
      ...plan.sort.map((k, i) => `${sortKey(i)} ${k.direction}`),
      ...plan.order.map((_, i) => orderKey(i)),
    ];
    const extras = Object.fromEntries(
      Object.entries(plan.extras).map(([key, index]) => [key, col(hit, sortKey(index))]),
    );
    const select = (matches?: 'few' | 'many') =>
      `SELECT ${col(row, 'id')} AS _id, ${[...keys, ...order].join(', ')} ${plan.fromWhere(table, matches)}
       ORDER BY ${orderBy.join(', ')} ${limit}`;
    // A page of a list with a selective condition (ListPlan.selective): both ways of
    // reading it, of which only one runs (the other's one-time filter is false).
    const twoWays = Boolean(limit && plan.selective);
    const ids = twoWays ? `(${select('few')}) UNION ALL (${select('many')})` : select();
    return `${twoWays ? plan.fewCte() : ''}
      SELECT ${this.object(shape, extras)}${asText ? '::text' : ''} AS item
      FROM (${ids}) ${hit}
      JOIN ${table} ${row} ON ${col(row, 'id')} = ${col(hit, '_id')}
      ORDER BY ${orderBy.map((o) => col(hit, o)).join(', ')}`;
  }

  /** The two statements of a page, with their parameters: the items, then the count. */
  pageStatements(
    shape: Shape,
    plan: ListPlan,
    page: { page: number; per_page: number },
  ): [string, unknown[]][] {
    const limit = `LIMIT ${plan.param(page.per_page, 'int')} OFFSET ${plan.param((page.page - 1) * page.per_page, 'bigint')}`;
    return [
      plan.bind(this.itemsSql(shape, plan, limit)),
      plan.bind(`SELECT count(*)::int AS total ${plan.countFrom(quoteIdent(plan.table))}`),
    ];
  }

  async page(
    shape: Shape,
    plan: ListPlan,
    page: { page: number; per_page: number },
  ): Promise<{ items: object[]; total: number }> {
    const [items, count] = this.pageStatements(shape, plan, page);
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<{ item: object }[]>(...items),
      this.db.query<{ total: number }[]>(...count),
    ]);
    return { items: rows.map((row) => row.item), total };
  }

  /**
   * Every matching item, in order, as text (one JSON object each), read from a cursor on a
   * connection of its own. Stopping early (the client went away) closes the cursor.
   */
  async *stream(shape: Shape, plan: ListPlan): AsyncGenerator<string> {
    const driver = this.db.driver as PostgresDriver;
    const client = await (driver.master as Pool).connect();
    // A client taken from the pool has no error listener of the pool's: without one, the
    // connection dropping between two reads would be an uncaught 'error' and end the process.
    let failure: unknown;
    const onError = (error: Error) => (failure ??= error);
    client.on('error', onError);
    let cursor: Cursor<{ item: string }> | undefined;
    try {
      const [sql, params] = plan.bind(this.itemsSql(shape, plan, '', true));
      cursor = client.query(new Cursor<{ item: string }>(sql, params));
      for (;;) {
        const rows = await cursor.read(STREAM_BATCH);
        if (!rows.length) break;
        yield rows.map((row) => `${row.item}\n`).join('');
      }
    } catch (error) {
      failure ??= error;
      throw error;
    } finally {
      // After a failure the connection is discarded, not closed politely: closing a cursor
      // waits for an answer that a lost connection never gives.
      if (!failure) await cursor?.close().catch(() => undefined);
      client.removeListener('error', onError);
      client.release(failure ? true : undefined);
    }
  }

  /**
   * stream() as a Readable for an HTTP response, once the connection, the cursor and the
   * first batch are had: a database that is down or too slow is still an HTTP error (503)
   * rather than a 200 cut short. The connection goes back to the pool when the Readable
   * closes (ended, failed or abandoned by the client).
   */
  async openStream(shape: Shape, plan: ListPlan): Promise<Readable> {
    const lines = this.stream(shape, plan);
    const first = await lines.next();
    async function* all(): AsyncGenerator<string> {
      if (first.done) return;
      yield first.value;
      yield* lines;
    }
    const readable = Readable.from(all());
    readable.once('close', () => void lines.return(undefined));
    return readable;
  }

  async one(shape: Shape, id: string): Promise<object | undefined> {
    const table = quoteIdent(tableOf(shape.entity));
    const rows = await this.db.query<{ item: object }[]>(
      `SELECT ${this.object(shape)} AS item FROM ${table} ${ALIAS.row} WHERE ${col(ALIAS.row, 'id')} = $1`,
      [id],
    );
    return rows[0]?.item;
  }
}
