import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { projectRoot } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/hsds/entities';
import { tableOf } from '../src/hsds/fields';
import { writeCsvPackage } from '../src/transfer/csv-package/write';
import { exportNdjson } from '../src/transfer/exporter';
import {
  ImportAborted,
  importDocuments,
  ImportSummary,
  ReportEntry,
} from '../src/transfer/importer';
import { openSource } from '../src/transfer/sources';
import { cli } from './support/cli';
import { createTestDatabase, TestDatabase } from './support/database';
import { Doc, seedServices } from './support/seed-data';

/**
 * The import and export path end to end, on real PostgreSQL databases: every input form,
 * rejections, --strict, idempotency, and export → import → export round trips (ndjson and
 * CSV data package) into empty databases. The CLI itself is run as a child process.
 */

interface Db {
  db: DataSource;
  database: TestDatabase;
  url: string;
}

const opened: Db[] = [];
let dir: string;

/** A private copy of the seeded database, or an empty one (migrated, no records). */
async function database(empty = false): Promise<Db> {
  const database = await createTestDatabase();
  const db = await createDataSource(database.url).initialize();
  if (empty) await db.query(`TRUNCATE ${ENTITIES.map(tableOf).join(', ')} CASCADE`);
  const d = { db, database, url: database.url };
  opened.push(d);
  return d;
}

async function exported(db: DataSource): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportNdjson(db, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

async function importFile(
  db: DataSource,
  file: string,
  strict = false,
  batchSize = 50,
): Promise<ImportSummary> {
  return importDocuments(db, (await openSource(file)).documents, { strict, batchSize });
}

/** Every HSDS table's rows, for "nothing changed" comparisons. */
async function snapshot(db: DataSource): Promise<string[]> {
  const rows: string[] = [];
  for (const entity of ENTITIES) {
    const table = tableOf(entity);
    const [{ md5 }] = await db.query<{ md5: string }[]>(
      `SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) AS md5 FROM "${table}" t`,
    );
    rows.push(`${table}:${md5}`);
  }
  return rows;
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oruk-import-'));
});

afterAll(async () => {
  for (const d of opened) {
    await d.db.destroy();
    await d.database.drop();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('export | import', () => {
  it('ndjson: export → import into an empty database → export again is identical', async () => {
    const source = await database();
    const first = await exported(source.db);
    const lines = first.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(seedServices().length);

    const target = await database(true);
    const summary = await importFile(target.db, write('export.ndjson', first));
    expect(summary.rejections).toEqual([]);
    expect(summary.services).toEqual({
      created: seedServices().length,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
    expect(await exported(target.db)).toBe(first);
  });

  it('CSV data package: export → import into an empty database reproduces the ndjson export', async () => {
    const source = await database();
    const expected = await exported(source.db);
    const csv = join(dir, 'package');
    await writeCsvPackage(source.db, csv);

    const target = await database(true);
    const summary = await importFile(target.db, csv);
    expect(summary.rejections).toEqual([]);
    expect(summary.services.created).toBe(seedServices().length);
    expect(await exported(target.db)).toBe(expected);
  });

  it('a second identical import changes nothing: all unchanged, last_modified kept', async () => {
    const { db } = await database();
    const file = write('again.ndjson', await exported(db));
    const before = await snapshot(db);
    const summary = await importFile(db, file);
    expect(summary.services).toEqual({
      created: 0,
      updated: 0,
      unchanged: seedServices().length,
      rejected: 0,
    });
    expect(summary.taxonomies.updated + summary.taxonomies.created).toBe(0);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('input forms', () => {
  const services = () => seedServices().slice(0, 3);

  it.each([
    ['one full service', (docs: Doc[]) => JSON.stringify(docs[0], null, 2), 1],
    ['an array of them', (docs: Doc[]) => JSON.stringify(docs, null, 2), 3],
    [
      'a page envelope',
      (docs: Doc[]) =>
        JSON.stringify({ total_items: 3, total_pages: 1, page_number: 1, contents: docs }),
      3,
    ],
    ['ndjson', (docs: Doc[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n', 3],
  ])('reads %s', async (_, render, count) => {
    const { db } = await database(true);
    // Taxonomies first: the services' attributes point at their terms.
    const taxonomies = readFileSync(join(projectRoot(), 'seed/data/taxonomies.json'), 'utf8');
    await importFile(db, write('taxonomies.json', taxonomies), true);
    const docs = services();
    const summary = await importFile(db, write(`form-${count}.json`, render(docs)));
    expect(summary.rejections).toEqual([]);
    expect(summary.services.created).toBe(count);
    const ids = (await db.query<{ id: string }[]>('SELECT id FROM service ORDER BY id')).map(
      (r) => r.id,
    );
    expect(ids).toEqual(
      docs
        .slice(0, count)
        .map((d) => d.id)
        .sort(),
    );
  });

  it('maps ORUK v1 documents, detected without being told', async () => {
    const { db } = await database(true);
    const v1 = join(projectRoot(), 'test/fixtures/v1/services');
    const summary = await importFile(db, v1);
    expect(summary.rejections).toEqual([]);
    expect(summary.services.created).toBe(5);
    expect(summary.taxonomies.created).toBeGreaterThan(0);
    const again = await importFile(db, v1);
    expect(again.services).toEqual({ created: 0, updated: 0, unchanged: 5, rejected: 0 });
  });
});

describe('rejections', () => {
  /**
   * Three seed services as ndjson: a good one, a bad one (no name: what ORUK cannot do
   * without), a good one, and a broken line.
   */
  function mixed(): { file: string; good: Doc[]; bad: Doc } {
    const [a, b, c] = structuredClone(seedServices().slice(0, 3));
    const bad = structuredClone(b);
    delete bad.name;
    const file = write(
      'mixed.ndjson',
      [a, bad, c].map((d) => JSON.stringify(d)).join('\n') + '\n{"id": "broken\n',
    );
    return { file, good: [a, c], bad };
  }

  it('rejects a bad record whole, naming where, id, path and reason; stores the others', async () => {
    const { db } = await database();
    const { file, bad } = mixed();
    await db.query(`DELETE FROM service WHERE id = $1`, [bad.id]);
    const summary = await importFile(db, file);
    expect(summary.services).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 2 });
    expect(summary.rejections).toEqual([
      expect.objectContaining({
        at: 'mixed.ndjson:2',
        id: bad.id,
        kind: 'rejected',
        rule: 'required',
        path: '/name',
        reason: 'a service needs a name',
      }),
      expect.objectContaining({
        at: 'mixed.ndjson:4',
        path: '/',
        reason: expect.stringMatching(/^not JSON: /),
      }),
    ]);
    // Rejected whole: nothing of it was written.
    const [{ n }] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM service WHERE id = $1`,
      [bad.id],
    );
    expect(n).toBe(0);
  });

  it('a record the database refuses is rejected alone; the batch around it is stored', async () => {
    const { db } = await database(true);
    const taxonomies = readFileSync(join(projectRoot(), 'seed/data/taxonomies.json'), 'utf8');
    await importFile(db, write('t.json', taxonomies), true);
    const [a, b, c] = structuredClone(seedServices().slice(0, 3));
    // Its organization by id only, an organization this database does not have: the
    // foreign key refuses it, and ORUK cannot do without it.
    delete b.organization;
    b.organization_id = crypto.randomUUID();
    const summary = await importFile(db, write('fk.json', JSON.stringify([a, b, c])));
    expect(summary.services).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(summary.rejections).toEqual([
      expect.objectContaining({ at: 'fk.json[1]', id: b.id, path: '/service' }),
    ]);
  });

  it('an attribute whose term is nowhere is left out, and said so; the service is stored', async () => {
    const { db } = await database(true);
    const taxonomies = readFileSync(join(projectRoot(), 'seed/data/taxonomies.json'), 'utf8');
    await importFile(db, write('t.json', taxonomies), true);
    const [a] = structuredClone(seedServices().slice(0, 1));
    const stray = crypto.randomUUID();
    a.attributes = [...(a.attributes ?? []), { id: crypto.randomUUID(), taxonomy_term_id: stray }];
    const entries: ReportEntry[] = [];
    const summary = await importDocuments(
      db,
      (await openSource(write('stray.json', JSON.stringify(a)))).documents,
      {
        onReport: (entry) => entries.push(entry),
      },
    );
    expect(summary.services).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0 });
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: 'dropped',
        rule: 'required',
        path: `/attributes/${a.attributes.length - 1}`,
        reason: `its taxonomy term ${stray} is in no taxonomy here`,
      }),
    );
  });

  it('--strict: one rejection aborts everything, leaving the store exactly as it was', async () => {
    const { db } = await database();
    const { file, good } = mixed();
    for (const doc of good) doc.name = `${doc.name as string} (changed)`;
    const changed = write(
      'strict.ndjson',
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => (i === 0 ? JSON.stringify(good[0]) : line))
        .join('\n'),
    );
    const before = await snapshot(db);
    // One document a batch: the first is written before the second is found bad.
    await expect(importFile(db, changed, true, 1)).rejects.toThrow(ImportAborted);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('the command line', () => {
  it('has --help on every command', async () => {
    const { stdout, code } = await cli(['--help'], {});
    expect(code).toBe(0);
    const commands = ['migrate', 'seed', 'import', 'changes', 'export', 'harvest', 'postcodes'];
    const helps = await Promise.all(commands.map((command) => cli([command, '--help'], {})));
    commands.forEach((command, i) => {
      expect(stdout).toContain(`  ${command}`);
      expect(helps[i].code).toBe(0);
      expect(helps[i].stdout).toMatch(new RegExp(`^Usage: oruk-server ${command}`));
    });
    const wrong = await cli(['import', '--no-such-option', 'x'], {});
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--no-such-option');
  });

  it('export | import - copies a database; the summary line counts what happened', async () => {
    const source = await database();
    const target = await database(true);
    const out = await cli(['export'], { DATABASE_URL: source.url });
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/exported 2 taxonomies and \d+ services/);
    const first = await cli(['import', '-'], { DATABASE_URL: target.url }, out.stdout);
    expect(first.stderr.trim().split('\n').pop()).toBe(
      `services: ${seedServices().length} created, 0 updated, 0 unchanged, 0 rejected; ` +
        `taxonomies: 2 created, 0 updated, 0 unchanged, 0 rejected`,
    );
    expect(first.code).toBe(0);
    const second = await cli(['import', '-'], { DATABASE_URL: target.url }, out.stdout);
    expect(second.stderr).toContain(
      `services: 0 created, 0 updated, ${seedServices().length} unchanged, 0 rejected`,
    );
    expect(await exported(target.db)).toBe(out.stdout);
  });

  it('exits 1 and reports each rejection', async () => {
    const { url } = await database();
    const { file } = mixed();
    const result = await cli(['import', file], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rejected mixed.ndjson:2');
    expect(result.stderr).toContain('/name: a service needs a name');
  });

  /** As in the rejections above. */
  function mixed(): { file: string } {
    const [a, b] = structuredClone(seedServices().slice(0, 2));
    delete b.name;
    return { file: write('mixed.ndjson', `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`) };
  }
});
