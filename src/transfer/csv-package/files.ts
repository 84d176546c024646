import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix } from 'node:path';
import * as yauzl from 'yauzl';
import { ENTITIES } from '../../hsds/entities';
import { CsvError, csvRecords } from '../../common/csv';
import { CsvPackageError, DESCRIPTOR, fileNamesOf } from './names';

/** The files of a package being read, in a folder or a zip. */

export interface PackageFiles {
  has(file: string): boolean;
  /** Every file of the package (at its root, for a folder), by its path in it. */
  list(): string[];
  /** The file's text, in chunks. */
  open(file: string): Promise<AsyncIterable<string>>;
  close(): void;
}

/** A resource path must name a file inside the package (Data Package spec). */
export function safePath(file: string): boolean {
  return (
    file !== '' &&
    !isAbsolute(file) &&
    !/^[a-z][a-z0-9+.-]*:/i.test(file) &&
    !file.split(/[\\/]/).includes('..')
  );
}

export async function openPackage(path: string): Promise<PackageFiles> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CsvPackageError(`${path}: no such folder or zip file`);
  if (info.isDirectory()) return folderFiles(path);
  if (basename(path) === DESCRIPTOR) return folderFiles(dirname(path));
  return zipFiles(path);
}

async function folderFiles(dir: string): Promise<PackageFiles> {
  const isFile = async (file: string) =>
    (await stat(join(dir, file)).catch(() => undefined))?.isFile() ?? false;
  // The files worth knowing about up front: the descriptor and the known table names.
  const known = [DESCRIPTOR, ...ENTITIES.flatMap(fileNamesOf)];
  const present = new Set<string>();
  for (const file of known) if (await isFile(file)) present.add(file);
  const all = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  return {
    has: (file) => present.has(file),
    list: () => all,
    open: async (file) => {
      if (!present.has(file) && !(await isFile(file))) throw missing(file);
      return createReadStream(join(dir, file), { encoding: 'utf8' });
    },
    close: () => undefined,
  };
}

/**
 * A zip read in place: the central directory says where each entry is, and an entry is
 * inflated as a stream when it is read, so nothing is extracted and nothing held whole.
 * A zip of the package's folder (entries under one directory) is read the same.
 */
async function zipFiles(path: string): Promise<PackageFiles> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new CsvPackageError(`${path}: not a zip file or a folder (${(error as Error).message})`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
    }
  } catch (error) {
    zip.close();
    throw new CsvPackageError(`${path}: unreadable zip (${(error as Error).message})`);
  }
  const bomb = zipBomb([...entries.values()]);
  if (bomb) {
    zip.close();
    throw new CsvPackageError(`${path}: ${bomb}`);
  }
  // The package's root: where datapackage.json is, else where a known CSV is (shallowest).
  const known = new Set(ENTITIES.flatMap(fileNamesOf));
  const depth = (name: string) => name.split('/').length;
  const names = [...entries.keys()].sort((a, b) => depth(a) - depth(b));
  const anchor =
    names.find((name) => posix.basename(name) === DESCRIPTOR) ??
    names.find((name) => known.has(posix.basename(name)));
  const root = anchor && posix.dirname(anchor) !== '.' ? `${posix.dirname(anchor)}/` : '';
  const entryOf = (file: string) => entries.get(root + posix.normalize(file.replace(/\\/g, '/')));
  const listed = [...entries.keys()]
    .filter((name) => name.startsWith(root) && !/(^|\/)__MACOSX\//.test(name))
    .map((name) => name.slice(root.length))
    .sort();
  return {
    has: (file) => entryOf(file) !== undefined,
    list: () => listed,
    open: async (file) => {
      const entry = entryOf(file);
      if (!entry) throw missing(file);
      const stream = await zip.openReadStreamPromise(entry);
      stream.setEncoding('utf8');
      return stream as AsyncIterable<string>;
    },
    close: () => zip.close(),
  };
}

/** What a zip of CSV files may expand to: an entry, all of them, and an entry's ratio. */
export const ZIP_BOUNDS = { entryBytes: 1 << 30, totalBytes: 4 * (1 << 30), ratio: 200 };

/**
 * Why a zip is refused unread, if it is: an entry that expands past its bound or far more
 * than CSV text compresses (a zip bomb), by the sizes its central directory declares
 * (yauzl checks, as it inflates, that an entry is no larger than declared).
 */
function zipBomb(entries: yauzl.Entry[]): string | undefined {
  const mb = (n: number) => `${Math.round(n / (1 << 20))} MB`;
  let total = 0;
  for (const entry of entries) {
    const { uncompressedSize: size, compressedSize: packed } = entry;
    total += size;
    if (size > ZIP_BOUNDS.entryBytes)
      return `${entry.fileName} expands to ${mb(size)}, more than the ${mb(ZIP_BOUNDS.entryBytes)} a file of a package may`;
    if (size > 1 << 20 && size > ZIP_BOUNDS.ratio * Math.max(packed, 1))
      return (
        `${entry.fileName} expands ${Math.round(size / Math.max(packed, 1))} times (${mb(size)}), ` +
        `more than CSV text compresses (at most ${ZIP_BOUNDS.ratio} times): refused unread`
      );
  }
  if (total > ZIP_BOUNDS.totalBytes)
    return `its files expand to ${mb(total)}, more than the ${mb(ZIP_BOUNDS.totalBytes)} a package may`;
  return undefined;
}

const missing = (file: string) =>
  new CsvPackageError(`${file}: listed in ${DESCRIPTOR} but not in the package`);

/** The longest line of a CSV file read. */
const MAX_LINE_CHARS = 16 << 20;

/**
 * The records of a CSV file with the line each starts on. Lines are handed to the parser
 * one at a time, so that when it returns a record the line it ended on is known; a record
 * starts as many lines earlier as it has line breaks in its quoted fields.
 */
export async function* numberedRecords(
  chunks: AsyncIterable<string>,
  file: string,
): AsyncGenerator<{ fields: string[]; line: number }> {
  let line = 0;
  async function* lines(): AsyncGenerator<string> {
    let rest = '';
    for await (const chunk of chunks) {
      const text = rest + chunk;
      if (text.length > MAX_LINE_CHARS && text.indexOf('\n') < 0)
        throw new CsvPackageError(
          `${file}: line ${line + 1} is longer than ${MAX_LINE_CHARS >> 20} M characters: not a CSV file of records`,
        );
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        line++;
        yield text.slice(start, end + 1);
        start = end + 1;
      }
      rest = text.slice(start);
    }
    if (rest !== '') {
      line++;
      yield rest;
    }
  }
  try {
    for await (const batch of csvRecords(lines(), file)) {
      for (const fields of batch) {
        let breaks = 0;
        for (const field of fields) {
          for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) breaks++;
        }
        yield { fields, line: line - breaks };
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvPackageError(error.message);
    throw error;
  }
}
