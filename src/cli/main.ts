import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../database/embedded';
import { seedDatabase, summarise } from '../import/seed';

const HELP = `Usage: oruk-server <command>

Commands:
  migrate   Apply pending database migrations.
  seed      Load the demonstration directory in seed/data (idempotent).

The database is DATABASE_URL, or the embedded PostgreSQL when it is not set
(the same one \`npm start\` uses). See the README for every setting.`;

const COMMANDS: Record<
  string,
  (db: DataSource, config: ReturnType<typeof loadConfig>) => Promise<string>
> = {
  async migrate(db) {
    const applied = await db.runMigrations({ transaction: 'each' });
    return applied.length
      ? `applied ${applied.map((m) => m.name).join(', ')}`
      : 'no pending migrations';
  },
  async seed(db, config) {
    await db.runMigrations({ transaction: 'each' });
    const result = await seedDatabase(db, config.SEED_DIR);
    return `taxonomies: ${summarise(result.taxonomies)}; services: ${summarise(result.services)}`;
  },
};

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === '--help' || command === '-h' || !COMMANDS[command]) {
    console.log(HELP);
    return command && !['--help', '-h'].includes(command) ? 2 : 0;
  }
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL)
    embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
  const db = await createDataSource(config.DATABASE_URL ?? embedded!.url).initialize();
  try {
    new Logger(command).log(await COMMANDS[command](db, config));
    return 0;
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
