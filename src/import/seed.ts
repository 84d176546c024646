import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { importDocuments, ImportSummary } from '../transfer/importer';
import { openSource } from '../transfer/sources';

/**
 * Loads the demonstration directory in seed/data through the import every council uses
 * (src/transfer/importer.ts): taxonomies.json (taxonomies with their terms), then
 * services/*.json (full services). Idempotent: loading it again changes nothing. Our own
 * data must be valid, so the seed is strict: any rejected record fails it, storing nothing.
 */
export async function seedDatabase(db: DataSource, dir: string): Promise<ImportSummary> {
  async function* documents() {
    for (const part of ['taxonomies.json', 'services'])
      yield* (await openSource(join(dir, part))).documents;
  }
  return importDocuments(db, documents(), { strict: true });
}
