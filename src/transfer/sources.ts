import { createReadStream, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { parseJson } from '../feed/client';
import { readCsvPackage } from './csv-package/read';
import { CompanionTaxonomies, Doc, kindOf, SourceDocument } from './documents';
import { isV1Page, isV1Service, v1PageContents } from './v1/detect';
import { isUuid, scopeFeed, uuidFor } from './ids';
import { canonicalUuid } from '../hsds/uuid';
import { fromV1Service } from './v1/mapper';
import { Element, ElementSplitter } from './json-elements';
import { Line, Piece, textPieces } from './text-lines';
import { VENDOR_KEYS, vendorExtras } from './vendors';

export interface SourceOptions {
  /** Read every document as ORUK v1 (default: detect each document's version). */
  fromV1?: boolean;
  /**
   * Where ids that are not UUIDs come from, for the stable UUIDs derived from them
   * (src/transfer/ids.ts): the same scope and id give the same UUID on every import.
   */
  idScope?: string;
  /** Largest JSON value read whole: a file that is not ndjson, or an ndjson line (MAX_JSON_BYTES). */
  maxJsonBytes?: number;
  /** Told of what the input holds that is not read (e.g. a file of a CSV package). */
  onWarning?: (at: string, message: string) => void;
}

/** An import's input and how far through it the reading is (for a progress bar). */
export interface Source {
  documents: AsyncIterable<SourceDocument>;
  /** Bytes in all, when known, and bytes read so far. */
  size?: number;
  read(): number;
}

/**
 * Opens what `import` is given: a file or a folder of JSON or ndjson files, a CSV data
 * package (a folder or a .zip with datapackage.json), an http(s) URL of JSON or ndjson, or
 * `-` for standard input.
 * JSON may hold one full service, an array of them, or an ORUK page envelope (v3 or v1);
 * ndjson holds one such value a line and is streamed, in constant memory.
 */
export async function openSource(input: string, options: SourceOptions = {}): Promise<Source> {
  if (/^https?:\/\//i.test(input)) return openUrl(input, options);
  if (input === '-') {
    const counter = new ByteCounter();
    const documents = jsonDocuments(process.stdin, 'stdin', {
      counter,
      ndjson: false,
      idScope: options.idScope ?? 'local',
      fromV1: options.fromV1,
      maxBytes: options.maxJsonBytes,
    });
    return { documents, read: () => counter.bytes };
  }
  let stat;
  try {
    stat = statSync(input);
  } catch {
    throw new Error(`${input}: no such file, folder or URL`);
  }
  const counter = new ByteCounter();
  if (stat.isDirectory() || extname(input).toLowerCase() === '.zip') {
    // A folder of CSV files (with or without datapackage.json) is a tabular data package.
    const isPackage =
      !stat.isDirectory() ||
      (await readdir(input)).some((f) => f === 'datapackage.json' || /\.csv$/i.test(f));
    if (isPackage) {
      const documents = readCsvPackage(input, {
        idScope: options.idScope ?? 'local',
        onWarning: options.onWarning,
      });
      return { documents, read: () => 0 };
    }
    const files = (await readdir(input))
      .filter((f) => /\.(json|ndjson|jsonl)$/i.test(f))
      .sort()
      .map((f) => join(input, f));
    if (!files.length) throw new Error(`${input}: no .json, .ndjson or datapackage.json in it`);
    const size = files.reduce((sum, f) => sum + statSync(f).size, 0);
    async function* all(): AsyncGenerator<SourceDocument> {
      for (const file of files) yield* fileDocuments(file, counter, options);
    }
    return { documents: all(), size, read: () => counter.bytes };
  }
  return {
    documents: fileDocuments(input, counter, options),
    size: stat.size,
    read: () => counter.bytes,
  };
}

function fileDocuments(
  file: string,
  counter: ByteCounter,
  options: SourceOptions,
): AsyncGenerator<SourceDocument> {
  return jsonDocuments(createReadStream(file), basename(file), {
    counter,
    ndjson: /\.(ndjson|jsonl)$/i.test(file),
    idScope: options.idScope ?? 'local',
    fromV1: options.fromV1,
    maxBytes: options.maxJsonBytes,
  });
}

async function openUrl(url: string, options: SourceOptions): Promise<Source> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json, application/x-ndjson' },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new Error(`${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const counter = new ByteCounter();
  const stream = Readable.fromWeb(response.body);
  const length = Number(response.headers.get('content-length'));
  return {
    documents: jsonDocuments(stream, url, {
      counter,
      ndjson: /ndjson|jsonl/.test(response.headers.get('content-type') ?? ''),
      idScope: options.idScope ?? url,
      fromV1: options.fromV1,
      maxBytes: options.maxJsonBytes,
    }),
    size: length > 0 ? length : undefined,
    read: () => counter.bytes,
  };
}

/** Roughly how much of the input has been read (characters of the lines, for progress). */
class ByteCounter {
  bytes = 0;
}

/** Largest JSON value read whole (a file that is not ndjson, or one ndjson line), by default. */
export const MAX_JSON_BYTES = 100 << 20;

/** Deepest nesting of objects and arrays a document may have (HSDS needs about a dozen). */
export const MAX_DEPTH = 64;

/**
 * The documents in JSON or ndjson text (UTF-8, or UTF-16 by its byte order mark: see
 * ./text-lines.ts). ndjson when the caller says so, or when the first line is a whole JSON
 * value and more follow; otherwise the text is one JSON value. An array, or a page envelope
 * whose `contents` (v1: `content`) is one, is read an element at a time, in constant memory
 * whatever its size (./json-elements.ts); any other value is read whole, up to `maxBytes`.
 * An ndjson line or an element that is not JSON or longer than `maxBytes`, and an ndjson
 * line that is not UTF-8, is reported as unreadable where it is, and reading goes on; in
 * one JSON value, bytes that are not UTF-8 stop the reading there, reported.
 */
export async function* jsonDocuments(
  input: AsyncIterable<Buffer | string>,
  name: string,
  options: {
    ndjson: boolean;
    idScope: string;
    fromV1?: boolean;
    counter?: ByteCounter;
    maxBytes?: number;
  },
): AsyncGenerator<SourceDocument> {
  const maxBytes = options.maxBytes ?? MAX_JSON_BYTES;
  const mb = `${Math.round(maxBytes / (1 << 20))} MB`;
  const toDocuments = documentsOf(options);
  const whole = new WholeValue(name, maxBytes, mb, toDocuments);
  let mode: 'ndjson' | 'whole' | undefined = options.ndjson ? 'ndjson' : undefined;
  /** The line being read, as far as `maxBytes`. */
  let parts: string[] = [];
  let length = 0;
  let tooLong = false;
  let invalid = false;
  /** The first line that is not blank, while the form is still undecided. */
  let first: Line | undefined;
  for await (const piece of textPieces(input)) {
    if (options.counter) options.counter.bytes += piece.bytes;
    if (mode === 'whole') {
      yield* whole.feed(piece);
      continue;
    }
    if (piece.invalid) invalid = true;
    if (piece.text !== undefined && !tooLong) {
      length += piece.text.length;
      if (length > maxBytes) {
        tooLong = true;
        if (mode === undefined) {
          // No ndjson line is this long: one JSON value, read as it comes.
          mode = 'whole';
          if (first) yield* whole.feed(pieceOf(first));
          yield* whole.feed({ ...piece, text: invalid ? undefined : parts.join('') + piece.text });
          parts = [];
          continue;
        }
        parts = [];
      } else parts.push(piece.text);
    }
    if (mode === undefined && !first && /^\s*\[/.test(parts[0] ?? '')) {
      // An array: one JSON value, read as it comes.
      mode = 'whole';
      yield* whole.feed({ ...piece, text: parts.join('') });
      parts = [];
      continue;
    }
    if (!piece.end) continue;
    const line: Line = { number: piece.number, bytes: 0 };
    if (invalid) line.invalid = true;
    else if (tooLong) line.tooLong = true;
    else line.text = parts.join('');
    parts = [];
    length = 0;
    tooLong = invalid = false;
    if (line.text !== undefined && !line.text.trim()) continue;
    const at = `${name}:${line.number}`;
    if (mode === 'ndjson') {
      yield* parseLine(line, at, toDocuments, mb);
    } else if (!first) {
      first = line;
    } else if (first.text !== undefined && isJsonValue(first.text)) {
      // Two lines, the first a whole value: ndjson.
      mode = 'ndjson';
      yield* parseLine(first, `${name}:${first.number}`, toDocuments, mb);
      yield* parseLine(line, at, toDocuments, mb);
    } else {
      mode = 'whole';
      yield* whole.feed(pieceOf(first));
      yield* whole.feed(pieceOf(line));
    }
  }
  if (mode === 'ndjson' || (!mode && !first)) return;
  if (!mode) yield* whole.feed(pieceOf(first!));
  yield* whole.end();
}

const pieceOf = (line: Line): Piece => ({
  number: line.number,
  bytes: 0,
  text: line.text,
  end: true,
  ...(line.invalid ? { invalid: true as const } : {}),
});

/** One JSON value that is not ndjson: split into its elements when it has them, else read whole. */
class WholeValue {
  private readonly splitter: ElementSplitter;
  private collected: string[] = [];
  private length = 0;
  private problem: string | undefined;

  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
    private readonly mb: string,
    private readonly toDocuments: (value: unknown, at: string) => Generator<SourceDocument>,
  ) {
    this.splitter = new ElementSplitter(maxBytes);
  }

  *feed(piece: Piece): Generator<SourceDocument> {
    if (this.problem) return;
    if (piece.invalid || piece.text === undefined) {
      this.problem = `line ${piece.number} is not UTF-8 text: not read`;
      return;
    }
    const text = piece.end ? `${piece.text}\n` : piece.text;
    for (const element of this.splitter.feed(text)) yield* this.element(element);
    if (this.splitter.split) {
      this.collected = [];
      return;
    }
    this.length += text.length;
    if (this.length > this.maxBytes) {
      this.problem =
        `larger than ${this.mb} as one JSON value: give it as ndjson (one record a line), ` +
        'or raise --max-json-mb';
      this.collected = [];
    } else this.collected.push(text);
  }

  *end(): Generator<SourceDocument> {
    if (this.problem) {
      yield unreadable(this.name, this.problem);
      return;
    }
    if (this.splitter.split) {
      const problem =
        this.splitter.problem ?? (this.splitter.unfinished ? 'the text ends too soon' : undefined);
      if (problem) yield unreadable(this.name, `not JSON: ${problem}`);
      return;
    }
    const parsed = parseJson(this.collected.join(''));
    this.collected = [];
    if ('problem' in parsed) yield unreadable(this.name, parsed.problem);
    else yield* this.toDocuments(parsed.value, this.name);
  }

  private *element(element: Element): Generator<SourceDocument> {
    const at = `${this.name}[${element.index}]`;
    if (element.tooLong) {
      yield unreadable(at, `larger than ${this.mb}: not read`);
      return;
    }
    const parsed = parseJson(element.text!);
    if ('problem' in parsed) yield unreadable(at, parsed.problem);
    else if (!isObject(parsed.value)) yield unreadable(at, 'not a JSON object');
    else yield* this.toDocuments(parsed.value, at);
  }
}

const isJsonValue = (text: string): boolean => 'value' in parseJson(text);

function* parseLine(
  line: Line,
  at: string,
  toDocuments: (value: unknown, at: string) => Generator<SourceDocument>,
  mb: string,
): Generator<SourceDocument> {
  if (line.tooLong || line.invalid) {
    yield unreadable(
      at,
      line.tooLong ? `a line longer than ${mb}: not read` : 'not UTF-8 text: not read',
    );
    return;
  }
  const parsed = parseJson(line.text!);
  if ('problem' in parsed) yield unreadable(at, parsed.problem);
  else yield* toDocuments(parsed.value, at);
}

function unreadable(at: string, problem: string): SourceDocument {
  return { kind: 'service', doc: {}, at, problem };
}

/**
 * The documents in one JSON value: an array of them, a v3 (`contents`) or v1 (`content`)
 * page envelope, or one document. ORUK v1 services are mapped to 3.0 (src/transfer/v1.ts),
 * their taxonomies first, each term once per import (CompanionTaxonomies).
 */
export function documentsOf(options: {
  idScope: string;
  fromV1?: boolean;
}): (value: unknown, at: string) => Generator<SourceDocument> {
  const companions = new CompanionTaxonomies();
  /** Services without an id, by name: how many so far (each gets an id of its own). */
  const nameless = new Map<string, number>();
  return function* toDocuments(value, at) {
    const items = Array.isArray(value)
      ? value
      : isV1Page(value)
        ? v1PageContents(value)
        : isObject(value) && Array.isArray(value.contents)
          ? value.contents
          : [value];
    const many = items.length !== 1 || items[0] !== value;
    for (const [i, item] of items.entries()) {
      const where = many ? `${at}[${i}]` : at;
      if (!isObject(item)) {
        yield unreadable(where, 'not a JSON object');
        continue;
      }
      if (deeperThan(item, MAX_DEPTH)) {
        yield unreadable(where, `nested more than ${MAX_DEPTH} levels deep: not read`);
        continue;
      }
      const scope = options.idScope;
      if (options.fromV1 || isV1Service(item)) {
        let rank = 1;
        if (item.id === undefined || item.id === null || item.id === '') {
          const name = JSON.stringify(item.name ?? '');
          rank = (nameless.get(name) ?? 0) + 1;
          nameless.set(name, rank);
        }
        const { service, taxonomies, changes } = fromV1Service(item, scope, rank);
        yield* companions.documents(taxonomies, where, scope);
        // A v1 id that is not a UUID stays where a reader can see it: the provenance.
        const given =
          typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : '';
        const origin =
          given && !isUuid(given) ? { feed: scopeFeed(scope), sourceId: given } : undefined;
        yield { kind: 'service', doc: service, at: where, scope, changes, origin };
        continue;
      }
      const kind = kindOf(item) ?? 'service';
      if (kind === 'service' && VENDOR_KEYS.some((key) => key in item)) {
        // A 3.0 record with the vendor extras of its product: mapped where 3.0 has a home.
        const id =
          typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : '';
        const vendor = vendorExtras(
          item,
          canonicalUuid(id) ?? (id ? uuidFor(`${scope}:service`, id) : undefined),
          scope,
        );
        const doc: Doc = Object.fromEntries(
          Object.entries(item).filter(([key]) => !VENDOR_KEYS.includes(key)),
        );
        for (const [key, value] of Object.entries(vendor.fields)) doc[key] ??= value;
        if (vendor.attributes.length)
          doc.attributes = [...((doc.attributes as Doc[] | undefined) ?? []), ...vendor.attributes];
        yield* companions.documents(vendor.taxonomy ? [vendor.taxonomy] : [], where, scope);
        yield { kind, doc, at: where, scope, changes: vendor.changes };
        continue;
      }
      yield { kind, doc: item, at: where, scope };
    }
  };
}

/** Whether objects and arrays nest deeper than `max` in `value` (without recursion). */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
