import { Inject, Injectable, Optional } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { DataVersion, Version } from '../database/data-version';
import { tableOf } from '../hsds/fields';
import { jsonObject, quoteIdent } from '../hsds/json-select';
import { Shape } from '../hsds/shapes';
import { ALIAS, col, orderKey, sortKey } from './aliases';
import { ListPlan } from './list-plan';

/**
 * Rows a stream reads per statement: the first batch, and the bounds it grows and shrinks
 * in. The first is small so that the first byte comes soon even for full services (50 of
 * them are built in about 25 ms on the 100,000-service directory; 200 took 70–150 ms).
 */
const STREAM_BATCH = { first: 50, min: 50, max: 5000, bytes: 8 << 20, quick: 150, slow: 1000 };

/** Counts kept per data version, at most (a count is a few dozen bytes and its key). */
const COUNTS_KEPT = 10_000;

/** The next batch: twice as many after a quick statement, half after a slow one. */
function nextBatch(batch: number, ms: number, bytes: number): number {
  const { min, max, quick, slow } = STREAM_BATCH;
  if (ms > slow) return Math.max(min, Math.floor(batch / 2));
  if (ms < quick && bytes < STREAM_BATCH.bytes) return Math.min(max, batch * 2);
  return batch;
}

interface ItemsOptions {
  /** LIMIT … (OFFSET …) of the ids. */
  limit?: string;
  /** Each item as JSON text (a stream writes it as it comes). */
  asText?: boolean;
  /** A condition the rows must meet too (a stream's ListPlan.after). */
  after?: string;
  /** Select each item's sort keys and order columns as text, in `keys`. */
  keys?: boolean;
}

/**
 * Reads records as ORUK JSON, built by PostgreSQL from a shape (src/hsds/json-select.ts).
 * A page costs two statements (the items and the count: one, when the count of the same
 * list is kept from an earlier page of the same data), one record one statement, whatever
 * the page size or the depth of the tree. A stream reads every match in short keyset-paged statements,
 * a batch at a time, in constant memory.
 */
@Injectable()
export class RecordReader {
  private readonly objects = new Map<string, string>();
  /** The statement of one record, by shape name (prepared by name: see one()). */
  private readonly records = new Map<string, string>();
  /** Counts of the current data version, by statement and parameters (see count()). */
  private readonly counts = new Map<string, number>();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Optional() @Inject(DataVersion) private readonly data?: DataVersion,
  ) {
    data?.on('change', () => this.counts.clear());
  }

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
   * For a stream (`after`, `keys`): the rows after a given one, each with its keys as text.
   */
  private itemsSql(
    shape: Shape,
    plan: ListPlan,
    { limit = '', asText = false, after, keys: withKeys = false }: ItemsOptions = {},
  ): string {
    const { row, hit } = ALIAS;
    const table = quoteIdent(plan.table);
    const keys = plan.sort.map((k, i) => `${k.sql} AS ${sortKey(i)}`);
    const order = plan.order.map((o, i) => `${o} AS ${orderKey(i)}`);
    const keyColumns = [
      ...plan.sort.map((_, i) => sortKey(i)),
      ...plan.order.map((_, i) => orderKey(i)),
    ];
    const orderBy = [
      ...plan.sort.map((k, i) => `${sortKey(i)} ${k.direction}`),
      ...plan.order.map((_, i) => orderKey(i)),
    ];
    const extras = Object.fromEntries(
      Object.entries(plan.extras).map(([key, index]) => [key, col(hit, sortKey(index))]),
    );
    const select = (matches?: 'few' | 'many') =>
      `SELECT ${col(row, 'id')} AS _id, ${[...keys, ...order].join(', ')} ${plan.fromWhere(table, matches, after)}
       ORDER BY ${orderBy.join(', ')} ${limit}`;
    // A page of a list with a selective condition (ListPlan.selective): both ways of
    // reading it, of which only one runs (the other's one-time filter is false).
    const twoWays = Boolean(limit && plan.selective);
    const ids = twoWays ? `(${select('few')}) UNION ALL (${select('many')})` : select();
    const keysText = withKeys
      ? `, ARRAY[${keyColumns.map((k) => `${col(hit, k)}::text`).join(', ')}] AS keys`
      : '';
    return `${twoWays ? plan.fewCte() : ''}
      SELECT ${this.object(shape, extras)}${asText ? '::text' : ''} AS item${keysText}
      FROM (${ids}) ${hit}
      JOIN ${table} ${row} ON ${col(row, 'id')} = ${col(hit, '_id')}
      ORDER BY ${orderBy.map((o) => col(hit, o)).join(', ')}`;
  }

  /**
   * The two statements of a page, with their parameters: the items, then the count, which
   * reads list_count when the write path keeps it (ListPlan.keptCount, docs/scale.md).
   */
  pageStatements(
    shape: Shape,
    plan: ListPlan,
    page: { page: number; per_page: number },
  ): [string, unknown[]][] {
    const offset = (page.page - 1) * page.per_page;
    plan.window = offset + page.per_page;
    const limit = `LIMIT ${plan.param(page.per_page, 'int')} OFFSET ${plan.param(offset, 'bigint')}`;
    const kept = plan.keptCount();
    const count = kept
      ? `SELECT coalesce(sum(n), 0)::int AS total FROM list_count
         WHERE kind = ${plan.param(kept[0])} AND value = ${plan.param(kept[1], 'uuid')}`
      : `SELECT count(*)::int AS total ${plan.countFrom(quoteIdent(plan.table))}`;
    return [plan.bind(this.itemsSql(shape, plan, { limit })), plan.bind(count)];
  }

  async page(
    shape: Shape,
    plan: ListPlan,
    page: { page: number; per_page: number },
  ): Promise<{ items: object[]; total: number }> {
    const [items, count] = this.pageStatements(shape, plan, page);
    const [rows, total] = await Promise.all([
      this.db.query<{ item: object }[]>(...items),
      this.count(count),
    ]);
    return { items: rows.map((row) => row.item), total };
  }

  /**
   * A page's count. With a data version known (src/database/data-version.ts: the API), the
   * count of a statement and its parameters is kept until the data changes, so that the
   * pages of one list after its first (a crawler's, a harvester's) do not count the
   * directory again: exact, since any committed change empties what is kept. A count that
   * finished after the version changed is not kept.
   */
  private async count([sql, params]: [string, unknown[]]): Promise<number> {
    const version: Version | undefined = this.data?.current;
    const key = version && `${sql}\u0000${JSON.stringify(params)}`;
    const kept = key === undefined ? undefined : this.counts.get(key);
    if (kept !== undefined) return kept;
    const [{ total }] = await this.db.query<{ total: number }[]>(sql, params);
    if (key !== undefined && this.data?.current === version) {
      if (this.counts.size >= COUNTS_KEPT) this.counts.delete(this.counts.keys().next().value!);
      this.counts.set(key, total);
    }
    return total;
  }

  /**
   * Every matching item, in order, as text (one JSON object each), on a connection of its
   * own, in one read-only snapshot (REPEATABLE READ: a record changed meanwhile is neither
   * lost nor read twice), as a series of short statements: each reads the next rows after
   * the last one read (ListPlan.after), so that none comes near the statement timeout
   * whatever the size of the directory. A batch grows while statements are quick and
   * shrinks when one is slow (`first`: the first batch). Stopping early (the client went away) ends the snapshot.
   */
  async *stream(shape: Shape, plan: ListPlan, first = STREAM_BATCH.first): AsyncGenerator<string> {
    const driver = this.db.driver as PostgresDriver;
    const client = await (driver.master as Pool).connect();
    // A client taken from the pool has no error listener of the pool's: without one, the
    // connection dropping between two reads would be an uncaught 'error' and end the process.
    let failure: unknown;
    const onError = (error: Error) => (failure ??= error);
    client.on('error', onError);
    let open = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      let last: (string | null)[] | undefined;
      let batch = first;
      for (;;) {
        const limit = `LIMIT ${plan.param(batch, 'int')}`;
        plan.window = batch;
        const after = last && plan.after(last);
        const [sql, params] = plan.bind(
          this.itemsSql(shape, plan, { limit, asText: true, after, keys: true }),
        );
        const started = performance.now();
        const { rows } = await client.query<{ item: string; keys: (string | null)[] }>(sql, params);
        if (!rows.length) break;
        const text = rows.map((row) => `${row.item}\n`).join('');
        yield text;
        if (rows.length < batch) break;
        last = rows[rows.length - 1].keys;
        batch = nextBatch(batch, performance.now() - started, text.length);
      }
      await client.query('COMMIT');
      open = false;
    } catch (error) {
      failure ??= error;
      throw error;
    } finally {
      // Abandoned midway: the snapshot is ended; after a failure the connection is
      // discarded, not closed politely (a lost connection never answers).
      if (open && !failure)
        await client.query('ROLLBACK').catch((error: unknown) => {
          failure ??= error;
        });
      client.removeListener('error', onError);
      client.release(failure ? true : undefined);
    }
  }

  /**
   * stream() as a Readable for an HTTP response, once the connection, the snapshot and the
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
    // One batch ahead at most: a slow client holds back the reads, not the memory.
    const readable = Readable.from(all(), { highWaterMark: 1 });
    readable.once('close', () => void lines.return(undefined));
    return readable;
  }

  /**
   * One record: one statement, prepared (named) on each connection the first time it runs
   * there, so that PostgreSQL parses and plans the long JSON-building statement once per
   * connection rather than at every request. Counted like every other statement.
   */
  async one(shape: Shape, id: string): Promise<object | undefined> {
    let text = this.records.get(shape.name);
    if (!text) {
      const table = quoteIdent(tableOf(shape.entity));
      text = `SELECT ${this.object(shape)} AS item FROM ${table} ${ALIAS.row} WHERE ${col(ALIAS.row, 'id')} = $1`;
      this.records.set(shape.name, text);
    }
    this.db.logger.logQuery(text, [id]);
    const pool = (this.db.driver as PostgresDriver).master as Pool;
    const { rows } = await pool.query<{ item: object }>({
      name: `record:${shape.name}`,
      text,
      values: [id],
    });
    return rows[0]?.item;
  }
}
