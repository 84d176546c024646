import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ENTITIES } from '../src/hsds/entities';
import { fieldsOf, tableOf } from '../src/hsds/fields';
import { Loader } from '../src/hsds/loader';
import { SERVICE_FULL, TAXONOMY_FULL } from '../src/hsds/shapes';
import { csvFileOf, CsvPackageError } from '../src/transfer/csv-package/names';
import { readCsvPackage } from '../src/transfer/csv-package/read';
import { writeCsvPackage } from '../src/transfer/csv-package/write';
import { SourceDocument } from '../src/transfer/documents';
import { createTestApp, TestApp } from './support/app';
import { officialIt, ORUK_SCHEMA_DIR } from './support/oruk-schemas';
import { Doc } from './support/seed-data';
import { filesOf, writeZip } from './support/zip';

const TRICKY =
  'Line one, with a comma and "quotes";\nline two\n\nline four \u2014 caf\u00e9 \u{1F600}';

async function readAll(path: string): Promise<SourceDocument[]> {
  const docs: SourceDocument[] = [];
  for await (const doc of readCsvPackage(path)) docs.push(doc);
  return docs;
}

/** The CsvPackageError that reading `path` fails with. */
async function failure(path: string): Promise<CsvPackageError> {
  try {
    await readAll(path);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvPackageError);
    return error as CsvPackageError;
  }
  throw new Error(`${path} was read without error`);
}

describe('HSDS tabular data package (CSV)', () => {
  let t: TestApp;
  let tmp: string;
  let dir: string;
  let written: { tables: number; rows: number };
  let docs: SourceDocument[];
  const get = (path: string) => request(t.http).get(path);

  /** A copy of the exported package, changed by `edit`, to read back. */
  const variant = (name: string, edit: (dir: string) => void): string => {
    const copy = join(tmp, name);
    cpSync(dir, copy, { recursive: true });
    edit(copy);
    return copy;
  };

  beforeAll(async () => {
    t = await createTestApp();
    // Values a CSV writer must quote, and a number with many digits, in this private copy.
    // (No CR: src/common/csv.ts reads a CRLF inside a quoted field as LF.)
    await t.db.query(
      `UPDATE service SET description = $1
       WHERE id = (SELECT id FROM service ORDER BY id LIMIT 1 OFFSET 3)`,
      [TRICKY],
    );
    await t.db.query(
      `UPDATE location SET latitude = 51.123456789012345
       WHERE id = (SELECT id FROM location WHERE latitude IS NOT NULL ORDER BY id LIMIT 1)`,
    );
    tmp = mkdtempSync(join(tmpdir(), 'oruk-csvpkg-'));
    dir = join(tmp, 'package');
    written = await writeCsvPackage(t.db, dir);
    docs = await readAll(dir);
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await t.close();
  });

  it('writes one CSV per table and a datapackage.json naming each, headers matching', async () => {
    const descriptor = JSON.parse(readFileSync(join(dir, 'datapackage.json'), 'utf8'));
    expect(descriptor.profile).toBe('tabular-data-package');
    expect(descriptor.resources.map((r: Doc) => r.name)).toEqual(ENTITIES.map(tableOf));
    expect(written.tables).toBe(ENTITIES.length);
    let rows = 0;
    for (const resource of descriptor.resources as Doc[]) {
      const entity = ENTITIES.find((e) => tableOf(e) === resource.name)!;
      expect(resource.path).toBe(csvFileOf(entity));
      expect(resource.schema.primaryKey).toBe('id');
      const names = resource.schema.fields.map((f: Doc) => f.name);
      expect(names).toEqual(fieldsOf(entity).map((f) => f.name));
      const lines = readFileSync(join(dir, resource.path), 'utf8').split('\r\n');
      expect(lines[0]).toBe(names.join(','));
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM "${resource.name}"`);
      rows += count;
    }
    expect(written.rows).toBe(rows);
    const service = descriptor.resources.find((r: Doc) => r.name === 'service');
    expect(service.path).toBe('services.csv');
    expect(service.schema.foreignKeys).toEqual([
      { fields: 'organization_id', reference: { resource: 'organization', fields: 'id' } },
    ]);
    const field = (name: string) => service.schema.fields.find((f: Doc) => f.name === name);
    expect(field('id')).toMatchObject({ type: 'string', format: 'uuid' });
    expect(field('id').constraints).toEqual({ required: true, unique: true });
    expect(field('organization_id').constraints.required).toBe(true);
    expect(field('description').constraints.required).toBe(false);
    expect(field('minimum_age')).toMatchObject({ type: 'number' });
    expect(field('last_modified')).toMatchObject({ type: 'datetime' });
    expect(field('status').constraints.enum).toContain('temporarily closed');
    const attribute = descriptor.resources.find((r: Doc) => r.name === 'attribute');
    expect(attribute.path).toBe('attribute.csv');
    expect(attribute.schema.fields.map((f: Doc) => f.name)).toContain('link_entity');
  });

  officialIt('uses the official UK profile file names', () => {
    const official = JSON.parse(
      readFileSync(join(ORUK_SCHEMA_DIR!, '../../uk-profile/datapackage.json'), 'utf8'),
    );
    for (const resource of official.resources as Doc[]) {
      const entity = ENTITIES.find((e) => tableOf(e) === resource.name);
      if (entity)
        expect([resource.name, csvFileOf(entity)]).toEqual([resource.name, resource.path]);
    }
  });

  it('every service reads back as GET /services/{id}, in id order', async () => {
    const { body } = await get('/services?per_page=1000').expect(200);
    const ids = (body.contents as Doc[]).map((s) => s.id as string).sort();
    const services = docs.filter((d) => d.kind === 'service');
    expect(services.map((d) => d.doc.id)).toEqual(ids);
    expect(docs.findIndex((d) => d.kind === 'service')).toBe(
      docs.filter((d) => d.kind === 'taxonomy').length,
    );
    for (const { doc } of services) {
      const { body: expected } = await get(`/services/${doc.id as string}`).expect(200);
      expect(doc).toEqual(expected);
      expect(Object.keys(doc)).toEqual(Object.keys(expected));
    }
    const tricky = services.find((d) => String(d.doc.description).startsWith('Line one'));
    expect(tricky?.doc.description).toBe(TRICKY);
  });

  it('every taxonomy reads back as GET /taxonomies/{id}', async () => {
    const { body } = await get('/taxonomies?per_page=1000').expect(200);
    const taxonomies = docs.filter((d) => d.kind === 'taxonomy');
    expect(taxonomies.map((d) => d.doc.id)).toEqual(
      (body.contents as Doc[]).map((x) => x.id as string).sort(),
    );
    for (const { doc } of taxonomies) {
      const { body: expected } = await get(`/taxonomies/${doc.id as string}`).expect(200);
      expect(doc).toEqual(expected);
    }
  });

  it('says where each document comes from: the file and line of its row', () => {
    const files = new Map<string, string[]>();
    for (const { kind, doc, at } of docs) {
      const [file, line] = at.split(':');
      expect(file).toBe(kind === 'taxonomy' ? 'taxonomies.csv' : 'services.csv');
      if (!files.has(file)) files.set(file, readFileSync(join(dir, file), 'utf8').split('\n'));
      expect(files.get(file)![Number(line) - 1].startsWith(`${doc.id as string},`)).toBe(true);
    }
  });

  it('the documents load as they are: valid, and changing nothing', async () => {
    const loader = new Loader(t.db);
    const taxonomies = await loader.load(
      TAXONOMY_FULL,
      docs.filter((d) => d.kind === 'taxonomy').map((d) => d.doc),
    );
    const services = await loader.load(
      SERVICE_FULL,
      docs.filter((d) => d.kind === 'service').map((d) => d.doc),
    );
    for (const result of [taxonomies, services]) {
      expect(result.rejected).toEqual([]);
      expect(result.created).toEqual([]);
    }
    expect(services.updated).toEqual([]);
  });

  it('reads a package without datapackage.json by its file names', async () => {
    const bare = variant('bare', (copy) => unlinkSync(join(copy, 'datapackage.json')));
    expect(await readAll(bare)).toEqual(docs);
  });

  it('reads a zip of the package, flat or under a folder', async () => {
    const flat = join(tmp, 'flat.zip');
    const nested = join(tmp, 'nested.zip');
    writeZip(flat, filesOf(dir));
    writeZip(nested, filesOf(dir, tmp));
    expect(await readAll(flat)).toEqual(docs);
    expect(await readAll(nested)).toEqual(docs);
  });

  it('refuses a zip bomb unread, naming the entry', async () => {
    const bomb = join(tmp, 'bomb.zip');
    // 64 MB of one character: about 64 KB deflated.
    writeZip(bomb, { ...filesOf(dir), 'services.csv': Buffer.alloc(64 << 20, 'a') });
    expect((await failure(bomb)).message).toMatch(
      /bomb\.zip: services\.csv expands \d+ times \(64 MB\), more than CSV text compresses/,
    );
  });

  describe('rejects, naming the file and line', () => {
    it('a path that does not exist', async () => {
      expect((await failure(join(tmp, 'nowhere'))).message).toMatch(/nowhere: no such folder/);
    });

    it('a folder without datapackage.json or any HSDS file', async () => {
      const empty = join(tmp, 'empty');
      mkdirSync(empty);
      writeFileSync(join(empty, 'notes.txt'), 'hello');
      expect((await failure(empty)).message).toMatch(/empty: no datapackage\.json/);
    });

    it('a file that is not a zip', async () => {
      const text = join(tmp, 'not-a.zip');
      writeFileSync(text, 'hello');
      expect((await failure(text)).message).toMatch(/not-a\.zip: not a zip file/);
    });

    it('a resource listed but missing', async () => {
      const path = variant('missing', (copy) => unlinkSync(join(copy, 'funding.csv')));
      expect((await failure(path)).message).toBe(
        'funding.csv: listed in datapackage.json but not in the package',
      );
    });

    it('a CSV without an id column', async () => {
      const path = variant('no-id', (copy) => {
        const file = join(copy, 'services.csv');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^id,/, 'identifier,'));
      });
      expect((await failure(path)).message).toBe(
        'services.csv, line 1: the header has no id column',
      );
    });

    it('a malformed quote', async () => {
      const path = variant('quote', (copy) => {
        const file = join(copy, 'organizations.csv');
        const lines = readFileSync(file, 'utf8').split('\r\n');
        lines[2] = lines[2].replace(',', ',Bad "quote" here,');
        writeFileSync(file, lines.join('\r\n'));
      });
      expect((await failure(path)).message).toMatch(
        /^organizations\.csv, line 3: a quote inside unquoted field 2/,
      );
    });

    it('a quote never closed', async () => {
      const path = variant('unclosed', (copy) => {
        const file = join(copy, 'contacts.csv');
        const [header] = readFileSync(file, 'utf8').split('\r\n');
        writeFileSync(file, `${header}\r\n"never closed,a,b\r\nc,d\r\n`);
      });
      expect((await failure(path)).message).toBe(
        'contacts.csv, line 2: a quoted field is never closed',
      );
    });

    it('a row with the wrong number of fields', async () => {
      const path = variant('fields', (copy) => {
        const file = join(copy, 'locations.csv');
        const lines = readFileSync(file, 'utf8').split('\r\n');
        lines[4] += ',extra';
        writeFileSync(file, lines.join('\r\n'));
      });
      expect((await failure(path)).message).toMatch(
        /^locations\.csv, line 5: \d+ fields where the header has \d+$/,
      );
    });

    it('an id twice in a table', async () => {
      const path = variant('twice', (copy) => {
        const file = join(copy, 'taxonomies.csv');
        const lines = readFileSync(file, 'utf8').split('\r\n');
        writeFileSync(file, [...lines.slice(0, 2), lines[1], ...lines.slice(2)].join('\r\n'));
      });
      expect((await failure(path)).message).toMatch(
        /^taxonomies\.csv, line 3: id .* also on line 2$/,
      );
    });

    it('an invalid datapackage.json', async () => {
      const path = variant('descriptor', (copy) =>
        writeFileSync(join(copy, 'datapackage.json'), '{"resources": '),
      );
      expect((await failure(path)).message).toMatch(/^datapackage\.json: not valid JSON/);
    });
  });

  it('leaves a number that does not parse as text, for validation to reject', async () => {
    const path = variant('bad-number', (copy) => {
      const file = join(copy, 'services.csv');
      const lines = readFileSync(file, 'utf8').split('\r\n');
      const header = lines[0].split(',');
      // A row without quoted cells, so that splitting on commas finds its cells.
      const row = lines.findIndex((line, i) => i && line.split(',').length === header.length);
      const cells = lines[row].split(',');
      cells[header.indexOf('minimum_age')] = 'twelve';
      lines[row] = cells.join(',');
      writeFileSync(file, lines.join('\r\n'));
    });
    const read = await readAll(path);
    const bad = read.find((d) => d.doc.minimum_age === 'twelve')!;
    const [file, line] = bad.at.split(':');
    const text = readFileSync(join(path, file), 'utf8').split('\n');
    expect(text[Number(line) - 1]).toMatch(new RegExp(`^${bad.doc.id as string},.*twelve`));
    const result = await new Loader(t.db).load(SERVICE_FULL, [bad.doc]);
    expect(result.rejected).toEqual([
      expect.objectContaining({ path: '/minimum_age', reason: 'must be number' }),
    ]);
  });

  officialIt('reads the official example package (no datapackage.json)', async () => {
    const examples = join(ORUK_SCHEMA_DIR!, '../../uk-profile/examples/csv');
    if (!existsSync(examples)) return;
    const read = await readAll(examples);
    const service = read.find((d) => d.kind === 'service')!;
    expect(service.at).toBe('services.csv:2');
    expect(service.doc.organization).toEqual(expect.objectContaining({ name: expect.any(String) }));
    expect(service.doc.service_at_locations).toEqual([
      expect.objectContaining({ location: expect.objectContaining({ id: expect.any(String) }) }),
    ]);
    expect(read.some((d) => d.kind === 'taxonomy')).toBe(true);
  });
});
