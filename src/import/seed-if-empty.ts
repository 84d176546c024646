import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { describeSummary } from '../transfer/importer';
import { seedDatabase } from './seed';

/** SEED_IF_EMPTY: load the demonstration data into a database that has no services. */
@Injectable()
export class SeedIfEmpty implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly config: AppConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedIfEmpty) return;
    const [{ empty }] = await this.db.query<{ empty: boolean }[]>(
      'SELECT NOT EXISTS (SELECT 1 FROM service) AS empty',
    );
    if (!empty) return;
    const result = await seedDatabase(this.db, this.config.SEED_DIR);
    this.logger.log(`loaded the demonstration data: ${describeSummary(result)}`);
  }
}
