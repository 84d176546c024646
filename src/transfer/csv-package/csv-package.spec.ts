import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvCell, csvLine, csvRecords } from '../../common/csv';
import { ENTITIES } from '../../hsds/entities';
import { csvFileOf, CsvPackageError } from './names';
import { readCsvPackage } from './read';
import { SourceDocument } from '../documents';

describe('csvCell', () => {
  it('leaves plain text alone and writes NULL as an empty cell', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('  spaces kept  ')).toBe('  spaces kept  ');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('"')).toBe('""""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell('one\rtwo')).toBe('"one\rtwo"');
  });

  it('round-trips through the project CSV reader', async () => {
    const values = ['a', '', 'b,c', '"q"', 'x\ny', 'caf\u00e9 \u{1F600}', ',', '""'];
    const text = csvLine(values) + csvLine(['1', '2']);
    const records: string[][] = [];
    for await (const batch of csvRecords([text])) records.push(...batch);
    expect(records).toEqual([values, ['1', '2']]);
    expect(text.endsWith('\r\n')).toBe(true);
  });
});

describe('csvFileOf', () => {
  it('uses the UK profile file names', () => {
    const files = Object.fromEntries(ENTITIES.map((e) => [e.name, csvFileOf(e)]));
    expect(files).toMatchObject({
      Organization: 'organizations.csv',
      Service: 'services.csv',
      Taxonomy: 'taxonomies.csv',
      TaxonomyTerm: 'taxonomy_terms.csv',
      Attribute: 'attribute.csv',
      ServiceAtLocation: 'service_at_location.csv',
      Address: 'address.csv',
      Schedule: 'schedule.csv',
      Accessibility: 'accessibility.csv',
      CostOption: 'cost_options.csv',
    });
  });
});

describe('readCsvPackage (a hand-written package)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oruk-csvpkg-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = async () => {
    const docs: SourceDocument[] = [];
    for await (const doc of readCsvPackage(dir)) docs.push(doc);
    return docs;
  };
  const org = '11111111-1111-4111-8111-111111111111';
  const s1 = '22222222-2222-4222-8222-222222222222';
  const s2 = '33333333-3333-4333-8333-333333333333';
  const term = '44444444-4444-4444-8444-444444444444';

  it('nests by the shapes, converts numbers, skips empty cells and unknown columns', async () => {
    writeFileSync(
      join(dir, 'organizations.csv'),
      `id,name,description,address_2\n${org},Org,"An org, with a comma",ignored\n`,
    );
    writeFileSync(
      join(dir, 'services.csv'),
      'id,organization_id,name,status,minimum_age,maximum_age\n' +
        `${s2},${org},Second,active,,\n` +
        `${s1},${org},"First\nof two",active,5,ten\n`,
    );
    // The UK profile has no attribute.link_entity: attributes link by id alone.
    writeFileSync(
      join(dir, 'attribute.csv'),
      `id,link_id,taxonomy_term_id\n55555555-5555-4555-8555-555555555555,${s1},${term}\n`,
    );
    writeFileSync(join(dir, 'taxonomy_terms.csv'), `id,name,description\n${term},Term,A term\n`);
    const docs = await read();
    expect(docs.map((d) => [d.kind, d.doc.id, d.at])).toEqual([
      ['service', s1, 'services.csv:3'],
      ['service', s2, 'services.csv:2'],
    ]);
    expect(docs[0].doc).toEqual({
      id: s1,
      organization_id: org,
      name: 'First\nof two',
      status: 'active',
      minimum_age: 5,
      maximum_age: 'ten',
      organization: { id: org, name: 'Org', description: 'An org, with a comma' },
      attributes: [
        {
          id: '55555555-5555-4555-8555-555555555555',
          link_id: s1,
          taxonomy_term_id: term,
          taxonomy_term: { id: term, name: 'Term', description: 'A term' },
        },
      ],
    });
    expect(docs[1].doc.attributes).toBeUndefined();
  });

  it('names the file and line of a malformed row', async () => {
    writeFileSync(
      join(dir, 'services.csv'),
      `id,name\n"${s1}",ok\n${s2},"multi\nline"\nbad,"x"y\n`,
    );
    await expect(read()).rejects.toThrow(
      new CsvPackageError('services.csv, line 5: text after the closing quote of field 2'),
    );
  });
});
