import { Client } from 'pg';
import type { Pool } from 'pg';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { createTestApp, TestApp } from './support/app';

/**
 * DB_STATEMENT_TIMEOUT_MS: PostgreSQL itself cancels a statement that runs too long, the
 * request gets a JSON 503 and the connection is fine for the next one. The runaway query
 * is made for real, not simulated: another session holds a lock on the service table, so
 * that every read of it waits (as behind a long migration or a stuck transaction).
 */
describe('a statement that runs past DB_STATEMENT_TIMEOUT_MS', () => {
  const TIMEOUT_MS = 1000;
  let t: TestApp;
  let serviceId: string;
  beforeAll(async () => {
    t = await createTestApp({
      DB_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent', // its 503s are expected
    });
    serviceId = (await request(t.http).get('/services?per_page=1').expect(200)).body.contents[0].id;
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path);

  it('is set on every connection of the API', async () => {
    const [{ statement_timeout }] = await t.db.query('SHOW statement_timeout');
    expect(statement_timeout).toBe('1s');
    // And no JIT: compiling a page of full services took seconds, running it milliseconds.
    const [{ jit }] = await t.db.query('SHOW jit');
    expect(jit).toBe('off');
  });

  it('is cancelled by PostgreSQL and answered 503 in JSON; the next request works', async () => {
    const blocker = new Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE service IN ACCESS EXCLUSIVE MODE');
      for (const path of [
        '/services?full=true&per_page=1000',
        `/services/${serviceId}`,
        '/services?format=ndjson&full=true',
      ]) {
        const start = performance.now();
        const response = await get(path);
        const ms = performance.now() - start;
        expect({ path, status: response.status }).toEqual({ path, status: 503 });
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body).toEqual({
          statusCode: 503,
          message: expect.stringContaining('timed out'),
          error: 'Service Unavailable',
        });
        expect(response.text).not.toMatch(/canceling|SELECT|service r/);
        // Cancelled by the timeout, not before it (after it: the machine's business).
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      }
      // Nothing of the API's is left running or waiting in PostgreSQL (once the cancelled
      // sessions are back to idle, however long that takes), although the lock is still held.
      const active = async () => {
        // Inside a transaction, the statistics views are a snapshot unless cleared.
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        return (
          await blocker.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'oruk-server'
                AND state = 'active'`,
          )
        ).rows[0].n as number;
      };
      while ((await active()) > 0) await sleep(50);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    const page = await get('/services?full=true&per_page=1000').expect(200);
    expect(page.body.contents.length).toBe(page.body.total_items);
    await get(`/services/${serviceId}`).expect(200);
    await get('/health/ready').expect(200);
    const pool = (t.db.driver as PostgresDriver).master as Pool;
    expect(pool.waitingCount).toBe(0);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
