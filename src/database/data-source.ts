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

  /** Migration progress and warnings (statements themselves are counted, not printed). */
  protected writeLog(
    level: LogLevel,
    messages: LogMessage | LogMessage[],
    _runner?: QueryRunner,
  ): void {
    for (const { message } of Array.isArray(messages) ? messages : [messages])
      this.write(String(message), level);
  }
}

/**
 * For commands and scripts: migration progress and warnings on standard error (standard
 * output may carry data). A failed statement is not printed: it is thrown to the caller,
 * which reports it (the loader turns it into a rejection).
 */
function logToStderr(message: string, level: LogLevel): void {
  if (level !== 'error') process.stderr.write(`${message}\n`);
}

export function createDataSource(url: string, poolMax = 10, log: Log = logToStderr): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...ENTITIES, ...HARVEST_ENTITIES, Postcode],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: new StatementCounter(log),
    extra: { max: poolMax, application_name: 'oruk-server' },
  });
}
