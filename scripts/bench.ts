import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../src/config/config';

/**
 * npm run bench: requests/s and latency of the read endpoints on loopback.
 * BENCH_URL=http://host:port benchmarks a server that is already running; otherwise the
 * built server (dist/) is started in a child process on DATABASE_URL, or on the embedded
 * default when that is unset. BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 10).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function main(): Promise<void> {
  let server: ChildProcess | undefined;
  let base = process.env.BENCH_URL;
  if (!base) {
    const port = await freePort();
    server = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/services?per_page=1`);
  }
  try {
    const page = (await (await fetch(`${base}/services?per_page=100`)).json()) as {
      total_items: number;
      contents: { id: string }[];
    };
    const ids = page.contents.map((s) => s.id);
    if (!ids.length) throw new Error(`${base} has no services: load some first (npm run seed)`);
    console.log(
      `${page.total_items} services; ${SECONDS}s per endpoint, ${CONNECTIONS} connections\n`,
    );
    const cases: [string, string[]][] = [
      ['/services', ['/services']],
      ['/services?full=true', ['/services?full=true']],
      ['/services/{id}', ids.map((id) => `/services/${id}`)],
    ];
    const rows = [];
    for (const [name, paths] of cases) {
      const result = await autocannon({
        url: base,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
      rows.push({
        endpoint: name,
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'non-2xx': result.non2xx,
        errors: result.errors,
      });
    }
    console.table(rows);
  } finally {
    server?.kill('SIGTERM');
  }
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server did not answer ${url}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
