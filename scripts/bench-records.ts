import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/database/embedded';
import { benchServer, Page } from './bench-server';

/**
 * npm run bench:records: `/services/{id}` over random ids against the HTTP ceiling, in one
 * run, interleaved (A B C D, A B C D, …), with wrk (Debian's package `wrk`):
 *
 *   ceiling     a bare node:http server answering every request with one service's body,
 *               computed beforehand (no framework, no database): the most any Node server
 *               on this machine could do;
 *   uncached    the server building each record (`Cache-Control: no-cache`);
 *   cached      the same requests answered from the answers kept ready (docs/caching.md);
 *   304         conditional requests whose If-None-Match still matches.
 *
 * Prints requests/s and p50/p99 latency per case (the median of the rounds) and each as a
 * ratio of the ceiling. On DATABASE_URL (or BENCH_URL); BENCH_IDS random ids (default
 * 2000, taken with minimal=true), BENCH_SECONDS a round (default 5), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (32), BENCH_THREADS (2).
 */
const IDS = Number(process.env.BENCH_IDS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);

/** The bare server: one precomputed body, the same headers a JSON answer has. */
const CEILING = `
const http = require('node:http');
const body = Buffer.from(process.env.BODY);
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send('ready'));`;

/** wrk's script: each request a random path of the list, with its headers. */
const LUA = `
local paths, headers = {}, {}
for line in io.lines(os.getenv("PATHS")) do
  local path, etag = line:match("([^\\t]*)\\t?(.*)")
  paths[#paths + 1] = path
  headers[#headers + 1] = etag
end
local mode = os.getenv("MODE")
math.randomseed(os.time())
request = function()
  local i = math.random(#paths)
  local h = {}
  if mode == "uncached" then h["Cache-Control"] = "no-cache" end
  if mode == "304" then h["If-None-Match"] = headers[i] end
  return wrk.format("GET", paths[i], h)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end`;

interface Round {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

function wrk(base: string, script: string, env: Record<string, string>): Round {
  const run = spawnSync(
    'wrk',
    [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, base],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  if (run.error) throw new Error(`wrk: ${run.error.message} (apt-get install wrk)`);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${run.stdout}${run.stderr}`);
  const [rps, p50, p99, status, errors] = line.split(' ').slice(1).map(Number);
  return { rps, p50, p99, bad: status + errors };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const server = await benchServer();
  const dir = mkdtempSync(join(tmpdir(), 'bench-records-'));
  const ceilingPort = await freePort();
  let ceiling: ReturnType<typeof spawn> | undefined;
  try {
    const { base, json } = server;
    const { total_items: total } = await json<Page>('/services?per_page=1&minimal=true');
    // Random ids: pages of minimal services at random positions.
    const ids = new Set<string>();
    const pages = Math.max(1, Math.ceil(total / 1000));
    for (let tries = 0; ids.size < Math.min(IDS, total) && tries < 50; tries++) {
      const page = 1 + Math.floor(Math.random() * pages);
      const { contents } = await json<Page>(`/services?minimal=true&per_page=1000&page=${page}`);
      for (const { id } of contents) if (ids.size < IDS) ids.add(id as string);
    }
    const lines: string[] = [];
    let body = '';
    for (const id of ids) {
      const res = await fetch(`${base}/services/${id}`);
      const text = await res.text();
      body ||= text;
      lines.push(`/services/${id}\t${res.headers.get('etag') ?? ''}`);
    }
    const paths = join(dir, 'paths.tsv');
    writeFileSync(paths, `${lines.join('\n')}\n`);
    const script = join(dir, 'random.lua');
    writeFileSync(script, LUA);

    ceiling = spawn(process.execPath, ['-e', CEILING], {
      env: { ...process.env, PORT: String(ceilingPort), BODY: body },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise((resolve) => ceiling!.once('message', resolve));
    const bare = `http://127.0.0.1:${ceilingPort}`;

    console.log(
      `${total} services, ${ids.size} random ids, body ${body.length} bytes; wrk -t${THREADS} -c${CONNECTIONS}, ` +
        `${ROUNDS} rounds of ${SECONDS} s per case, interleaved\n`,
    );
    const cases: [string, string, string][] = [
      ['ceiling (bare node:http, one body)', bare, 'ceiling'],
      ['/services/{id} uncached', base, 'uncached'],
      ['/services/{id} cached', base, 'cached'],
      ['/services/{id} 304', base, '304'],
    ];
    const results = new Map<string, Round[]>(cases.map(([name]) => [name, []]));
    // One warm-up round each (connections, prepared statements, the answers kept ready).
    for (const [, url, mode] of cases) wrk(url, script, { PATHS: paths, MODE: mode });
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, url, mode] of cases)
        results.get(name)!.push(wrk(url, script, { PATHS: paths, MODE: mode }));
    const top = median(results.get(cases[0][0])!.map((r) => r.rps));
    console.table(
      cases.map(([name]) => {
        const rounds = results.get(name)!;
        const rps = median(rounds.map((r) => r.rps));
        return {
          case: name,
          'req/s': Math.round(rps),
          'p50 ms': median(rounds.map((r) => r.p50)).toFixed(2),
          'p99 ms': median(rounds.map((r) => r.p99)).toFixed(2),
          '× ceiling': (rps / top).toFixed(3),
          'bad answers': rounds.reduce((sum, r) => sum + r.bad, 0),
        };
      }),
    );
  } finally {
    ceiling?.kill();
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
