#!/usr/bin/env node
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../database/embedded';
import { loadOnspd } from '../geo/onspd';
import { seedDatabase } from '../import/seed';
import { writeCsvPackage } from '../transfer/csv-package/write';
import { exportNdjson } from '../transfer/exporter';
import { harvest, HarvestOptions } from '../transfer/harvest';
import {
  describeSummary,
  ImportAborted,
  importDocuments,
  ImportSummary,
} from '../transfer/importer';
import { storedChanges } from '../transfer/changes';
import { openSource } from '../transfer/sources';
import { ValidationReport } from '../validate/findings';
import { junitReport, textReport, VERDICT_WORDS } from '../validate/report';
import { SpecificationError, Specifications } from '../validate/specification';
import { validateFeed } from '../validate/validator';
import { Progress } from './progress';
import { describeChange, Reporter } from './reporter';

/**
 * The command-line tool: `npx oruk-server <command>` (built) or `npm run cli -- <command>`.
 * Each command is one entry below: its usage, its options (node:util parseArgs) and what it
 * does with a migrated database. Data goes to standard output, reports to standard error,
 * so `export | import -` works. Exit codes: 0 done, 1 failed or something rejected, 2 bad
 * command line.
 */
type Command = CommandText &
  (
    | { database?: true; run(context: Context): Promise<number> }
    /** A command that needs no database (validate). */
    | { database: false; run(context: Omit<Context, 'db'>): Promise<number> }
  );

interface CommandText {
  usage: string;
  description: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes. */
  positionals?: [min: number, max: number];
}

interface Context {
  /** The migrated database. */
  db: DataSource;
  config: AppConfig;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: 'migrate',
    description: 'Apply pending database migrations.',
    async run({ db }) {
      const applied = await db.runMigrations({ transaction: 'each' });
      report(
        applied.length
          ? `applied ${applied.map((m) => m.name).join(', ')}`
          : 'no pending migrations',
      );
      return 0;
    },
  },

  seed: {
    usage: 'seed',
    description:
      'Load the demonstration directory in seed/data (idempotent), through the same import as `import`.',
    async run({ db, config }) {
      report(describeSummary(await seedDatabase(db, config.SEED_DIR)));
      return 0;
    },
  },

  import: {
    usage:
      'import <file|folder|url|-> [--from-v1] [--strict] [--no-repair] [--report <file>] [--id-scope <text>] [--batch <n>] [--max-json-mb <n>]',
    description: `Import ORUK 3.0 / HSDS data, upserting by id: JSON (one full service, an array of
them, or a page envelope), ndjson (streamed, any size), a folder of such files, an
HSDS CSV data package (a folder or .zip with datapackage.json), an http(s) URL, or
- for standard input. ORUK v1 documents are detected and mapped (docs/v1-mapping.md).
Each record is repaired where a value has one obvious meaning (a URL without its
scheme, an email with a trailing dot, an age of -1, a date without an offset) and
what cannot be used is left out, every change reported (docs/import.md); a record
that lacks what ORUK cannot do without (a name, an organization) is rejected and
reported (where, id, JSON path, reason); the others are stored. Re-importing the
same data reports everything unchanged. What was changed in each stored record is
kept: \`oruk-server changes\` lists it.

  --from-v1          read every document as ORUK v1
  --strict           any rejection aborts the import and stores nothing
  --no-repair        reject a record instead of repairing it or dropping a value
  --report <file>    write every change and rejection there, one JSON object a line
  --id-scope <text>  where non-UUID ids come from, for the stable UUIDs made from
                     them (default: the URL, or "local" for files)
  --batch <n>        documents per transaction (default 500)
  --max-json-mb <n>  largest JSON read whole, a file or an ndjson line (default 100;
                     anything larger: give it as ndjson)`,
    options: {
      'max-json-mb': { type: 'string' },
      'from-v1': { type: 'boolean' },
      strict: { type: 'boolean' },
      'no-repair': { type: 'boolean' },
      report: { type: 'string' },
      'id-scope': { type: 'string' },
      batch: { type: 'string' },
    },
    positionals: [1, 1],
    async run({ db, values, positionals }) {
      const reporter = await Reporter.open(values.report as string | undefined);
      const source = await openSource(positionals[0], {
        fromV1: Boolean(values['from-v1']),
        idScope: values['id-scope'] as string | undefined,
        maxJsonBytes: mebibytes(values['max-json-mb'], '--max-json-mb'),
        onWarning: (at, message) => reporter.warning(at, message),
      });
      const progress = new Progress('services');
      let summary: ImportSummary;
      try {
        summary = await importDocuments(db, source.documents, {
          strict: Boolean(values.strict),
          repair: !values['no-repair'],
          batchSize: positiveInt(values.batch, '--batch') ?? 500,
          onReport: (entry) => reporter.write(entry),
          onProgress: (s) =>
            progress.update(
              s.services.created + s.services.updated + s.services.unchanged + s.services.rejected,
              source.size ? source.read() / source.size : undefined,
            ),
        });
      } catch (error) {
        progress.done();
        await reporter.close();
        if (!(error instanceof ImportAborted)) throw error;
        report(error.message);
        return 1;
      }
      progress.done();
      await reporter.close();
      reporter.summarise(summary);
      report(describeSummary(summary));
      return summary.services.rejected + summary.taxonomies.rejected ? 1 : 0;
    },
  },

  changes: {
    usage: 'changes [--id <uuid>] [--rule <rule>] [--format text|ndjson] [--limit <n>]',
    description: `List what the imports changed in the records they stored (repairs, values left out),
as kept with each record until its next import: for a publisher to fix at source.

  --id <uuid>         one record only (a service or a taxonomy)
  --rule <rule>       one kind of change only (e.g. url-scheme, email, age: see docs/import.md)
  --format <f>        text (default) or ndjson (one change a line)
  --limit <n>         at most n records (default 100; 0 for all)`,
    options: {
      id: { type: 'string' },
      rule: { type: 'string' },
      format: { type: 'string', default: 'text' },
      limit: { type: 'string' },
    },
    async run({ db, values }) {
      if (values.format !== 'text' && values.format !== 'ndjson')
        throw new UsageError('--format is text or ndjson');
      const limit =
        values.limit === '0' ? undefined : (positiveInt(values.limit, '--limit') ?? 100);
      const records = await storedChanges(db, {
        id: values.id as string | undefined,
        rule: values.rule as string | undefined,
        limit,
      });
      for (const r of records) {
        if (values.format === 'ndjson') {
          for (const change of r.changes)
            process.stdout.write(
              `${JSON.stringify({ record: r.record_type, id: r.record_id, source: r.source, imported_at: r.imported_at, ...change })}\n`,
            );
          continue;
        }
        process.stdout.write(
          `${r.record_type} ${r.record_id} (${r.source}, imported ${r.imported_at}):\n`,
        );
        for (const c of r.changes) process.stdout.write(`  ${describeChange(c)}\n`);
      }
      report(
        `${records.length} records with changes${limit && records.length === limit ? ` (the first ${limit}; --limit 0 for all)` : ''}`,
      );
      return 0;
    },
  },

  export: {
    usage: 'export [--format ndjson|csv] [--out <file|folder>]',
    description: `Export the whole dataset: as ndjson (default) of every taxonomy with its terms, then
every full service, to standard output or --out <file>; or as an HSDS CSV data
package (--format csv) into the folder --out. Either imports back as it is.`,
    options: { format: { type: 'string', default: 'ndjson' }, out: { type: 'string' } },
    async run({ db, values }) {
      const out = values.out as string | undefined;
      if (values.format === 'csv') {
        if (!out) throw new UsageError('--format csv needs --out <folder>');
        const { tables, rows } = await writeCsvPackage(db, out);
        report(`wrote ${rows} rows in ${tables} tables to ${out}`);
        return 0;
      }
      if (values.format !== 'ndjson') throw new UsageError('--format is ndjson or csv');
      const stream = out ? createWriteStream(out) : process.stdout;
      const counts = await exportNdjson(db, stream);
      if (out) {
        stream.end();
        await finished(stream);
      }
      report(`exported ${counts.taxonomies} taxonomies and ${counts.services} services`);
      return 0;
    },
  },

  harvest: {
    usage:
      'harvest <base-url> [--full] [--report <file>] [--concurrency <n>] [--rate <per-second>] [--timeout <ms>] [--max-page-mb <n>] [--max-pages <n>] [--max-services <n>] [--max-minutes <n>]',
    description: `Harvest another publisher's live ORUK feed (3.0, or v1, detected from GET /): every
page of /services, then each /services/{id}, imported as by \`import\`. Re-runs
are incremental (modified_after) when the feed supports it; --full re-reads
everything and marks records gone from the feed. Each service keeps where it came
from in an extra "provenance" property. Records are repaired as \`import\` repairs
them; the ones rejected are read again by the next harvest.

  --full               read every service, and mark those no longer in the feed
  --report <file>      write every change and rejection there, one JSON object a line
  --concurrency <n>    requests at a time (default 4)
  --rate <n>           at most n requests a second (default 4, and slower when the
                       feed's RateLimit headers ask)
  --timeout <ms>       per request (default 30000); failures are retried 3 times
  --max-page-mb <n>    the largest response read (default 50)
  --max-pages <n>      pages of the listing read at most (default 100000)
  --max-services <n>   services listed at most (default 2000000)
  --max-minutes <n>    the longest the harvest runs, then it stops, to be completed by
                       the next one (default 360)`,
    options: {
      'max-page-mb': { type: 'string' },
      'max-pages': { type: 'string' },
      'max-services': { type: 'string' },
      'max-minutes': { type: 'string' },
      full: { type: 'boolean' },
      report: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      timeout: { type: 'string' },
    },
    positionals: [1, 1],
    async run({ db, values, positionals }) {
      const progress = new Progress('services');
      const reporter = await Reporter.open(values.report as string | undefined);
      const options: HarvestOptions = {
        full: Boolean(values.full),
        onReport: (entry) => reporter.write(entry),
        concurrency: positiveInt(values.concurrency, '--concurrency'),
        ratePerSecond: positiveInt(values.rate, '--rate'),
        timeoutMs: positiveInt(values.timeout, '--timeout'),
        maxBodyBytes: mebibytes(values['max-page-mb'], '--max-page-mb'),
        maxPages: positiveInt(values['max-pages'], '--max-pages'),
        maxServices: positiveInt(values['max-services'], '--max-services'),
        maxRunMs: (positiveInt(values['max-minutes'], '--max-minutes') ?? 360) * 60_000,
        onProgress: (done, total) => progress.update(done, total ? done / total : undefined),
      };
      const result = await harvest(db, positionals[0], options).finally(() => reporter.close());
      progress.done();
      reporter.summarise(result.summary);
      for (const f of result.failures.slice(0, 20)) report(`failed ${f.url}: ${f.reason}`);
      report(result.message);
      return result.summary.services.rejected || result.failed ? 1 : 0;
    },
  },

  validate: {
    usage:
      'validate <base-url> [--format text|json|junit] [--out <file>] [--schemas <dir> ...] [--offline] [--cache <dir>] [--mirror <url>] [--concurrency <n>] [--rate <per-second>] [--timeout <ms>] [--sample <n>] [--official-only] [--allow-warnings]',
    description: `Validate a live ORUK 3.0 or v1 feed (docs/validate.md): first as the official ORUK
validator does (level 1, the required endpoints: errors fail the feed; level 2, the
optional ones: warnings), with the same verdict; then what it does not check (level
3: envelope arithmetic, overlapping pages, nulls, UUID and date formats, CORS and
JSON errors, and that each documented filter filters), which never changes the
official verdict. Needs no database. The official schemas are downloaded from
openreferraluk.org and cached, or read from --schemas.

  --format <f>         text (default), json (docs/validate.md, "JSON report") or junit
  --out <file>         write the report there instead of standard output
  --schemas <dir>      a local copy of a published specification folder (openapi.json
                       and schema/, e.g. of https://openreferraluk.org/specifications/3.0/);
                       may be given once per version
  --offline            read the specifications only from --schemas
  --cache <dir>        where downloaded specifications are kept (default
                       SPECIFICATIONS_CACHE_DIR, or ~/.cache/oruk-server/specifications)
  --mirror <url>       download them from a copy of openreferraluk.org/specifications/
  --concurrency <n>    requests at a time (default 4)
  --rate <n>           at most n requests a second (default 4)
  --timeout <ms>       per request (default 30000); 5xx, 429 and network failures are
                       retried twice, honouring Retry-After
  --sample <n>         ids followed from each list (default 10, as the official validator)
  --official-only      levels 1 and 2 only
  --allow-warnings     exit 0 for a pass with warnings

Exit codes: 0 pass; 3 pass with warnings (official ones, or findings of level 3);
1 fail; 2 a bad command line, or specifications that cannot be read.`,
    options: {
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      schemas: { type: 'string', multiple: true },
      offline: { type: 'boolean' },
      cache: { type: 'string' },
      mirror: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      timeout: { type: 'string' },
      sample: { type: 'string' },
      'official-only': { type: 'boolean' },
      'allow-warnings': { type: 'boolean' },
    },
    positionals: [1, 1],
    database: false,
    async run({ config, values, positionals }) {
      const format = values.format as string;
      if (!['text', 'json', 'junit'].includes(format))
        throw new UsageError('--format is text, json or junit');
      if (!/^https?:\/\//i.test(positionals[0]))
        throw new UsageError(`${positionals[0]}: give the feed's base URL (http:// or https://)`);
      const progress = new Progress('requests');
      let validation: ValidationReport;
      try {
        validation = await validateFeed(positionals[0], {
          specifications: new Specifications({
            dirs: values.schemas as string[] | undefined,
            cacheDir: (values.cache as string | undefined) ?? config.specificationsCacheDir,
            mirror: values.mirror as string | undefined,
            offline: Boolean(values.offline),
          }),
          concurrency: positiveInt(values.concurrency, '--concurrency'),
          ratePerSecond: positiveInt(values.rate, '--rate'),
          timeoutMs: positiveInt(values.timeout, '--timeout'),
          sample: positiveInt(values.sample, '--sample'),
          beyond: !values['official-only'],
          onRequest: (done) => progress.update(done),
        });
      } catch (error) {
        progress.done();
        if (!(error instanceof SpecificationError)) throw error;
        report(error.message);
        return 2;
      }
      progress.done();
      const text =
        format === 'json'
          ? `${JSON.stringify(validation, null, 2)}\n`
          : format === 'junit'
            ? junitReport(validation)
            : textReport(validation);
      if (values.out) writeFileSync(values.out as string, text);
      else process.stdout.write(text);
      report(
        `${VERDICT_WORDS[validation.verdict]} (official: ${VERDICT_WORDS[validation.official_verdict]}); ${validation.findings.length} findings, ${validation.requests} requests`,
      );
      return validation.verdict === 'fail'
        ? 1
        : validation.verdict === 'warn' && !values['allow-warnings']
          ? 3
          : 0;
    },
  },

  postcodes: {
    usage: 'postcodes <onspd.csv> [--names <names.csv> ...]',
    description: `Load the ONS Postcode Directory (the ONSPD_<MON>_<YEAR>_UK.csv file) for offline
geocoding of postcode searches (idempotent: load a newer edition over an older one).
Each --names file (e.g. the LAD and ward names and codes CSVs in the ONSPD
Documents folder) adds area names to the codes.`,
    options: { names: { type: 'string', multiple: true } },
    positionals: [1, 1],
    async run({ db, values, positionals }) {
      const names = (values.names as string[] | undefined) ?? [];
      for (const file of [positionals[0], ...names])
        if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
      const progress = new Progress('postcodes');
      const result = await loadOnspd(db, positionals[0], {
        names,
        onProgress: ({ loaded }) => progress.update(loaded),
      });
      progress.done();
      const seconds = (result.elapsed / 1000).toFixed(result.elapsed < 10_000 ? 2 : 0);
      report(
        `${result.loaded} postcodes loaded (${result.changed} new or changed) in ${seconds} s; ` +
          `skipped ${result.skipped} rows without coordinates or with a malformed postcode`,
      );
      return 0;
    },
  },
};

const HELP = `Usage: oruk-server <command> [arguments]   (or: npm run cli -- <command>)

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}\n      ${c.description.split('\n')[0]}`)
  .join('\n')}

\`oruk-server <command> --help\` tells more. The database is DATABASE_URL, or the
embedded PostgreSQL when it is not set (the one \`npm start\` uses). Every command but
validate (which needs none) applies pending migrations first. See the README for every
setting.`;

class UsageError extends Error {}

function report(line: string): void {
  process.stderr.write(`${line}\n`);
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}

/** A size given in MB, as bytes. */
function mebibytes(value: unknown, name: string): number | undefined {
  const n = positiveInt(value, name);
  return n === undefined ? undefined : n * (1 << 20);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  const commandHelp = `Usage: oruk-server ${command.usage}\n\n${command.description}`;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandHelp}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp);
    return 0;
  }
  const [min, max] = command.positionals ?? [0, 0];
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    console.error(commandHelp);
    return 2;
  }
  const config = loadConfig();
  try {
    if (command.database === false) return await command.run({ config, ...parsed });
    return await withDatabase(config, name !== 'migrate', (db) =>
      command.run({ db, config, ...parsed }),
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${commandHelp}`);
    return 2;
  }
}

/** The database of DATABASE_URL, or the embedded one, migrated (unless `migrate` is the command). */
async function withDatabase<T>(
  config: AppConfig,
  migrate: boolean,
  work: (db: DataSource) => Promise<T>,
): Promise<T> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL)
    embedded = await startEmbeddedPostgres({
      dir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      note: report,
    });
  const db = await createDataSource(config.DATABASE_URL ?? embedded!.url).initialize();
  try {
    if (migrate) await db.runMigrations({ transaction: 'each' });
    return await work(db);
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
