import { csvRecords, CsvError } from './csv';

/** All records of `text`, read in chunks of `size` characters (every split point is tried). */
async function read(text: string, size = text.length || 1): Promise<string[][]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  const records: string[][] = [];
  for await (const batch of csvRecords(chunks, 'test.csv')) records.push(...batch);
  return records;
}

/** The same records whatever the chunk size. */
async function records(text: string): Promise<string[][]> {
  const whole = await read(text);
  for (let size = 1; size <= Math.min(text.length, 12); size++)
    expect(await read(text, size)).toEqual(whole);
  return whole;
}

describe('csvRecords', () => {
  it('splits plain fields and records', async () => {
    expect(await records('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('reads CRLF, a last line without a line break, and blank lines', async () => {
    expect(await records('a,b\r\n\r\n1,2\r\n\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(await records('a,b\r')).toEqual([['a', 'b']]);
  });

  it('keeps empty fields, first, middle and last', async () => {
    expect(await records(',a,,b,\n,\n"",""\n')).toEqual([
      ['', 'a', '', 'b', ''],
      ['', ''],
      ['', ''],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', async () => {
    const text =
      'LAD23CD,LAD23NM\r\n' +
      'E06000023,"Bristol, City of"\r\n' +
      '"E0""1","say ""hi"""\r\n' +
      '"a\r\nb","\n\nc,\n"\r\n' +
      '"""",""""""\n';
    expect(await records(text)).toEqual([
      ['LAD23CD', 'LAD23NM'],
      ['E06000023', 'Bristol, City of'],
      ['E0"1', 'say "hi"'],
      ['a\nb', '\n\nc,\n'],
      ['"', '""'],
    ]);
  });

  it('reads a fully quoted ONSPD line', async () => {
    expect(await records('"BS1 1HT","BS1  1HT","","51.454700","-2.593200"\r\n')).toEqual([
      ['BS1 1HT', 'BS1  1HT', '', '51.454700', '-2.593200'],
    ]);
  });

  it('drops a byte order mark, only at the start', async () => {
    expect(await records('\ufeffpcds,lat\n\ufeffx,1\n')).toEqual([
      ['pcds', 'lat'],
      ['\ufeffx', '1'],
    ]);
  });

  it('keeps other characters as they are', async () => {
    expect(await records('Caerdydd,Ynys Môn,Ⅻ,😀, spaced \n')).toEqual([
      ['Caerdydd', 'Ynys Môn', 'Ⅻ', '😀', ' spaced '],
    ]);
  });

  it('reads nothing from nothing', async () => {
    expect(await records('')).toEqual([]);
    expect(await records('\n\r\n\n')).toEqual([]);
  });

  it('gives records in batches, one per chunk that completes any', async () => {
    const batches: string[][][] = [];
    for await (const batch of csvRecords(['a\nb\nc', '', 'd\ne\n'])) batches.push(batch);
    expect(batches).toEqual([
      [['a'], ['b']],
      [['cd'], ['e']],
    ]);
  });

  it.each([
    [
      'a quote inside an unquoted field',
      'a,b\nx,y"z\n',
      /test\.csv, line 2: a quote inside unquoted field 2/,
    ],
    [
      'text after a closing quote',
      'a\n\n"x"y,z\n',
      /test\.csv, line 3: text after the closing quote of field 1/,
    ],
    ['a quote never closed', 'a,b\n"x,y\nz\n', /test\.csv, line 2: a quoted field is never closed/],
    [
      'a quote never closed at the end',
      'a,"b',
      /test\.csv, line 1: a quoted field is never closed/,
    ],
  ])('rejects %s, naming the line', async (_, text, message) => {
    await expect(read(text)).rejects.toThrow(CsvError);
    await expect(read(text, 1)).rejects.toThrow(message);
  });

  it('gives up on a runaway quote rather than reading the rest of the file into memory', async () => {
    function* endless() {
      yield 'pcds,lat\n"BS1 5TR,51\n';
      for (let i = 0; i < 100_000; i++) yield 'BS1 5TR,51.45\n';
    }
    const consumed: number[] = [];
    await expect(
      (async () => {
        for await (const batch of csvRecords(endless())) consumed.push(batch.length);
      })(),
    ).rejects.toThrow(/line 2: a quoted field is never closed/);
  });

  it('rejects a line too long to be a record', async () => {
    await expect(read('a'.repeat((1 << 20) + 1), 1 << 16)).rejects.toThrow(/line 1: a line longer/);
  });
});
