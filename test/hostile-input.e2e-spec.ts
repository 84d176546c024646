import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/hsds/entities';
import { tableOf } from '../src/hsds/fields';
import { ElementSplitter } from '../src/transfer/json-elements';
import { BULK_LOAD, importDocuments, ImportSummary, ReportEntry } from '../src/transfer/importer';
import { MAX_DEPTH, openSource } from '../src/transfer/sources';
import { createTestDatabase, TestDatabase } from './support/database';

/**
 * Files made to break an import: nested past any real record, in other encodings than
 * UTF-8, with bytes that are no text, too large to read whole, the same record twice.
 * Each is refused or read where it is, with its location, and the rest of the run goes on.
 */
type Doc = Record<string, unknown>;

let database: TestDatabase;
let db: DataSource;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await createDataSource(database.url).initialize();
  dir = mkdtempSync(join(tmpdir(), 'oruk-hostile-'));
});
beforeEach(() => db.query(`TRUNCATE ${ENTITIES.map(tableOf).join(', ')} CASCADE`));
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const uuid = (n: number) => `5d2f0c1e-1111-4222-8333-${String(n).padStart(12, '0')}`;
const service = (n: number, extra: Doc = {}): Doc => ({
  id: uuid(n),
  name: `Service ${n}`,
  status: 'active',
  organization: { id: uuid(900_000 + (n % 5)), name: `Organisation ${n % 5}`, description: 'x' },
  ...extra,
});

async function run(
  name: string,
  bytes: Buffer | string,
  options: { maxJsonBytes?: number } = {},
): Promise<{ summary: ImportSummary; report: ReportEntry[] }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const report: ReportEntry[] = [];
  const summary = await importDocuments(db, (await openSource(file, options)).documents, {
    batchSize: 50,
    onReport: (entry) => report.push(entry),
  });
  return { summary, report };
}

const stored = async () =>
  (await db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM service'))[0].n;

describe('hostile input files', () => {
  it('rejects a document nested thousands of levels deep, with its location, and stores the rest', async () => {
    // 10 KB of text; written out, as a program would need a deep stack to build it.
    const deep = `${'{"nested":'.repeat(5000)}{}${'}'.repeat(5000)}`;
    const lines = Array.from({ length: 1200 }, (_, i) =>
      i === 500
        ? JSON.stringify(service(i, { extra: 'DEEP' })).replace('"DEEP"', deep)
        : JSON.stringify(service(i)),
    );
    const { summary, report } = await run('deep.ndjson', lines.join('\n'));
    expect(summary.services).toMatchObject({ created: 1199, rejected: 1 });
    expect(report.filter((r) => r.kind === 'rejected')).toEqual([
      expect.objectContaining({
        at: 'deep.ndjson:501',
        reason: `nested more than ${MAX_DEPTH} levels deep: not read`,
      }),
    ]);
    expect(await stored()).toBe(1199);
  });

  it('reads line 1 after a byte order mark, and UTF-16 files', async () => {
    const text = [service(1), service(2, { name: 'Zoë’s café' })].map((s) => JSON.stringify(s));
    const bom = await run(
      'bom.ndjson',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.join('\n'))]),
    );
    expect(bom.summary.services).toMatchObject({ created: 2, rejected: 0 });
    const json = `[${text.join(',\n')}]`;
    const utf16 = await run(
      'utf16.json',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]),
    );
    expect(utf16.summary.services).toMatchObject({ unchanged: 2, rejected: 0 });
    const [{ name }] = await db.query<{ name: string }[]>(
      `SELECT name FROM service WHERE id = $1`,
      [uuid(2)],
    );
    expect(name).toBe('Zoë’s café');
  });

  it('rejects a line that is not UTF-8 where it is, never with characters replaced', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${JSON.stringify(service(1))}\n{"id":"${uuid(2)}","name":"Caf`),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from(`"}\n${JSON.stringify(service(3))}\n`),
    ]);
    const { summary, report } = await run('latin1.ndjson', bytes);
    expect(summary.services).toMatchObject({ created: 2, rejected: 1 });
    expect(report.find((r) => r.kind === 'rejected')).toMatchObject({
      at: 'latin1.ndjson:2',
      reason: 'not UTF-8 text: not read',
    });
    expect(await db.query(`SELECT 1 FROM service WHERE name LIKE '%\uFFFD%'`)).toEqual([]);
  });

  it('reads an array or a page envelope of any size a record at a time, refusing only what is too large alone', async () => {
    const limit = { maxJsonBytes: 20_000 };
    const many = Array.from({ length: 300 }, (_, i) => service(i));
    const array = await run('big.json', JSON.stringify(many), limit);
    expect(array.summary.services).toMatchObject({ created: 300, rejected: 0 });
    // An envelope on one line, with a record too large alone, and one that is not JSON.
    const contents = many.map((s) => JSON.stringify(s));
    contents[3] = JSON.stringify(service(3, { description: 'x'.repeat(30_000) }));
    contents[7] = '{"id": nope}';
    const envelope = `{"total_items":300,"total_pages":1,"page_number":1,"size":300,"first_page":true,"last_page":true,"empty":false,"contents":[${contents.join(',')}]}`;
    const page = await run('page.json', envelope, limit);
    expect(page.summary.services).toMatchObject({ unchanged: 298, rejected: 2 });
    expect(page.report.filter((r) => r.kind === 'rejected').map((r) => [r.at, r.reason])).toEqual([
      ['page.json[3]', 'larger than 0 MB: not read'],
      ['page.json[7]', expect.stringMatching(/^not JSON: /)],
    ]);
    // One value that is no list, larger than the limit: refused in one line saying what to do.
    const alone = await run(
      'alone.json',
      JSON.stringify(service(1, { description: 'y'.repeat(30_000) })),
      limit,
    );
    expect(alone.summary.services).toMatchObject({ rejected: 1 });
    expect(alone.report.find((r) => r.kind === 'rejected')?.reason).toMatch(
      /^larger than 0 MB as one JSON value: give it as ndjson/,
    );
    // An ndjson line past the limit is that line's problem only.
    const long = [...many.slice(0, 3), service(3, { description: 'x'.repeat(30_000) })];
    const one = await run('long.ndjson', long.map((s) => JSON.stringify(s)).join('\n'), limit);
    expect(one.summary.services).toMatchObject({ unchanged: 3, rejected: 1 });
    expect(one.report.find((r) => r.kind === 'rejected')).toMatchObject({ at: 'long.ndjson:4' });
  });

  it('splits elements exactly, whatever the strings and nesting hold, in pieces of any size', () => {
    const tricky = [
      { a: 'a "quoted" ] } , [ { string', b: [1, [2, { c: '\\' }]] },
      { contents: [1, 2] },
      'text, with a comma',
      42,
      [{}, []],
    ];
    for (const json of [
      JSON.stringify(tricky),
      `{"x":{"contents":[0]},"contents":${JSON.stringify(tricky, null, 2)},"y":[9]}`,
    ]) {
      for (const size of [1, 2, 5, 64, 100_000]) {
        const splitter = new ElementSplitter(1e6);
        const texts: string[] = [];
        for (let i = 0; i < json.length; i += size)
          for (const e of splitter.feed(json.slice(i, i + size))) texts.push(e.text ?? '');
        expect({ size, values: texts.map((t) => JSON.parse(t) as unknown) }).toEqual({
          size,
          values: tricky,
        });
        expect(splitter.unfinished).toBe(false);
      }
    }
  });

  it('tells what JSON.parse would refuse: text after the value, missing or extra commas', () => {
    for (const json of ['[1] [2]', '[{"a":1} {"b":2}]', '[1,]', '[,1]', '{"contents":[1,,2]}'])
      for (const size of [1, 3, 100]) {
        const splitter = new ElementSplitter(1e6);
        for (let i = 0; i < json.length; i += size)
          Array.from(splitter.feed(json.slice(i, i + size)));
        expect({ json, size, problem: splitter.problem }).toEqual({
          json,
          size,
          problem: expect.any(String),
        });
      }
  });

  it('reads a page envelope whose long line is not its first', async () => {
    const contents = Array.from({ length: 300 }, (_, i) => JSON.stringify(service(i))).join(',');
    const { summary } = await run('later.json', `{\n"contents":[${contents}]}\n`, {
      maxJsonBytes: 20_000,
    });
    expect(summary.services).toMatchObject({ created: 300, rejected: 0 });
  });

  it('counts a service given twice once, stores the last, and reports it', async () => {
    const twice = [service(1), service(2), service(1, { name: 'Service 1, again' })];
    const { summary, report } = await run(
      'twice.ndjson',
      twice.map((s) => JSON.stringify(s)).join('\n'),
    );
    expect(summary.services).toMatchObject({ created: 2, updated: 0, rejected: 0 });
    expect(report).toContainEqual(
      expect.objectContaining({ at: 'twice.ndjson:3', rule: 'id-duplicate', path: '/id' }),
    );
    const [{ name }] = await db.query<{ name: string }[]>(
      `SELECT name FROM service WHERE id = $1`,
      [uuid(1)],
    );
    expect(name).toBe('Service 1, again');
  });
});

describe('after a bulk load', () => {
  it('vacuums the tables after a bulk load, so that counts can be read from the indexes', async () => {
    const allVisible = async () =>
      (
        await db.query<{ pages: number }[]>(
          `SELECT relallvisible AS pages FROM pg_class WHERE relname = 'service'`,
        )
      )[0].pages;
    await run('few.ndjson', [1, 2, 3].map((n) => JSON.stringify(service(n))).join('\n'));
    expect(await allVisible()).toBe(0); // a small import: left to autovacuum
    const many = Array.from({ length: BULK_LOAD }, (_, i) => JSON.stringify(service(10 + i)));
    await run('bulk.ndjson', many.join('\n'));
    expect(await allVisible()).toBeGreaterThan(0);
  });
});
