import { createReadStream } from 'node:fs';

/**
 * CSV (RFC 4180), both ways: a streaming reader, written for the ONS files and used for
 * CSV data packages too, and the writer of cells and records.
 *
 * The reader: the Postcode Directory is 1.3 GB of fully quoted fields, and a
 * general-purpose parser that looks at every character spends most of the load parsing (csv-parse took 110 s over 2.7 million rows; this takes about
 * 15 s). Lines are cut with indexOf, an unquoted line is split on commas, and quoted
 * fields are read from quote to quote.
 *
 * What it accepts: fields separated by commas, records by LF or CRLF; a field in double
 * quotes may contain commas, line breaks and doubled quotes (""); a UTF-8 byte order mark
 * is dropped; blank lines are skipped. A line break inside a quoted field is read as LF.
 * A quote inside an unquoted field, text after a closing quote, or a quote never closed
 * is an error naming the line.
 */

export class CsvError extends Error {}

/** A record longer than this is taken for a runaway quote rather than read into memory. */
const MAX_RECORD_LENGTH = 1 << 20;
const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;

/**
 * The records of a CSV file, in batches (one per chunk read, so that a large file costs
 * one promise per chunk rather than per row). Reading stops, and the file is closed, when
 * the caller stops iterating; a caller that is slower than the disk is not outrun.
 */
export function readCsv(file: string): AsyncGenerator<string[][]> {
  return csvRecords(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), file);
}

/** The records of CSV text given in chunks that may split it anywhere (a line, a field). */
export async function* csvRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
  source = 'CSV',
): AsyncGenerator<string[][]> {
  let rest = '';
  let line = 0;
  let first = true;
  /** The lines so far of a record whose quoted field spans lines, and where it started. */
  let pending: string | undefined;
  let pendingLine = 0;
  /** Quotes in the pending lines: odd while a quoted field is open. */
  let quotes = 0;

  const take = (text: string, records: string[][]): void => {
    line++;
    if (pending !== undefined) {
      // Parse the record only once its quotes pair up, not again at every line.
      quotes += countQuotes(text);
      text = `${pending}\n${text}`;
      if (quotes % 2) return hold(text);
    } else if (text === '') return;
    const record = parseRecord(text, source, pending === undefined ? line : pendingLine);
    if (!record) {
      if (pending === undefined) [pendingLine, quotes] = [line, countQuotes(text)];
      return hold(text);
    }
    pending = undefined;
    records.push(record);
  };
  const hold = (text: string): void => {
    if (text.length > MAX_RECORD_LENGTH)
      throw new CsvError(`${source}, line ${pendingLine}: a quoted field is never closed`);
    pending = text;
  };

  for await (const chunk of chunks) {
    let text = rest + chunk;
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const records: string[][] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      take(
        text.slice(start, end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end),
        records,
      );
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_RECORD_LENGTH)
      throw new CsvError(
        `${source}, line ${line + 1}: a line longer than ${MAX_RECORD_LENGTH} characters`,
      );
    if (records.length) yield records;
  }
  const records: string[][] = [];
  if (rest !== '' || pending !== undefined)
    take(rest.endsWith('\r') ? rest.slice(0, -1) : rest, records);
  if (pending !== undefined)
    throw new CsvError(`${source}, line ${pendingLine}: a quoted field is never closed`);
  if (records.length) yield records;
}

function countQuotes(text: string): number {
  let count = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) count++;
  return count;
}

/**
 * The fields of one record, or undefined when its last quoted field is still open (the
 * record goes on on the next line).
 */
function parseRecord(text: string, source: string, line: number): string[] | undefined {
  if (text.indexOf('"') < 0) return text.split(',');
  const fields: string[] = [];
  const length = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return undefined;
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === length) return fields;
      if (text.charCodeAt(i) !== COMMA)
        throw new CsvError(
          `${source}, line ${line}: text after the closing quote of field ${fields.length}`,
        );
      i++;
    } else {
      const comma = text.indexOf(',', i);
      const value = text.slice(i, comma < 0 ? length : comma);
      if (value.indexOf('"') >= 0)
        throw new CsvError(
          `${source}, line ${line}: a quote inside unquoted field ${fields.length + 1} (quote the field and double the quote)`,
        );
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
    if (i === length) {
      fields.push('');
      return fields;
    }
  }
}

/** RFC 4180: a cell is quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvLine(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
