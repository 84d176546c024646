import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { createTestApp, TestApp } from './support/app';

/**
 * Hostile clients send the most expensive requests the API accepts, many at once, while a
 * well-behaved client keeps asking for ordinary pages: it must never see an error.
 *
 * The expensive requests are made slow for real, not simulated: another session holds a
 * lock on the service table, so each of them holds its connections until the statement
 * timeout, as a page of 1,000 organizations with their full services does on a large
 * directory. The well-behaved client reads taxonomies, which never touch that table. Without
 * admission by cost the hostile requests take every connection of the pool and the
 * ordinary pages get 503s (DB_CONNECT_TIMEOUT_MS); with it they wait their turn or are
 * turned away (429, 503 with Retry-After), never more than their share.
 */
const WORST = [
  '/organizations?per_page=1000&full=true&full_service=true',
  '/services?search=advcie%20servcies&per_page=1000',
  '/services?format=ndjson&full=true',
  '/service_at_locations?per_page=1000&full=true',
  '/services?per_page=1000&full=true',
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe('hostile load within the throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      TRUST_PROXY: '1',
      DB_STATEMENT_TIMEOUT_MS: '4000',
      DB_CONNECT_TIMEOUT_MS: '1000',
      ADMISSION_WAIT_MS: '1000',
      LOG_LEVEL: 'silent', // the hostile requests' 503s are expected
    });
  });
  afterAll(() => t.close());

  const waitingOnLock = async (blocker: Client): Promise<number> => {
    await blocker.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await blocker.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'oruk-server'
          AND wait_event_type = 'Lock'`,
    );
    return rows[0].n as number;
  };

  it('leaves ordinary pages their connections, and turns the rest away in JSON', async () => {
    const { body: taxonomies } = await request(t.http).get('/taxonomies').expect(200);
    const taxonomyId = taxonomies.contents[0].id as string;
    const blocker = new Client({ connectionString: t.database.url });
    await blocker.connect();
    const hostile: Promise<request.Response>[] = [];
    const latencies: number[] = [];
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE service IN ACCESS EXCLUSIVE MODE');
      for (let i = 0; i < 30; i++)
        hostile.push(
          request(t.http)
            .get(WORST[i % WORST.length])
            .set('X-Forwarded-For', `198.51.100.${i % 6}`)
            .then((r) => r),
        );
      // Once the expensive requests that were let in are stuck behind the lock (a page whose
      // count is kept by the write path waits with its items statement only), or, on a
      // machine so slow that they all gave up first (the statement timeout), once they have:
      let settled = false;
      void Promise.allSettled(hostile).then(() => (settled = true));
      while (!settled && (await waitingOnLock(blocker)) < 1)
        await new Promise((r) => setTimeout(r, 5));

      for (let i = 0; i < 30; i++) {
        const path = [
          '/taxonomies?per_page=5',
          `/taxonomies/${taxonomyId}`,
          `/taxonomy_terms?taxonomy_id=${taxonomyId}&per_page=10`,
        ][i % 3];
        const started = performance.now();
        const res = await request(t.http).get(path).set('X-Forwarded-For', '192.0.2.1');
        latencies.push(performance.now() - started);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      // The pool was never all theirs: at most the expensive classes' share is held.
      expect(await waitingOnLock(blocker)).toBeLessThanOrEqual(6);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const answers = await Promise.all(hostile);
    const statuses = answers.map((r) => r.status);
    for (const answer of answers) {
      expect([200, 429, 503]).toContain(answer.status);
      if (answer.status !== 200) {
        expect(answer.body).toEqual({
          statusCode: answer.status,
          message: expect.any(String),
          error: expect.any(String),
        });
        if (answer.body.message !== undefined && /busy|at once/.test(answer.body.message))
          expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // Admission acted: some were turned away rather than all run, and /metrics counts them.
    // (A database timeout is a 503 too, on a slow machine: those are not admission's.)
    const turnedAway = answers.filter((r) =>
      /busy with|at once from one client/.test(String(r.body?.message)),
    ).length;
    expect(turnedAway).toBeGreaterThan(0);
    const { text: metrics } = await request(t.http).get('/metrics').expect(200);
    const refused = [...metrics.matchAll(/^admission_refused_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(refused).toBe(turnedAway);
    expect(metrics).toMatch(/^admission_running_requests\{class="heavy"\} 0$/m);
    console.log(
      `well-behaved client: ${latencies.length} requests, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms; hostile statuses ` +
        JSON.stringify(
          statuses.reduce<Record<number, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {}),
        ),
    );
  });

  it('never holds health probes', async () => {
    // Whatever the expensive classes are doing, and without counting them in the throttle.
    await request(t.http).get('/health/live').expect(200);
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.headers['ratelimit-limit']).toBeUndefined();
  });
});
