import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { SERVICE_FULL, Shape, TAXONOMY_FULL } from '../hsds/shapes';
import { ListPlan } from '../search/list-plan';
import { RecordReader } from '../search/record-reader';

/** What an ndjson export holds, in order: taxonomies first, so that it imports as it is. */
const EXPORTED: [table: string, shape: Shape][] = [
  ['taxonomy', TAXONOMY_FULL],
  ['service', SERVICE_FULL],
];

/**
 * The whole dataset as ndjson: every taxonomy with its terms, then every service in full
 * (as `/services/{id}` returns it), one JSON object a line, in id order, read from a
 * database cursor in constant memory. `import` reads it back as it is.
 */
export async function exportNdjson(
  db: DataSource,
  out: Writable,
): Promise<{ taxonomies: number; services: number }> {
  const reader = new RecordReader(db);
  const counts = { taxonomies: 0, services: 0 };
  for (const [table, shape] of EXPORTED) {
    for await (const lines of reader.stream(shape, new ListPlan(table, ['r.id']))) {
      counts[table === 'service' ? 'services' : 'taxonomies'] += countLines(lines);
      if (!out.write(lines)) await once(out, 'drain');
    }
  }
  return counts;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
