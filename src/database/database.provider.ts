import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { createDataSource } from './data-source';

/** The connection string in use: DATABASE_URL, or the embedded PostgreSQL's. */
export const DATABASE_URL = Symbol('DATABASE_URL');

/**
 * The API's TypeORM DataSource, connected with its limits (src/database/data-source.ts),
 * after pending migrations were run when configured.
 */
export const dataSourceProvider: Provider = {
  provide: DataSource,
  inject: [AppConfig, DATABASE_URL],
  useFactory: async (config: AppConfig, url: string) => {
    const logger = new Logger('Database');
    const log = (message: string, level: string) =>
      level === 'warn' || level === 'error' ? logger.warn(message) : logger.log(message);
    if (config.MIGRATIONS_RUN) {
      // On a connection of their own, without the API's statement timeout: a migration
      // may rightly take minutes (an index on a large table).
      const migrator = await createDataSource(url, 1, log).initialize();
      try {
        const applied = await migrator.runMigrations({ transaction: 'each' });
        applied.forEach((m) => logger.log(`applied migration ${m.name}`));
      } finally {
        await migrator.destroy();
      }
    }
    return createDataSource(url, config.DB_POOL_MAX, log, {
      connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      parallelWorkers: config.DB_PARALLEL_WORKERS,
    }).initialize();
  },
};

@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
