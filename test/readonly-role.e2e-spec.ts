import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createTestApp, TestApp } from './support/app';
import { TestDatabase } from './support/database';
import { seedSamples, seedServices } from './support/seed-data';

/**
 * The API needs nothing but SELECT (README: "Running with a read-only database role"): the
 * application runs as a role made with exactly the README's statements, in a read-only
 * session, without migrations or seeding, and every endpoint answers.
 */
describe('the API on a read-only role', () => {
  const role = `oruk_test_reader_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let t: TestApp;
  let adminUrl: URL | undefined;
  let readerUrl: string;

  beforeAll(async () => {
    t = await createTestApp(
      { MIGRATIONS_RUN: 'false', SEED_IF_EMPTY: 'false' },
      async (database: TestDatabase) => {
        const url = new URL(database.url);
        const name = url.pathname.slice(1);
        const owner = new Client({ connectionString: database.url });
        await owner.connect();
        // As in the README, run by the owner of the tables.
        adminUrl = new URL(database.url);
        adminUrl.pathname = '/postgres';
        for (const sql of [
          `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`,
          `ALTER ROLE ${role} SET default_transaction_read_only = on`,
          `GRANT CONNECT ON DATABASE "${name}" TO ${role}`,
          `GRANT USAGE ON SCHEMA public TO ${role}`,
          `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`,
          `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`,
        ])
          await owner.query(sql);
        await owner.end();
        url.username = role;
        url.password = password;
        readerUrl = url.toString();
        return readerUrl;
      },
    );
  });

  afterAll(async () => {
    await t?.close(); // drops the database, and with it the grants
    if (!adminUrl) return;
    const admin = new Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  it('connects as that role, which can read but not write', async () => {
    const [{ user }] = await t.db.query('SELECT current_user AS user');
    expect(user).toBe(role);
    const reader = new Client({ connectionString: readerUrl });
    await reader.connect();
    try {
      await expect(
        reader.query(`UPDATE taxonomy SET name = name WHERE false`),
      ).rejects.toMatchObject({ code: '25006' }); // read-only transaction
      await reader.query('SET default_transaction_read_only = off');
      await expect(
        reader.query(`UPDATE taxonomy SET name = name WHERE false`),
      ).rejects.toMatchObject(
        { code: '42501' }, // and no privilege to write anyway
      );
    } finally {
      await reader.end();
    }
  });

  it('answers every endpoint with 200, and is ready', async () => {
    const get = (path: string) => request(t.http).get(path);
    const first = async (list: string) =>
      (await get(`${list}?per_page=1`).expect(200)).body.contents[0].id as string;
    const services = seedServices();
    const { postcode, term } = seedSamples(services);
    const lists = [
      '/services',
      '/service_at_locations',
      '/organizations',
      '/taxonomies',
      '/taxonomy_terms',
    ];
    const paths = ['/', '/openapi.json', '/health/live', '/health/ready'];
    for (const list of lists) {
      paths.push(list, `${list}?format=ndjson`, `${list}/${await first(list)}`);
    }
    paths.push(
      '/services?full=true&per_page=1000',
      '/services?minimal=true',
      '/services?format=ndjson&full=true',
      '/services?search=food',
      '/services?search=foood', // trigram fallback
      `/services?taxonomy_term_id=${term}`,
      `/services?postcode=${encodeURIComponent(postcode)}`,
      `/services?postcode=${encodeURIComponent(postcode)}&proximity=5000`,
      '/services?day=MO&start_time=09:00&end_time=12:00',
      '/services?modified_after=2020-01-01&minimum_age=5',
      '/service_at_locations?full=true',
      '/organizations?full_service=true',
      `/organizations/${await first('/organizations')}?full_service=true`,
      '/taxonomy_terms?top_only=true',
    );
    const answers = await Promise.all(
      paths.map(async (path) => {
        const response = await get(path);
        return { path, status: response.status, text: response.text.slice(0, 200) };
      }),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const ndjson = await get('/services?format=ndjson').expect(200);
    expect(ndjson.text.trim().split('\n')).toHaveLength(services.length);
    expect((await get('/health/ready').expect(200)).body.checks).toEqual({
      database: { status: 'up' },
      migrations: { status: 'up' },
    });
  });
});
