import { Client } from 'pg';
import { AbstractLogger, DataSource, LogLevel, LogMessage, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { Postcode } from '../geo/postcode.entity';
import { ENTITIES, HARVEST_ENTITIES } from '../hsds/entities';

/**
 * Counts the SQL statements the application sends. The API promises a fixed number of
 * statements per request whatever the page or tree size; the e2e tests check it with this.
 */
export type Log = (message: string, level: LogLevel) => void;

export class StatementCounter extends AbstractLogger {
  count = 0;

  constructor(private readonly write: Log) {
    super(['error', 'warn', 'migration']);
  }

  override logQuery(): void {
    this.count++;
  }

  /**
   * Migration progress and warnings. Statements are counted, not printed; a failed one is
   * thrown to its caller, which reports it (the API's error filter, the loader's rejections),
   * so TypeORM's own "query failed" lines, SQL included, are not written.
   */
  protected writeLog(
    level: LogLevel,
    messages: LogMessage | LogMessage[],
    _runner?: QueryRunner,
  ): void {
    for (const { message, type } of Array.isArray(messages) ? messages : [messages])
      if (type !== 'query-error') this.write(String(message), level);
  }
}

/**
 * For commands and scripts: migration progress and warnings on standard error (standard
 * output may carry data).
 */
function logToStderr(message: string, level: LogLevel): void {
  if (level !== 'error') process.stderr.write(`${message}\n`);
}

/** How the API's connections behave when PostgreSQL is slow or away (see createDataSource). */
export interface ConnectionLimits {
  /** Longest wait for a connection (a new one, or a free one from a full pool), in ms. */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout for every statement, in ms; 0: none. */
  statementTimeoutMs: number;
  /** PostgreSQL's max_parallel_workers_per_gather (undefined: the server's own). */
  parallelWorkers?: number;
}

/** How much longer than PostgreSQL's own statement_timeout we wait for an answer at all. */
export const READ_TIMEOUT_MARGIN_MS = 2000;

/**
 * A connection that gives up on a statement that gets no answer at all (PostgreSQL frozen
 * or overloaded, a network that drops packets, where statement_timeout cannot act): after
 * its query_timeout the statement fails ("Query read timeout": a 503) and the connection is
 * ended and its socket destroyed at once, so that it never goes back to the pool still
 * owing an answer.
 */
class AbandoningClient extends Client {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise)
      result.catch((error: unknown) => {
        if ((error as Error | undefined)?.message === 'Query read timeout') this.abandon();
      });
    return result as never;
  }

  private abandon(): void {
    // end() marks the client as ending at once (the pool then discards it); destroying the
    // socket frees it without waiting for a goodbye that a frozen server never sends.
    this.end().catch(() => undefined);
    (
      this as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
  }
}

/**
 * A DataSource on `url`. Without `limits` (commands, migrations, scripts) statements run as
 * long as they need. With them (the API), a connection that cannot be had within
 * connectTimeoutMs fails fast instead of queueing, each session has a statement_timeout so
 * that PostgreSQL itself cancels a runaway query (and no JIT), a statement that gets no
 * answer within that and READ_TIMEOUT_MARGIN_MS more is abandoned with its connection
 * (AbandoningClient), TCP keep-alive finds dead sockets, and nothing is written at
 * connection time (no CREATE EXTENSION: the migrations own the
 * schema), so the API can run with a read-only role.
 */
export function createDataSource(
  url: string,
  poolMax = 10,
  log: Log = logToStderr,
  limits?: ConnectionLimits,
): DataSource {
  const sessionLimits = limits && {
    connectionTimeoutMillis: limits.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // No JIT compilation: the API's statements are short, and compiling the JSON of a page
    // of full services took PostgreSQL 15 longer (seconds) than running it (tens of ms).
    // No parallel workers by default either: starting them cost a page more than reading
    // it (docs/scale.md).
    options: `-c jit=off${limits.parallelWorkers !== undefined ? ` -c max_parallel_workers_per_gather=${limits.parallelWorkers}` : ''}`,
    ...(limits.statementTimeoutMs
      ? {
          statement_timeout: limits.statementTimeoutMs,
          query_timeout: limits.statementTimeoutMs + READ_TIMEOUT_MARGIN_MS,
          Client: AbandoningClient,
        }
      : {}),
  };
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...ENTITIES, ...HARVEST_ENTITIES, Postcode],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: new StatementCounter(log),
    extra: { max: poolMax, application_name: 'oruk-server', ...sessionLimits },
    ...(limits ? { installExtensions: false } : {}),
  });
}
