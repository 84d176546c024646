import { DataSource, QueryRunner } from 'typeorm';
import { readCsv } from '../common/csv';
import { normalisePostcode } from './postcode';

/**
 * Loads the ONS Postcode Directory (ONSPD) CSV into the postcode table: every postcode in
 * the UK with its coordinates, the local authority district and electoral ward it lies
 * in, and its termination date. The file (about 2.7 million rows, 1.3 GB) is streamed,
 * in constant memory, and upserted in batches of one statement each, so loading a newer
 * edition over an older one updates what changed. ONSPD keeps terminated postcodes, so
 * nothing is ever deleted.
 *
 * Columns are found by name in the header (case-insensitive), so any edition loads: the
 * postcode is `pcds` (else `pcd`, …), coordinates `lat` and `long`, the termination date
 * `doterm` (YYYYMM), the district `oslaua` (newer editions: `lad25cd` and the like) and the
 * ward `osward` (`wd25cd`, …). Rows without coordinates (ONSPD gives latitude 99.999999
 * to postcodes it has no grid reference for) or with a malformed postcode are skipped.
 */

export interface OnspdOptions {
  /**
   * Name lookup files: any CSV with a code column (header ending in CD, e.g. LAD23CD) and a
   * name column (ending in NM, e.g. LAD23NM). Each postcode's areas get the names of its
   * codes as well as the codes.
   */
  names?: string[];
  /** Postcodes per statement. */
  batchSize?: number;
  /** Called after each batch is stored, with the counts so far. */
  onProgress?: (counts: { loaded: number; skipped: number }) => void;
}

export interface OnspdResult {
  /** Postcodes stored: inserted, updated or found unchanged. */
  loaded: number;
  /** Of those, postcodes inserted or changed (0 when the same file is loaded again). */
  changed: number;
  /** Rows skipped: no coordinates or a malformed postcode. */
  skipped: number;
  /** Milliseconds the load took. */
  elapsed: number;
}

export const ONSPD_BATCH_SIZE = 5000;

/** Which header names hold what: first match wins. */
const COLUMNS = {
  postcode: [/^pcds$/, /^pcd$/, /^pcd[278]$/],
  latitude: [/^lat$/],
  longitude: [/^long$/],
  terminated: [/^doterm$/],
  district: [/^(oslaua|lad\d*cd)$/],
  ward: [/^(osward|wd\d*cd)$/],
};
type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ['postcode', 'latitude', 'longitude'];

/** ONS pseudo-codes such as E99999999 mean "none" (e.g. no ward): not an area. */
const PSEUDO_CODE = /^[A-Z]9{8}$/;
/** Separates the areas of one postcode in the batch parameter (cannot occur in names). */
const SEPARATOR = '\u001f';

const UPSERT = `
  INSERT INTO postcode (postcode, latitude, longitude, areas, terminated)
  SELECT p, lat, long, string_to_array(areas, chr(31)), terminated
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::date[])
    AS batch (p, lat, long, areas, terminated)
  ON CONFLICT (postcode) DO UPDATE SET
    latitude = excluded.latitude,
    longitude = excluded.longitude,
    areas = excluded.areas,
    terminated = excluded.terminated
  WHERE (postcode.latitude, postcode.longitude, postcode.areas, postcode.terminated)
    IS DISTINCT FROM (excluded.latitude, excluded.longitude, excluded.areas, excluded.terminated)`;

interface Row {
  latitude: number;
  longitude: number;
  areas: string;
  terminated: string | null;
}

/** Loads an ONSPD CSV file into the postcode table. */
export async function loadOnspd(
  db: DataSource,
  file: string,
  options: OnspdOptions = {},
): Promise<OnspdResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? ONSPD_BATCH_SIZE;
  const names = await readAreaNames(options.names ?? []);
  const counts = { loaded: 0, changed: 0, skipped: 0 };
  const runner = db.createQueryRunner();
  // One batch is stored while the next is read: at most two in memory.
  let storing: Promise<void> = Promise.resolve();
  const store = async (batch: Map<string, Row>): Promise<void> => {
    await storing;
    storing = storeBatch(runner, batch).then((changed) => {
      counts.loaded += batch.size;
      counts.changed += changed;
      options.onProgress?.({ loaded: counts.loaded, skipped: counts.skipped });
    });
    storing.catch(() => undefined); // awaited, and so thrown, before the next batch or at the end
  };
  try {
    let columns: Record<Column, number> | undefined;
    let batch = new Map<string, Row>();
    for await (const records of readCsv(file)) {
      for (const record of records) {
        if (!columns) {
          columns = findColumns(record, file);
          continue;
        }
        const postcode = normalisePostcode(record[columns.postcode] ?? '');
        const latitude = coordinate(record[columns.latitude]);
        const longitude = coordinate(record[columns.longitude]);
        if (
          !postcode ||
          !(Math.abs(latitude) <= 90) || // also NaN, and ONSPD's 99.999999 for "no grid reference"
          !(Math.abs(longitude) <= 180)
        ) {
          counts.skipped++;
          continue;
        }
        const codes = [record[columns.district], record[columns.ward]];
        batch.set(postcode, {
          latitude,
          longitude,
          areas: areasOf(codes, names).join(SEPARATOR),
          terminated: monthOf(record[columns.terminated]),
        });
        if (batch.size >= batchSize) {
          await store(batch);
          batch = new Map();
        }
      }
    }
    if (!columns) throw new Error(`${file} is empty: expected an ONSPD CSV file with a header`);
    if (batch.size) await store(batch);
    await storing;
  } finally {
    await storing.catch(() => undefined);
    await runner.release();
  }
  return { ...counts, elapsed: Math.round(performance.now() - started) };
}

/** Upserts one batch in one statement, in its own transaction. Returns the rows changed. */
async function storeBatch(runner: QueryRunner, batch: Map<string, Row>): Promise<number> {
  const rows = [...batch.values()];
  await runner.startTransaction();
  try {
    const result = await runner.query(
      UPSERT,
      [
        [...batch.keys()],
        rows.map((r) => r.latitude),
        rows.map((r) => r.longitude),
        rows.map((r) => r.areas),
        rows.map((r) => r.terminated),
      ],
      true,
    );
    await runner.commitTransaction();
    return result.affected ?? 0;
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

/**
 * Reads name lookup files into one map from code (upper case) to name. Each file is a
 * CSV whose header has pairs of columns XXCD and XXNM (e.g. LAD23CD and LAD23NM, or
 * WD23CD and WD23NM; a lookup file may have several pairs), or else exactly one column
 * ending in CD and one ending in NM. Welsh names (…NMW) are not used.
 */
export async function readAreaNames(files: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const file of files) {
    let pairs: [number, number][] | undefined;
    for await (const records of readCsv(file)) {
      for (const record of records) {
        if (!pairs) {
          pairs = namePairs(record, file);
          continue;
        }
        for (const [code, name] of pairs) {
          const key = record[code]?.trim().toUpperCase();
          const value = record[name]?.trim();
          if (key && value) names.set(key, value);
        }
      }
    }
    if (!pairs) throw new Error(`${file} is empty: expected a CSV of area codes and names`);
  }
  return names;
}

function namePairs(header: string[], file: string): [number, number][] {
  const upper = header.map((h) => h.trim().toUpperCase());
  const pairs = upper.flatMap((h, code): [number, number][] => {
    const name = h.endsWith('CD') ? upper.indexOf(`${h.slice(0, -2)}NM`) : -1;
    return name >= 0 ? [[code, name]] : [];
  });
  if (pairs.length) return pairs;
  const codes = upper.flatMap((h, i) => (h.endsWith('CD') ? [i] : []));
  const names = upper.flatMap((h, i) => (h.endsWith('NM') ? [i] : []));
  if (codes.length === 1 && names.length === 1) return [[codes[0], names[0]]];
  throw new Error(
    `${file}: expected a code column (header ending in CD, e.g. LAD23CD) and a name column ` +
      `(ending in NM, e.g. LAD23NM); the header is ${header.join(',')}`,
  );
}

function findColumns(header: string[], file: string): Record<Column, number> {
  const names = header.map((h) => h.trim().toLowerCase());
  const found = Object.fromEntries(
    Object.entries(COLUMNS).map(([column, patterns]) => {
      for (const pattern of patterns) {
        const index = names.findIndex((name) => pattern.test(name));
        if (index >= 0) return [column, index];
      }
      return [column, -1];
    }),
  ) as Record<Column, number>;
  const missing = REQUIRED.filter((column) => found[column] < 0);
  if (missing.length)
    throw new Error(
      `${file} does not look like the ONS Postcode Directory: no ${missing.join(', ')} column ` +
        `(expected pcds, lat and long in the header)`,
    );
  return found;
}

function coordinate(value: string | undefined): number {
  return value === undefined || value.trim() === '' ? NaN : Number(value);
}

/** ONSPD dates are months, YYYYMM: the first day of that month, or null. */
function monthOf(value: string | undefined): string | null {
  const match = /^(\d{4})-?(\d{2})$/.exec(value?.trim() ?? '');
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) return null;
  return `${match[1]}-${match[2]}-01`;
}

/** The lower-cased codes and names of the areas, without pseudo-codes or repeats. */
function areasOf(codes: (string | undefined)[], names: Map<string, string>): string[] {
  const areas = new Set<string>();
  const real = codes
    .map((c) => c?.trim().toUpperCase())
    .filter((c): c is string => !!c && !PSEUDO_CODE.test(c));
  for (const code of real) areas.add(code.toLowerCase());
  for (const code of real) {
    const name = names.get(code);
    if (name) areas.add(name.toLowerCase().replaceAll(SEPARATOR, ' '));
  }
  return [...areas];
}
