import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { createDataSource } from './data-source';

/** The connection string in use: DATABASE_URL, or the embedded PostgreSQL's. */
export const DATABASE_URL = Symbol('DATABASE_URL');

/** The TypeORM DataSource, connected, with pending migrations run when configured. */
export const dataSourceProvider: Provider = {
  provide: DataSource,
  inject: [AppConfig, DATABASE_URL],
  useFactory: async (config: AppConfig, url: string) => {
    const logger = new Logger('Database');
    const log = (message: string, level: string) =>
      level === 'warn' || level === 'error' ? logger.warn(message) : logger.log(message);
    const dataSource = await createDataSource(url, config.DB_POOL_MAX, log).initialize();
    if (config.MIGRATIONS_RUN) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      applied.forEach((m) => logger.log(`applied migration ${m.name}`));
    }
    return dataSource;
  },
};

@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
