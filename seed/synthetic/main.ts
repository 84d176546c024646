import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createDataSource } from '../../src/database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded';
import { ENTITIES } from '../../src/hsds/entities';
import { tableOf } from '../../src/hsds/fields';
import { quoteIdent } from '../../src/hsds/json-select';
import { LoadResult, Loader, Rejection, vacuumAnalyze } from '../../src/hsds/loader';
import { SERVICE_FULL, TAXONOMY_FULL } from '../../src/hsds/shapes';
import { generateServices, readTaxonomies, ServiceDocument } from './generate';
import { parseOptions, USAGE, UsageError } from './options';

/**
 * npm run seed:synthetic -- --services N [--seed S] [--batch B]: loads N synthetic services
 * (./generate.ts) through the loader, B documents per transaction, after the taxonomies of
 * SEED_DIR that their attributes point at. Exit codes: 0 done, 1 failed or some document
 * rejected, 2 bad command line.
 */
async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { services, seed, batch } = options;
  const tty = Boolean(process.stdout.isTTY);
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL)
    embedded = await startEmbeddedPostgres({
      dir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
    });
  const db = await createDataSource(config.DATABASE_URL ?? embedded!.url).initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    const loader = new Loader(db);
    // Table statistics, refreshed each time the data has doubled and at the end. Loading
    // into an empty database outruns autovacuum (or runs without it): without them,
    // PostgreSQL keeps the plans it made for near-empty tables (in the triggers and the
    // foreign-key checks too) and reads whole tables for every row, so the load slows
    // down as it grows. At the end, the tables are vacuumed too (src/hsds/loader.ts).
    const analyze = () =>
      db.query(`ANALYZE ${ENTITIES.map((e) => quoteIdent(tableOf(e))).join(', ')}`);
    const taxonomies = readTaxonomies(join(config.SEED_DIR, 'taxonomies.json'));
    const taxonomyResult = await loader.load(TAXONOMY_FULL, taxonomies);
    if (taxonomyResult.rejected.length) {
      report('taxonomies', taxonomyResult.rejected);
      return 1;
    }
    if (tty) console.log(`taxonomies: ${counts(tally(taxonomyResult))}`);

    const total = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    const rejections: Rejection[] = [];
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const step = Math.max(1, Math.ceil(services / 20));
    let done = 0;
    let nextReport = step;
    let nextAnalyze = batch;
    let pending: ServiceDocument[] = [];
    const flush = async () => {
      const result = await loader.load(SERVICE_FULL, pending);
      for (const r of result.rejected) {
        r.index += done;
        if (rejections.length < 10) rejections.push(r);
      }
      const t = tally(result);
      total.created += t.created;
      total.updated += t.updated;
      total.unchanged += t.unchanged;
      total.rejected += t.rejected;
      done += pending.length;
      pending = [];
      if (done >= nextAnalyze) {
        await analyze();
        nextAnalyze *= 2;
      }
      if (tty && (done >= nextReport || done === services)) {
        const s = seconds();
        console.log(
          `${String(Math.floor((100 * done) / services)).padStart(3)}%  ${done}/${services} services, ${s.toFixed(1)} s, ${rate(done, s)} services/s`,
        );
        while (nextReport <= done) nextReport += step;
      }
    };
    for (const document of generateServices({ services, seed, taxonomies })) {
      pending.push(document);
      if (pending.length >= batch) await flush();
    }
    if (pending.length) await flush();
    // Vacuumed as well as analyzed: a bulk load leaves no page all-visible (vacuumAnalyze).
    await vacuumAnalyze(db);

    const s = seconds();
    if (rejections.length) report(`${total.rejected} services`, rejections);
    console.log(
      `synthetic services (seed ${seed}): ${counts(total)} in ${s.toFixed(1)} s (${rate(services, s)} services/s)`,
    );
    return total.rejected ? 1 : 0;
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

function tally(result: LoadResult) {
  // A document rejected for several reasons is one rejected document.
  const rejected = new Set(result.rejected.map((r) => r.index)).size;
  return {
    created: result.created.length,
    updated: result.updated.length,
    unchanged: result.unchanged.length,
    rejected,
  };
}

function counts(t: ReturnType<typeof tally>): string {
  return `${t.created} created, ${t.updated} updated, ${t.unchanged} unchanged, ${t.rejected} rejected`;
}

function rate(count: number, seconds: number): number {
  return seconds > 0 ? Math.round(count / seconds) : count;
}

function report(what: string, rejections: Rejection[]): void {
  const lines = rejections.map((r) => `${r.id ?? `#${r.index}`} ${r.path}: ${r.reason}`);
  console.error(`Rejected ${what}; the first problems:\n  ${lines.join('\n  ')}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
