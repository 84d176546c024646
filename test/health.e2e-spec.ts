import request from 'supertest';
import { createTestApp, TestApp } from './support/app';

/** /health/live and /health/ready: outside the base path and the ORUK OpenAPI document. */
describe('health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ BASE_PATH: '/api/oruk', LOG_LEVEL: 'silent' });
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.http).get(path);

  it('live at the root whatever BASE_PATH is, never cached', async () => {
    const live = await get('/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
    await get('/api/oruk/health/live').expect(404);
    await get('/api/oruk/health/ready').expect(404);
  });

  it('is not in the ORUK OpenAPI document', async () => {
    const { body } = await get('/api/oruk/openapi.json').expect(200);
    expect(Object.keys(body.paths).filter((path) => path.includes('health'))).toEqual([]);
  });

  it('is not ready while a migration is pending, and says which', async () => {
    const [last] = await t.db.query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1');
    await t.db.query('DELETE FROM migrations WHERE name = $1', [last.name]);
    try {
      const { body } = await get('/health/ready').expect(503);
      expect(body).toEqual({
        statusCode: 503,
        message: `not ready: migrations: 1 pending (${last.name})`,
        error: 'Service Unavailable',
        status: 'error',
        checks: {
          database: { status: 'up' },
          migrations: { status: 'down', message: `1 pending (${last.name})` },
        },
      });
      await t.db.query('ALTER TABLE migrations RENAME TO migrations_away');
      try {
        const away = await get('/health/ready').expect(503);
        expect(away.body.checks.migrations).toEqual({
          status: 'down',
          message: 'the database has not been migrated',
        });
      } finally {
        await t.db.query('ALTER TABLE migrations_away RENAME TO migrations');
      }
      await get('/health/live').expect(200);
    } finally {
      await t.db.query('INSERT INTO migrations (timestamp, name) VALUES ($1, $2)', [
        Number(/\d{13}/.exec(last.name)![0]),
        last.name,
      ]);
    }
    await get('/health/ready').expect(200);
  });
});
