import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listen, send, TestServer } from './feed-server';

/**
 * The official ORUK validator's own mock feeds (its OpenReferralApi/Mocks/V3.0-UK-* files,
 * never committed here: read from ORUK_VALIDATOR_MOCKS_DIR, which .ci/run sets, or beside
 * ORUK_SCHEMA_DIR in the shared folder), served as its mock controller serves them: one file
 * per path, whatever the page or the id, 200; a path without a file, an empty 404.
 */
export const MOCKS_DIR =
  process.env.ORUK_VALIDATOR_MOCKS_DIR ??
  (process.env.ORUK_SCHEMA_DIR
    ? join(dirname(dirname(process.env.ORUK_SCHEMA_DIR)), 'validator-mocks')
    : undefined);

export const MOCKS_AVAILABLE = Boolean(MOCKS_DIR && existsSync(MOCKS_DIR));

/** The mock controller's routes: ORUK path (with {id}) → file. */
const ROUTES: [RegExp, string][] = [
  [/^\/$/, 'api_details.json'],
  [/^\/services$/, 'service_list.json'],
  [/^\/services\/[^/]+$/, 'service_full.json'],
  [/^\/taxonomies$/, 'taxonomy_list.json'],
  [/^\/taxonomies\/[^/]+$/, 'taxonomy.json'],
  [/^\/taxonomy_terms$/, 'taxonomy_term_list.json'],
  [/^\/taxonomy_terms\/[^/]+$/, 'taxonomy_term.json'],
  [/^\/service_at_locations$/, 'service_at_location_list.json'],
  [/^\/service_at_locations\/[^/]+$/, 'service_at_location_full.json'],
];
/** Only the default set has organization routes (the others answer an empty 404). */
const DEFAULT_ONLY: [RegExp, string][] = [
  [/^\/organizations$/, 'organization_list.json'],
  [/^\/organizations\/[^/]+$/, 'organization.json'],
];

export function serveMocks(set: 'Default' | 'Warn' | 'Fail'): Promise<TestServer> {
  const folder = join(MOCKS_DIR!, `V3.0-UK-${set}`);
  const routes = set === 'Default' ? [...ROUTES, ...DEFAULT_ONLY] : ROUTES;
  return listen((url, res) => {
    const path = url.pathname.replace(/(.)\/+$/, '$1');
    const file = routes.find(([pattern]) => pattern.test(path))?.[1];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    if (!existsSync(join(folder, file))) {
      send(res, 404, { error: 'Mock file not found', file });
      return;
    }
    send(res, 200, readFileSync(join(folder, file), 'utf8'));
  });
}
