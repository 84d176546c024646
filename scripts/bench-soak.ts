import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { costClass } from '../src/http/admission';
import { MAX_REQUESTS_PER_SOCKET } from '../src/http/protection';
import { benchServer, Page } from './bench-server';

/**
 * npm run bench:soak: a long mixed load on loopback (SOAK_SECONDS, default 600, with
 * SOAK_CONNECTIONS, default 10, connections), to show the server stays correct and its
 * memory flat. Every connection cycles through a mix of requests like a real feed's
 * traffic: list pages at any depth, full pages, records by id, every filter, ndjson exports,
 * the other lists, health probes, and the client mistakes a public feed gets (unknown ids,
 * bad parameters). Each answer is checked against the status its request expects.
 *
 * Memory is read from the server's own /metrics (process_resident_memory_bytes and
 * nodejs_heap_size_used_bytes) every SOAK_SAMPLE_SECONDS (default 10). It reports requests,
 * statuses, errors (5xx, unexpected statuses, socket errors, timeouts) and memory after the
 * warm-up (the first tenth of the run) and at the end; it exits 1 if there was any error or
 * if resident memory grew by more than a quarter plus 32 MiB from the warm-up to the end.
 * The server is BENCH_URL or the built one (scripts/bench-server.ts).
 *
 * The mix comes from 64 client addresses (X-Forwarded-For, which the bench server trusts).
 * Beside it, SOAK_HOSTILE_CONNECTIONS (default 4) connections from two other addresses send
 * nothing but the most expensive requests the API accepts (1,000 organizations with their
 * full services, misspelt searches over 1,000 results, full ndjson exports, pages of 1,000
 * full services): they may be told 429 or 503 (admission by cost, src/http/admission.ts),
 * while the mix must see no error: its light requests (records, ordinary pages) always
 * answered as expected, its expensive ones answered or turned away (counted apart).
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 10);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10);
const HOSTILE_CONNECTIONS = Number(process.env.SOAK_HOSTILE_CONNECTIONS ?? 4);

/** The most expensive requests the API accepts. */
const WORST = [
  '/organizations?per_page=1000&full=true&full_service=true',
  '/services?search=advcie%20servcies&per_page=1000',
  '/services?format=ndjson&full=true',
  '/services?per_page=1000&full=true',
  '/service_at_locations?per_page=1000&full=true',
];

interface Case {
  path: string;
  status: number;
}

async function main(): Promise<void> {
  const server = await benchServer();
  const { base, json } = server;
  try {
    const page = await json<Page>('/services?per_page=200');
    if (!page.contents.length) throw new Error(`${base} has no services: load some first`);
    const ids = page.contents.map((s) => s.id as string);
    const sals = (await json<Page>('/service_at_locations?per_page=50')).contents;
    const organizations = (await json<Page>('/organizations?per_page=50')).contents;
    const terms = (await json<Page>('/taxonomy_terms?per_page=50')).contents;
    const located = sals.find((x) => x.location?.latitude !== undefined)!;
    const { latitude, longitude } = located.location as { latitude: number; longitude: number };
    const pages = Math.max(1, Math.ceil(page.total_items / 50));
    const week = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const pick = <T>(list: T[], i: number) => list[i % list.length];

    // One cycle of the mix, in a fixed order; every connection runs it round and round.
    const cases: Case[] = [];
    const ok = (path: string) => cases.push({ path, status: 200 });
    for (let i = 0; i < 20; i++) {
      ok(`/services/${pick(ids, i * 7)}`);
      ok(`/services?page=${1 + ((i * 37) % pages)}`);
      if (i % 2 === 0) ok(`/service_at_locations/${pick(sals, i).id}`);
      if (i % 4 === 0) ok(`/organizations/${pick(organizations, i).id}?full_service=true`);
      if (i % 4 === 1) ok(`/taxonomy_terms/${pick(terms, i).id}`);
    }
    for (const path of [
      '/',
      '/services?full=true',
      '/services?search=advice',
      '/services?search=counseling%20-online',
      '/services?search=benifits', // misspelt: the trigram fallback
      `/services?taxonomy_term_id=${pick(terms, 0).id}`,
      `/services?organization_id=${pick(organizations, 1).id}`,
      `/services?modified_after=${week}`,
      '/services?minimum_age=18&maximum_age=65',
      '/services?day=SA&start_time=10:00&end_time=12:00',
      `/service_at_locations?lat=${latitude}&long=${longitude}&proximity=5000`,
      '/services?minimal=true&per_page=1000',
      '/services?format=ndjson&minimal=true',
      '/service_at_locations',
      '/organizations?search=trust',
      '/taxonomies',
      '/taxonomy_terms?top_only=true',
      '/health/ready',
    ])
      ok(path);
    cases.push({ path: `/services/${randomUUID()}`, status: 404 });
    cases.push({ path: '/services/not-a-uuid', status: 400 });
    cases.push({ path: '/services?page=0', status: 400 });
    cases.push({ path: '/services?day=XX', status: 400 });

    console.log(
      `${page.total_items} services; ${SECONDS} s of a mix of ${cases.length} requests ` +
        `with ${CONNECTIONS} connections; memory every ${SAMPLE_SECONDS} s\n`,
    );

    const unexpected = new Map<string, number>();
    const samples: Sample[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      void memory(base).then((m) => m && samples.push({ ...m, at: (Date.now() - started) / 1000 }));
    }, SAMPLE_SECONDS * 1000);
    const first = await memory(base);
    if (first) samples.push({ ...first, at: 0 });
    const hostileStatuses = new Map<number, number>();
    let turnedAway = 0;
    const hostile = HOSTILE_CONNECTIONS
      ? autocannon({
          url: base,
          connections: HOSTILE_CONNECTIONS,
          reconnectRate: MAX_REQUESTS_PER_SOCKET - 1,
          duration: SECONDS,
          timeout: 60,
          requests: WORST.map((path, i) => ({
            method: 'GET' as const,
            path,
            headers: { 'x-forwarded-for': `198.51.100.${1 + (i % 2)}` },
            onResponse: (status: number) =>
              status !== undefined &&
              hostileStatuses.set(status, (hostileStatuses.get(status) ?? 0) + 1),
          })),
        })
      : undefined;
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      // A new connection before the server's limit (a client that ignored its
      // Connection: close would be told 503).
      reconnectRate: MAX_REQUESTS_PER_SOCKET - 1,
      duration: SECONDS,
      timeout: 30,
      requests: cases.map(({ path, status }, i) => ({
        method: 'GET' as const,
        path,
        headers: { 'x-forwarded-for': `10.0.${i % 8}.${1 + (i % 64)}` },
        onResponse: (actual: number) => {
          // An expensive request may be turned away while the hostile share runs.
          if (costClass(path) !== 'light' && (actual === 429 || actual === 503)) {
            turnedAway++;
            return;
          }
          if (actual !== status) {
            const key = `${path.split('?')[0].replace(/[0-9a-f-]{36}/g, '{id}')} → ${actual}`;
            unexpected.set(key, (unexpected.get(key) ?? 0) + 1);
          }
        },
      })),
    });
    const hostileResult = await hostile;
    clearInterval(sampler);
    const last = await memory(base);
    if (last) samples.push({ ...last, at: (Date.now() - started) / 1000 });

    const wrong = [...unexpected.values()].reduce((a, b) => a + b, 0);
    const errors = result.errors + result.timeouts + wrong;
    console.log(
      `requests: ${result.requests.total} (${Math.round(result.requests.average)}/s), ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(
      `statuses: ${Object.entries(result.statusCodeStats ?? {})
        .map(([code, { count }]) => `${code}: ${count}`)
        .join(', ')}`,
    );
    console.log(
      `errors: ${errors} (5xx ${result['5xx']}, unexpected statuses ${wrong}, ` +
        `socket errors ${result.errors}, timeouts ${result.timeouts})`,
    );
    for (const [key, count] of unexpected) console.log(`  ${count} × ${key}`);
    console.log(
      `expensive requests of the mix turned away (429/503, admission by cost): ${turnedAway}`,
    );
    let hostileErrors = 0;
    if (hostileResult) {
      // Turned away (429, 503) is what admission does; anything else but 200 is an error.
      hostileErrors =
        [...hostileStatuses]
          .filter(([status]) => ![200, 429, 503].includes(status))
          .reduce((a, [, n]) => a + n, 0) +
        hostileResult.errors -
        hostileResult.timeouts;
      console.log(
        `hostile (${HOSTILE_CONNECTIONS} connections, 2 clients): ${hostileResult.requests.total} requests, ` +
          `statuses ${JSON.stringify(Object.fromEntries([...hostileStatuses].sort()))}, ` +
          `latency p50 ${hostileResult.latency.p50} ms, p99 ${hostileResult.latency.p99} ms, ` +
          `errors ${hostileErrors} (timeouts ${hostileResult.timeouts}, not counted)`,
      );
    }

    let flat = true;
    if (samples.length >= 3) {
      const warm = samples.find((s) => s.at >= SECONDS / 10) ?? samples[1];
      const end = samples[samples.length - 1];
      const peak = Math.max(...samples.filter((s) => s.at >= warm.at).map((s) => s.rss));
      flat = end.rss <= warm.rss * 1.25 + 32 * 2 ** 20;
      console.log(
        `memory (server): resident ${mib(samples[0].rss)} MiB at start, ${mib(warm.rss)} MiB ` +
          `after warm-up (${Math.round(warm.at)} s), ${mib(end.rss)} MiB at the end, peak ` +
          `${mib(peak)} MiB; heap used ${mib(warm.heap)} → ${mib(end.heap)} MiB: ` +
          (flat ? 'flat' : 'GROWING'),
      );
      console.log(
        `  resident, every ${SAMPLE_SECONDS} s: ${samples.map((s) => mib(s.rss)).join(' ')}`,
      );
    } else {
      console.log('memory: not measured (no /metrics, or too short a run)');
    }
    if (errors || hostileErrors || !flat) process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

interface Sample {
  at: number;
  rss: number;
  heap: number;
}

/** The server's resident memory and used heap, from its /metrics; undefined without them. */
async function memory(base: string): Promise<Omit<Sample, 'at'> | undefined> {
  try {
    const response = await fetch(new URL('/metrics', base)); // at the root, whatever BASE_PATH is
    if (!response.ok) return undefined;
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
    const rss = value('process_resident_memory_bytes');
    const heap = value('nodejs_heap_size_used_bytes');
    return Number.isFinite(rss) ? { rss, heap } : undefined;
  } catch {
    return undefined;
  }
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
