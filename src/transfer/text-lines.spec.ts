import { Line, textLines } from './text-lines';

/** The lines of `bytes`, given in chunks of `size` bytes (1: every boundary is tried). */
async function read(bytes: Buffer, size = 1, max = 1000): Promise<Line[]> {
  function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const lines: Line[] = [];
  for await (const line of textLines(chunks(), max)) lines.push(line);
  return lines;
}
const texts = (lines: Line[]) => lines.map((l) => l.text);

describe('textLines', () => {
  const text = '{"name":"Café"}\r\n{"name":"Zoë"}\n[1]';

  it.each([1, 2, 3, 7, 4096])('reads UTF-8 lines in chunks of %i bytes', async (size) => {
    expect(texts(await read(Buffer.from(text), size))).toEqual([
      '{"name":"Café"}',
      '{"name":"Zoë"}',
      '[1]',
    ]);
  });

  it('drops a UTF-8 byte order mark, so that line 1 is read', async () => {
    const lines = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(lines[0].text).toBe('{"name":"Café"}');
  });

  it('decodes UTF-16, little or big endian, with or without a byte order mark', async () => {
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), le]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
      le,
      be,
    ])
      expect(texts(await read(bytes, 3))).toEqual(['{"name":"Café"}', '{"name":"Zoë"}', '[1]']);
  });

  it('gives a line that is not UTF-8 as invalid, never with characters replaced', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":1}\n{"name":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"b":2}\n'),
    ]);
    const lines = await read(bytes);
    expect(lines.map((l) => [l.number, l.text, l.invalid])).toEqual([
      [1, '{"a":1}', undefined],
      [2, undefined, true],
      [3, '{"b":2}', undefined],
    ]);
  });

  it('does not keep a line longer than the limit, and says how long it was', async () => {
    const bytes = Buffer.from(`{"a":1}\n${'x'.repeat(5000)}\n{"b":2}`);
    const lines = await read(bytes, 64, 100);
    expect(lines.map((l) => [l.text, l.tooLong, l.bytes])).toEqual([
      ['{"a":1}', undefined, 8],
      [undefined, true, 5001],
      ['{"b":2}', undefined, 7],
    ]);
  });
});
