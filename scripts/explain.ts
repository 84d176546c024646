import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ORGANIZATIONS } from '../src/api/organizations.controller';
import { pageSize } from '../src/api/page';
import { AnyResource } from '../src/api/resource';
import { SERVICE_AT_LOCATIONS } from '../src/api/service-at-locations.controller';
import { SERVICES } from '../src/api/services.controller';
import { TAXONOMIES } from '../src/api/taxonomies.controller';
import { TAXONOMY_TERMS } from '../src/api/taxonomy-terms.controller';
import { loadConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { Lists } from '../src/search/lists';
import { RecordReader } from '../src/search/record-reader';
import { DataSource } from 'typeorm';

/**
 * npm run explain -- [/path?query …]: EXPLAIN (ANALYZE, BUFFERS) of the statements the
 * server runs for each list request (default: one request per filter), on DATABASE_URL,
 * printing for each the indexes it uses, its time, and with --plans the whole plan.
 * Fill a database first with `npm run seed:synthetic -- --services 100000`.
 */
const RESOURCES: Record<string, AnyResource> = Object.fromEntries(
  [SERVICES, SERVICE_AT_LOCATIONS, ORGANIZATIONS, TAXONOMIES, TAXONOMY_TERMS].map((r) => [
    `/${r.path}`,
    r,
  ]),
);

/** The EXPLAIN (ANALYZE, BUFFERS) of one statement a list request runs. */
export interface Explained {
  statement: 'items' | 'count';
  /** Execution time, in ms. */
  ms: number;
  indexes: string[];
  lines: string[];
}

/**
 * The statements the server runs for a list request (`/path?query`), explained. Without
 * `timing`, PostgreSQL does not time each node (which inflates plans of many rows, such as
 * ranking every match, several times over): the execution time is then close to the real.
 */
export async function explainRequest(
  db: DataSource,
  request: string,
  {
    reader = new RecordReader(db),
    lists = new Lists(db),
    timing = true,
  }: { reader?: RecordReader; lists?: Lists; timing?: boolean } = {},
): Promise<Explained[]> {
  const [path, search = ''] = request.split('?');
  if (!RESOURCES[path])
    throw new Error(`${path}: not a list (${Object.keys(RESOURCES).join(', ')})`);
  const { list } = RESOURCES[path];
  const query = plainToInstance(list.query, Object.fromEntries(new URLSearchParams(search)));
  const errors = validateSync(query, { whitelist: true });
  if (errors.length) throw new Error(`${request}: ${errors.map(String).join('; ')}`);
  const { plan, shape } = await lists.plan(list, query);
  const [items, count] = reader.pageStatements(shape, plan, {
    page: query.page,
    per_page: pageSize(query),
  });
  const explained: Explained[] = [];
  for (const [statement, [sql, params]] of [
    ['items', items],
    ['count', count],
  ] as const) {
    const rows = await db.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS${timing ? '' : ', TIMING OFF'}) ${sql}`,
      params,
    );
    const lines = rows.map((r) => r['QUERY PLAN']);
    const indexes = [
      ...new Set(lines.flatMap((l) => /(?:using|on) "?(IDX_\w+|PK_\w+)/i.exec(l)?.[1] ?? [])),
    ];
    const time = lines.find((l) => l.startsWith('Execution Time')) ?? '';
    explained.push({ statement, ms: Number(/([\d.]+) ms/.exec(time)?.[1]), indexes, lines });
  }
  return explained;
}

async function main(args: string[]): Promise<void> {
  const url = loadConfig().DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to the database to explain on');
  const db = await createDataSource(url).initialize();
  const reader = new RecordReader(db);
  const lists = new Lists(db);
  const plans = args.includes('--plans');
  try {
    const requests = args.filter((a) => a.startsWith('/'));
    for (const request of requests.length ? requests : await defaults(db)) {
      console.log(`\n${request}`);
      for (const { statement, ms, indexes, lines } of await explainRequest(db, request, {
        reader,
        lists,
      })) {
        console.log(
          `  ${statement}: Execution Time: ${ms} ms; indexes: ${indexes.join(', ') || 'none'}`,
        );
        if (plans) console.log(lines.map((l) => `    ${l}`).join('\n'));
      }
    }
  } finally {
    await db.destroy();
  }
}

/** One request per filter, with values taken from the data. */
async function defaults(db: DataSource) {
  const [term] = await db.query<{ id: string }[]>(
    `SELECT t.id FROM taxonomy_term t WHERE t.parent_id IS NULL AND EXISTS (SELECT 1 FROM taxonomy_term c WHERE c.parent_id = t.id) LIMIT 1`,
  );
  const [taxonomy] = await db.query<{ id: string }[]>(
    `SELECT id FROM taxonomy ORDER BY name LIMIT 1`,
  );
  const [organization] = await db.query<{ id: string }[]>(
    `SELECT organization_id AS id FROM service ORDER BY name LIMIT 1`,
  );
  const [place] = await db.query<{ latitude: number; longitude: number }[]>(
    `SELECT latitude, longitude FROM location WHERE latitude IS NOT NULL ORDER BY id LIMIT 1`,
  );
  const week = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const near = `lat=${place.latitude}&long=${place.longitude}&proximity=2000`;
  return [
    '/services',
    '/services?page=1000',
    '/services?search=advice',
    '/services?search=counseling',
    '/services?search=domsetic',
    `/services?taxonomy_term_id=${term.id}`,
    `/services?taxonomy_id=${taxonomy.id}`,
    `/services?organization_id=${organization.id}`,
    `/services?modified_after=${week}`,
    '/services?minimum_age=18',
    '/services?maximum_age=16',
    '/services?day=SA&start_time=10:00&end_time=12:00',
    `/services?${near}`,
    `/service_at_locations?${near}`,
    '/services?minimal=true&per_page=1000',
    '/organizations?search=trust',
    `/taxonomy_terms?search=housing`,
  ];
}

if (require.main === module)
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
