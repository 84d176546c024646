import { TextDecoder } from 'node:util';

/**
 * The lines of an input as text, read from its bytes, bounded: what `import` reads JSON and
 * ndjson from (./sources.ts).
 *
 * - UTF-8, its byte order mark (which editors on Windows write) dropped; UTF-16 (little or
 *   big endian, with a BOM, or without one when the text begins with an ASCII character) is
 *   decoded. Nothing else is guessed.
 * - A line that is not valid UTF-8 is given as `invalid` (never with characters silently
 *   replaced), with its number, so that the caller reports it and goes on.
 * - A line longer than `maxBytes` is not kept in memory: it is given as `tooLong` with its
 *   length once its end is found.
 */
export interface Line {
  /** 1-based. */
  number: number;
  /** Bytes of the line, its end of line included. */
  bytes: number;
  text?: string;
  invalid?: true;
  tooLong?: true;
}

const NEWLINE = 0x0a;

export async function* textLines(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<Line> {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let pieces: Buffer[] = [];
  let length = 0;
  let overflow = false;
  let number = 0;
  let utf16: TextDecoder | undefined;

  function* take(chunk: Buffer): Generator<Line> {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end < 0 ? chunk.length : end + 1);
      length += piece.length;
      if (length > maxBytes) {
        overflow = true;
        pieces = [];
      } else if (piece.length) pieces.push(piece);
      if (end < 0) return;
      yield line();
      start = end + 1;
    }
  }

  function line(): Line {
    number++;
    const result: Line = { number, bytes: length };
    if (overflow) result.tooLong = true;
    else {
      let bytes = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, length);
      if (bytes[bytes.length - 1] === NEWLINE)
        bytes = bytes.subarray(0, bytes.length - (bytes[bytes.length - 2] === 0x0d ? 2 : 1));
      try {
        result.text = strict.decode(bytes);
      } catch {
        result.invalid = true;
      }
    }
    pieces = [];
    length = 0;
    overflow = false;
    return result;
  }

  /** The first bytes, until there are enough to tell the encoding by. */
  let head: Buffer | undefined = Buffer.alloc(0);
  function* feed(bytes: Buffer): Generator<Line> {
    let chunk = bytes;
    if (head) {
      chunk = Buffer.concat([head, chunk]);
      if (chunk.length < 4 && !ended) {
        head = chunk;
        return;
      }
      head = undefined;
      const encoding = encodingOf(chunk);
      if (encoding === 'utf-8-bom') chunk = chunk.subarray(3);
      else if (encoding) utf16 = new TextDecoder(encoding); // drops its BOM itself
    }
    if (utf16) chunk = Buffer.from(utf16.decode(chunk, { stream: true }));
    yield* take(chunk);
  }
  let ended = false;
  for await (const raw of input) yield* feed(typeof raw === 'string' ? Buffer.from(raw) : raw);
  ended = true;
  yield* feed(Buffer.alloc(0));
  if (utf16) yield* take(Buffer.from(utf16.decode()));
  if (length || pieces.length || overflow) yield line();
}

function encodingOf(start: Buffer): 'utf-8-bom' | 'utf-16le' | 'utf-16be' | undefined {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 'utf-8-bom';
  if (start[0] === 0xff && start[1] === 0xfe) return 'utf-16le';
  if (start[0] === 0xfe && start[1] === 0xff) return 'utf-16be';
  if (start.length >= 2 && start[0] > 0 && start[0] < 0x80 && start[1] === 0) return 'utf-16le';
  if (start.length >= 2 && start[0] === 0 && start[1] > 0 && start[1] < 0x80) return 'utf-16be';
  return undefined;
}
