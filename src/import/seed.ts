import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { LoadResult, Loader } from '../hsds/loader';
import { SERVICE_FULL, Shape, TAXONOMY_FULL } from '../hsds/shapes';

const BATCH = 200;

/**
 * Loads the demonstration directory in seed/data through the loader every import uses:
 * taxonomies.json (taxonomies with their terms), then services/*.json (full services).
 * Idempotent: loading it again changes nothing. Our own data must be valid, so any
 * rejected record fails the seed.
 */
export async function seedDatabase(
  db: DataSource,
  dir: string,
): Promise<Record<string, LoadResult>> {
  const loader = new Loader(db);
  const taxonomies = await readJsonArray(join(dir, 'taxonomies.json'));
  const services: unknown[] = [];
  const files = (await readdir(join(dir, 'services'))).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) services.push(...(await readJsonArray(join(dir, 'services', file))));
  return {
    taxonomies: await loadAll(loader, TAXONOMY_FULL, taxonomies),
    services: await loadAll(loader, SERVICE_FULL, services),
  };
}

async function loadAll(loader: Loader, shape: Shape, docs: unknown[]): Promise<LoadResult> {
  const total: LoadResult = { created: [], updated: [], unchanged: [], rejected: [] };
  for (let i = 0; i < docs.length; i += BATCH) {
    const result = await loader.load(shape, docs.slice(i, i + BATCH));
    result.rejected.forEach((r) => (r.index += i));
    for (const key of Object.keys(total) as (keyof LoadResult)[])
      (total[key] as unknown[]).push(...result[key]);
  }
  if (total.rejected.length) {
    const lines = total.rejected
      .slice(0, 10)
      .map((r) => `${r.id ?? `#${r.index}`} ${r.path}: ${r.reason}`);
    throw new Error(`Seed data has invalid ${shape.name} records:\n  ${lines.join('\n  ')}`);
  }
  return total;
}

async function readJsonArray(file: string): Promise<unknown[]> {
  const value: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!Array.isArray(value)) throw new Error(`${file} must hold a JSON array`);
  return value as unknown[];
}

export function summarise(result: LoadResult): string {
  return `${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged, ${result.rejected.length} rejected`;
}
