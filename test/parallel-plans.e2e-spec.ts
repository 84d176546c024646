import { Client } from 'pg';
import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { TestDatabase } from './support/database';
import { seedSamples, seedServices } from './support/seed-data';

/**
 * On large tables PostgreSQL runs queries in parallel, and a function it may call there must
 * be fit for it (no subtransactions, no writes). The seed data is too small for the planner
 * to go parallel by itself, so here the database forces a parallel plan wherever one is
 * allowed (force_parallel_mode, debug_parallel_query from PostgreSQL 16 on), and every kind
 * of request must still answer as it does without.
 */
describe('requests under parallel query plans', () => {
  let parallel: TestApp;
  let plain: TestApp;

  beforeAll(async () => {
    // The server's own default is no workers (DB_PARALLEL_WORKERS): allowed here.
    parallel = await createTestApp({ DB_PARALLEL_WORKERS: '2' }, async (database: TestDatabase) => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ server_version_num: string }>(
          'SHOW server_version_num',
        );
        const setting =
          Number(rows[0].server_version_num) >= 160000
            ? 'debug_parallel_query'
            : 'force_parallel_mode';
        const name = new URL(database.url).pathname.slice(1);
        await client.query(`ALTER DATABASE "${name}" SET ${setting} = on`);
      } finally {
        await client.end();
      }
      return database.url;
    });
    plain = await createTestApp();
  });
  afterAll(async () => {
    await parallel?.close();
    await plain?.close();
  });

  it('is in force on the connections of the app', async () => {
    const rows = await parallel.db.query<Record<string, string>[]>(
      `SELECT setting FROM pg_settings WHERE name IN ('force_parallel_mode', 'debug_parallel_query')`,
    );
    expect(rows.map((r) => r.setting)).toContain('on');
    const [workers] = await parallel.db.query<{ setting: string }[]>(
      `SELECT setting FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'`,
    );
    expect(workers.setting).toBe('2');
    const [none] = await plain.db.query<{ setting: string }[]>(
      `SELECT setting FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'`,
    );
    expect(none.setting).toBe('0');
  });

  it('answers every kind of request, and the same as without', async () => {
    const services = seedServices();
    const { postcode, term } = seedSamples(services);
    const paths = [
      '/services',
      `/services/${services[0].id as string}`,
      '/services?full=true&per_page=1000',
      '/services?format=ndjson',
      '/services?search=food',
      '/services?search=foood',
      `/services?taxonomy_term_id=${term}`,
      `/services?postcode=${encodeURIComponent(postcode)}`,
      `/services?postcode=${encodeURIComponent(postcode)}&proximity=5000`,
      `/service_at_locations?postcode=${encodeURIComponent(postcode)}&proximity=5000`,
      '/services?day=MO&start_time=09:00&end_time=12:00',
      '/services?modified_after=2020-01-01&minimum_age=5',
      '/service_at_locations?full=true',
      '/organizations?full_service=true&search=trust',
      '/taxonomy_terms?top_only=true',
      '/taxonomies',
    ];
    for (const path of paths) {
      const [got, expected] = await Promise.all(
        [parallel, plain].map((t) => request(t.http).get(path)),
      );
      expect({ path, status: got.status }).toEqual({ path, status: 200 });
      expect({ path, text: got.text }).toEqual({ path, text: expected.text });
    }
  });
});
