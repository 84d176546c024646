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

/** A piece of a line: all of it, or (for a long line) a part, `end` on its last. */
export interface Piece {
  number: number;
  /** Bytes of the input this piece covers. */
  bytes: number;
  /** Its text; undefined once the line has proved not to be UTF-8. */
  text?: string;
  end: boolean;
  invalid?: true;
}

const NEWLINE = 0x0a;

/** The lines of the input, each whole up to `maxBytes` (see Line). */
export async function* textLines(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<Line> {
  let parts: string[] = [];
  let length = 0;
  let bytes = 0;
  let invalid = false;
  for await (const piece of textPieces(input)) {
    bytes += piece.bytes;
    if (piece.invalid) invalid = true;
    if (piece.text !== undefined && length <= maxBytes) {
      length += Buffer.byteLength(piece.text);
      if (length <= maxBytes) parts.push(piece.text);
      else parts = [];
    }
    if (!piece.end) continue;
    const line: Line = { number: piece.number, bytes };
    if (invalid) line.invalid = true;
    else if (length > maxBytes) line.tooLong = true;
    else line.text = parts.join('');
    yield line;
    parts = [];
    length = 0;
    bytes = 0;
    invalid = false;
  }
}

/**
 * The input as pieces of its lines (at most about `pieceBytes` each), decoded as they come:
 * what reads a value spread over one very long line without holding it.
 */
export async function* textPieces(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  pieceBytes = 1 << 20,
): AsyncGenerator<Piece> {
  let strict = new TextDecoder('utf-8', { fatal: true });
  let parts: string[] = [];
  let pending = 0;
  let bytes = 0;
  let invalid = false;
  let number = 1;
  let utf16: TextDecoder | undefined;
  let seen = false;

  /** A line has begun and not ended. */
  let open = false;
  function* segment(bytesOf: Buffer, end: boolean): Generator<Piece> {
    bytes += bytesOf.length;
    open = !end;
    if (!invalid) {
      try {
        let text = strict.decode(bytesOf, { stream: !end });
        if (!seen && text.length) {
          seen = true;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM the decoder kept
        }
        parts.push(text);
        pending += bytesOf.length;
      } catch {
        invalid = true;
        parts = [];
        strict = new TextDecoder('utf-8', { fatal: true });
      }
    }
    if (!end && pending < pieceBytes) return;
    let text = invalid ? undefined : parts.join('');
    if (end && text !== undefined) text = text.replace(/\r?\n$/, '');
    yield { number, bytes, text, end, ...(invalid ? { invalid: true as const } : {}) };
    parts = [];
    pending = 0;
    bytes = 0;
    if (end) {
      number++;
      invalid = false;
      strict = new TextDecoder('utf-8', { fatal: true });
    }
  }

  function* take(chunk: Buffer): Generator<Piece> {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) {
        if (start < chunk.length) yield* segment(chunk.subarray(start), false);
        return;
      }
      yield* segment(chunk.subarray(start, end + 1), true);
      start = end + 1;
    }
  }

  /** The first bytes, until there are enough to tell the encoding by. */
  let head: Buffer | undefined = Buffer.alloc(0);
  let ended = false;
  function* feed(bytesIn: Buffer): Generator<Piece> {
    let chunk = bytesIn;
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
  for await (const raw of input) yield* feed(typeof raw === 'string' ? Buffer.from(raw) : raw);
  ended = true;
  yield* feed(Buffer.alloc(0));
  if (utf16) yield* take(Buffer.from(utf16.decode()));
  if (open) yield* segment(Buffer.alloc(0), true);
}

function encodingOf(start: Buffer): 'utf-8-bom' | 'utf-16le' | 'utf-16be' | undefined {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 'utf-8-bom';
  if (start[0] === 0xff && start[1] === 0xfe) return 'utf-16le';
  if (start[0] === 0xfe && start[1] === 0xff) return 'utf-16be';
  if (start.length >= 2 && start[0] > 0 && start[0] < 0x80 && start[1] === 0) return 'utf-16le';
  if (start.length >= 2 && start[0] === 0 && start[1] > 0 && start[1] < 0x80) return 'utf-16be';
  return undefined;
}
