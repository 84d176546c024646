import autocannon from 'autocannon';
import { MAX_REQUESTS_PER_SOCKET } from '../src/http/protection';
import { benchServer, Page } from './bench-server';

/**
 * npm run bench: requests/s and latency of the read endpoints on loopback.
 * BENCH_URL=http://host:port benchmarks a server that is already running; otherwise the
 * built server (dist/) is started in a child process on DATABASE_URL, or on the embedded
 * default when that is unset (scripts/bench-server.ts). BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 10).
 * Every request asks for a fresh answer (`Cache-Control: no-cache`), so what is measured is
 * the building of it, not the answers kept ready (docs/caching.md; `npm run bench:records`
 * measures those); the counts kept per data version still apply, as they do for any client.
 * BENCH_CACHED=1 measures the answers kept ready instead.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const HEADERS: Record<string, string> =
  process.env.BENCH_CACHED === '1' ? {} : { 'cache-control': 'no-cache' };

async function main(): Promise<void> {
  const server = await benchServer();
  const { base, json } = server;
  try {
    const page = await json<Page>('/services?per_page=100');
    const ids = page.contents.map((s) => s.id as string);
    if (!ids.length) throw new Error(`${base} has no services: load some first (npm run seed)`);
    // Real values for the filters, taken from the data itself.
    const organization = page.contents[0].organization.id as string;
    const [parent] = (await json<Page>('/taxonomy_terms?top_only=true&per_page=1')).contents;
    const [taxonomy] = (await json<Page>('/taxonomies?per_page=1')).contents;
    const located = (await json<Page>('/service_at_locations?per_page=100')).contents.find(
      (x) => x.location?.latitude !== undefined,
    )!;
    const { latitude, longitude } = located.location as { latitude: number; longitude: number };
    const week = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const near = `lat=${latitude}&long=${longitude}&proximity=2000`;
    console.log(
      `${page.total_items} services; ${SECONDS}s per endpoint, ${CONNECTIONS} connections\n`,
    );
    const one = (path: string): [string, string[]] => [path, [path]];
    const cases: [string, string[]][] = [
      one('/services'),
      one('/services?full=true'),
      ['/services/{id}', ids.map((id) => `/services/${id}`)],
      one('/services?page=100&per_page=50'),
      one('/services?search=advice'),
      one('/services?search=counseling%20-online'),
      one('/services?search=domsetic'),
      one(`/services?taxonomy_term_id=${parent.id}`),
      one(`/services?taxonomy_id=${taxonomy.id}`),
      one(`/services?organization_id=${organization}`),
      one(`/services?modified_after=${week}`),
      one('/services?minimum_age=18&maximum_age=65'),
      one('/services?day=SA&start_time=10:00&end_time=12:00'),
      one(`/services?${near}`),
      one(`/service_at_locations?${near}`),
      one('/services?minimal=true&per_page=1000'),
      one('/service_at_locations'),
      one('/organizations?search=trust'),
      one('/taxonomy_terms?search=housing'),
    ];
    const rows = [];
    for (const [name, paths] of cases) {
      const result = await autocannon({
        url: base,
        connections: CONNECTIONS,
        // A new connection before the server's limit (a client that ignored its
        // Connection: close would be told 503).
        reconnectRate: MAX_REQUESTS_PER_SOCKET - 1,
        duration: SECONDS,
        requests: paths.map((path) => ({ method: 'GET', path, headers: HEADERS })),
      });
      rows.push({
        endpoint: name.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{uuid}'),
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'non-2xx': result.non2xx,
        errors: result.errors,
      });
    }
    console.table(rows);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
