import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../database/embedded';
import { loadOnspd } from '../geo/onspd';
import { seedDatabase, summarise } from '../import/seed';

const HELP = `Usage: oruk-server <command> [arguments]

Commands:
  migrate   Apply pending database migrations.
  seed      Load the demonstration directory in seed/data (idempotent).
  postcodes <onspd.csv> [--names <names.csv> ...]
            Load the ONS Postcode Directory (the ONSPD_<MON>_<YEAR>_UK.csv file) for
            offline geocoding of postcode searches (idempotent: load a newer edition
            over an older one). Each --names file (e.g. the LAD and ward names and
            codes CSVs in the ONSPD Documents folder) adds area names to the codes.

The database is DATABASE_URL, or the embedded PostgreSQL when it is not set
(the same one \`npm start\` uses). See the README for every setting.`;

const COMMANDS: Record<
  string,
  (db: DataSource, config: ReturnType<typeof loadConfig>, args: string[]) => Promise<string>
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
  async postcodes(db, _config, args) {
    const { file, names } = postcodeArguments(args);
    await db.runMigrations({ transaction: 'each' });
    const logger = new Logger('postcodes');
    let next = 250_000;
    const result = await loadOnspd(db, file, {
      names,
      onProgress: ({ loaded, skipped }) => {
        if (loaded < next) return;
        logger.log(`${loaded} postcodes loaded, ${skipped} skipped`);
        next += 250_000;
      },
    });
    const seconds = (result.elapsed / 1000).toFixed(result.elapsed < 10_000 ? 2 : 0);
    return (
      `${result.loaded} postcodes loaded (${result.changed} new or changed) in ${seconds} s; ` +
      `skipped ${result.skipped} rows without coordinates or with a malformed postcode`
    );
  },
};

/** `<onspd.csv> [--names <names.csv> ...]` */
function postcodeArguments(args: string[]): { file: string; names: string[] } {
  const usage = 'usage: postcodes <onspd.csv> [--names <names.csv> ...]';
  const files: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--names=')) names.push(arg.slice('--names='.length));
    else if (arg === '--names') {
      if (i + 1 === args.length) throw new Error(`--names needs a file; ${usage}`);
      names.push(args[++i]);
    } else if (arg.startsWith('-')) throw new Error(`unexpected ${arg}; ${usage}`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new Error(usage);
  for (const file of [...files, ...names])
    if (!existsSync(file)) throw new Error(`${file}: no such file`);
  return { file: files[0], names };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
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
    new Logger(command).log(await COMMANDS[command](db, config, args));
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
