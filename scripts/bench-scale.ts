import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { projectRoot } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { vacuumAnalyze } from '../src/hsds/loader';
import { BenchServer, benchServer, Page } from './bench-server';
import { Explained, explainRequest } from './explain';

/**
 * npm run bench:scale -- [--small N] [--large N] [--rounds R] [--requests K]: how list
 * requests grow with the directory (docs/scale.md). Builds, or reuses, a synthetic
 * directory of each size (databases oruk_scale_<N> on the PostgreSQL of DATABASE_URL,
 * default the local one; `npm run seed:synthetic` fills them, which takes about 25 minutes
 * for 1,000,000 services), starts the built server on each, and sends every case K times
 * on one connection to each in turn (case by case, small then large, R rounds: both see
 * the same machine). Prints the p50 of each case at each size, their ratio and the target
 * of issue 13, then the EXPLAIN ANALYZE time of each statement on the large directory
 * (the count included, which the server keeps per data version after a list's first page,
 * so that a client's p50 rarely pays it). Answers are asked fresh (`Cache-Control:
 * no-cache`): what is measured is the building of them. Defaults: 10,000 and 1,000,000
 * services, 3 rounds, 15 requests.
 */

interface Options {
  small: number;
  large: number;
  rounds: number;
  requests: number;
}

function options(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} takes a positive integer`);
    return n;
  };
  return {
    small: value('small', 10_000),
    large: value('large', 1_000_000),
    rounds: value('rounds', 3),
    requests: value('requests', 15),
  };
}

/** What a case must meet at the large size (issue 13's targets). */
type Target =
  | { kind: 'single'; ms: number; ratio: number }
  | { kind: 'ms'; ms: number }
  | { kind: 'last page' };

interface Case {
  name: string;
  target: Target;
  path: string;
}

const SINGLE: Target = { kind: 'single', ms: 15, ratio: 1.5 };
const COMBINED: Target = { kind: 'ms', ms: 60 };
const NEAR: Target = { kind: 'ms', ms: 30 };

/** The cases, with values chosen from the directory by the same rule at every size. */
async function casesFor(db: DataSource): Promise<Case[]> {
  const one = async <T>(sql: string): Promise<T> => (await db.query<T[]>(sql))[0];
  const byCount = (kind: string, order: 'ASC' | 'DESC') =>
    one<{ value: string }>(
      `SELECT value FROM list_count WHERE kind = '${kind}'
       GROUP BY value HAVING sum(n) > 0 ORDER BY sum(n) ${order}, value LIMIT 1`,
    ).then((r) => r.value);
  const common = await byCount('taxonomy_term_id', 'DESC');
  const rare = await byCount('taxonomy_term_id', 'ASC');
  const taxonomy = await byCount('taxonomy_id', 'DESC');
  const organization = await byCount('organization_id', 'DESC');
  const empty =
    (
      await db.query<{ id: string }[]>(
        `SELECT t.id FROM taxonomy_term t WHERE NOT EXISTS (
           SELECT 1 FROM service_facet f WHERE f.kind = 't' AND f.value = t.id) ORDER BY t.id LIMIT 1`,
      )
    )[0]?.id ?? '00000000-0000-4000-8000-000000000000';
  const place = await one<{ latitude: number; longitude: number; postcode: string }>(
    `SELECT l.latitude, l.longitude, a.postal_code AS postcode FROM location l
     JOIN address a ON a.location_id = l.id
     WHERE l.latitude IS NOT NULL AND a.postal_code IS NOT NULL ORDER BY l.id LIMIT 1`,
  );
  const [{ n }] = await db.query<{ n: number }[]>(
    `SELECT coalesce(sum(n), 0)::int AS n FROM list_count WHERE kind = 'service'`,
  );
  const near = `lat=${place.latitude}&long=${place.longitude}`;
  const postcode = encodeURIComponent(place.postcode);
  return [
    { name: '/services page 1', target: SINGLE, path: '/services' },
    {
      name: '/services last page',
      target: { kind: 'last page' },
      path: `/services?page=${Math.ceil(n / 50)}`,
    },
    {
      name: 'taxonomy_term_id common',
      target: SINGLE,
      path: `/services?taxonomy_term_id=${common}`,
    },
    { name: 'taxonomy_term_id rare', target: SINGLE, path: `/services?taxonomy_term_id=${rare}` },
    {
      name: 'taxonomy_term_id without services',
      target: SINGLE,
      path: `/services?taxonomy_term_id=${empty}`,
    },
    { name: 'taxonomy_id', target: SINGLE, path: `/services?taxonomy_id=${taxonomy}` },
    { name: 'organization_id', target: SINGLE, path: `/services?organization_id=${organization}` },
    { name: 'day=MO', target: SINGLE, path: '/services?day=MO' },
    { name: 'minimum_age=18', target: SINGLE, path: '/services?minimum_age=18' },
    { name: 'search common word', target: COMBINED, path: '/services?search=advice' },
    { name: 'search very common word', target: COMBINED, path: '/services?search=support' },
    { name: 'search typo', target: COMBINED, path: '/services?search=domsetic' },
    { name: 'lat/long + 2 km', target: NEAR, path: `/services?${near}&proximity=2000` },
    {
      name: 'postcode + 2 km',
      target: NEAR,
      path: `/services?postcode=${postcode}&proximity=2000`,
    },
    {
      name: 'term + 5 km + day',
      target: NEAR,
      path: `/services?taxonomy_term_id=${common}&${near}&proximity=5000&day=MO`,
    },
    {
      name: 'search + term',
      target: COMBINED,
      path: `/services?search=advice&taxonomy_term_id=${common}`,
    },
    { name: '/service_at_locations', target: SINGLE, path: '/service_at_locations' },
    {
      name: '/service_at_locations?taxonomy_term_id',
      target: SINGLE,
      path: `/service_at_locations?taxonomy_term_id=${common}`,
    },
    { name: '/organizations', target: SINGLE, path: '/organizations' },
    { name: '/organizations?search', target: COMBINED, path: '/organizations?search=trust' },
  ];
}

/** The database of a size: reused when it holds that many services, else built. */
async function directory(size: number): Promise<string> {
  const admin = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `oruk_scale_${size}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      console.log(`building ${name} (${size} services)…`);
      await client.query(`CREATE DATABASE "${name}"`);
      await seed(size, url.toString());
    }
  } finally {
    await client.end();
  }
  const db = await createDataSource(url.toString()).initialize();
  try {
    if ((await db.runMigrations({ transaction: 'each' })).length) await vacuumAnalyze(db);
    const [{ n }] = await db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM service');
    if (n !== size)
      throw new Error(`${name} holds ${n} services, not ${size}: drop it to build it again`);
  } finally {
    await db.destroy();
  }
  return url.toString();
}

function seed(size: number, url: string): Promise<void> {
  const tsNode = join(projectRoot(), 'node_modules', 'ts-node', 'dist', 'bin.js');
  const child = spawn(
    process.execPath,
    [tsNode, '--transpile-only', 'seed/synthetic/main.ts', '--services', String(size)],
    { cwd: projectRoot(), env: { ...process.env, DATABASE_URL: url }, stdio: 'inherit' },
  );
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`seeding failed (${code})`)),
    ),
  );
}

async function timed(base: string, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, { headers: { 'cache-control': 'no-cache' } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return performance.now() - started;
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

async function main(argv: string[]): Promise<void> {
  const o = options(argv);
  delete process.env.BENCH_URL;
  const urls = [await directory(o.small), await directory(o.large)];
  const dbs = await Promise.all(urls.map((url) => createDataSource(url).initialize()));
  const servers: BenchServer[] = [];
  try {
    const cases = await Promise.all(dbs.map((db) => casesFor(db)));
    for (const url of urls) servers.push(await benchServer({ DATABASE_URL: url }));
    const samples = cases[0].map(() => [[], []] as number[][]);
    // Each case once on each server first (its kept count, PostgreSQL's caches).
    for (const [i] of cases[0].entries())
      for (const s of [0, 1]) await timed(servers[s].base, cases[s][i].path);
    for (let round = 0; round < o.rounds; round++)
      for (const [i] of cases[0].entries())
        for (const s of [0, 1])
          for (let k = 0; k < o.requests; k++)
            samples[i][s].push(await timed(servers[s].base, cases[s][i].path));
    const totals = await Promise.all(
      cases[1].map(async (c) => (await servers[1].json<Page>(c.path)).total_items),
    );
    const explained: Explained[][] = [];
    for (const c of cases[1])
      explained.push(await explainRequest(dbs[1], c.path, { timing: false }));
    const firstPage = p50(samples[0][1]);
    const rows = cases[1].map((c, i) => {
      const [small, large] = samples[i].map(p50);
      const ratio = large / small;
      const met =
        c.target.kind === 'single'
          ? large <= c.target.ms && ratio <= c.target.ratio
          : c.target.kind === 'ms'
            ? large <= c.target.ms
            : large <= 2 * firstPage;
      const target =
        c.target.kind === 'single'
          ? `≤ ${c.target.ms} ms, × ≤ ${c.target.ratio}`
          : c.target.kind === 'ms'
            ? `≤ ${c.target.ms} ms`
            : '≤ 2 × page 1';
      const [items, count] = explained[i];
      return {
        case: c.name,
        [`${o.small} p50 ms`]: fmt(small),
        [`${o.large} p50 ms`]: fmt(large),
        ratio: ratio.toFixed(2),
        target,
        met: met ? 'yes' : 'NO',
        matches: totals[i],
        'items ms': fmt(items.ms),
        'count ms': fmt(count.ms),
      };
    });
    console.log(
      `\n${o.rounds} rounds × ${o.requests} requests per case and size, one connection, interleaved; EXPLAIN ANALYZE on ${o.large} services\n`,
    );
    console.table(rows);
    console.log(
      `${rows.filter((r) => r.met === 'yes').length} of ${rows.length} cases meet their target`,
    );
  } finally {
    for (const server of servers) await server.stop();
    await Promise.all(dbs.map((db) => db.destroy()));
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
