import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';

export type Doc = Record<string, any>;

/**
 * The seed documents as written in seed/data: the tests compute expected answers from
 * these, independently of the server's SQL.
 */
export function seedServices(): Doc[] {
  const dir = join(loadConfig().SEED_DIR, 'services');
  return readdirSync(dir)
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Doc[]);
}

export function seedTaxonomies(): Doc[] {
  return JSON.parse(readFileSync(join(loadConfig().SEED_DIR, 'taxonomies.json'), 'utf8'));
}

/** Real values from the seed for requests that need one: a postcode, a taxonomy term id. */
export function seedSamples(services: Doc[] = seedServices()): { postcode: string; term: string } {
  const postcode = services
    .flatMap((s) => s.service_at_locations as Doc[])
    .flatMap((sal) => (sal.location.addresses ?? []) as Doc[])[0].postal_code as string;
  const term = services.flatMap((s) => (s.attributes ?? []) as Doc[])[0].taxonomy_term_id as string;
  return { postcode, term };
}

/** Every id, sorted: compare sets of records without caring about order. */
export const ids = (records: Doc[]): string[] => records.map((r) => r.id as string).sort();
