import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { chmodSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { loadConfig } from '../src/config/config';
import { createDataSource } from '../src/database/data-source';
import { EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../src/database/embedded';
import { seedDatabase } from '../src/import/seed';

/**
 * A real outage: the application runs on a PostgreSQL of its own (embedded, in a temporary
 * folder), which the test stops, replaces with a server that accepts connections and never
 * answers, and starts again, while requests keep coming.
 */
describe('PostgreSQL goes away and comes back', () => {
  const CONNECT_TIMEOUT_MS = 1000;
  let parent: string;
  let dir: string;
  let port: number;
  let cluster: EmbeddedDatabase | undefined;
  let app: INestApplication;
  let serviceId: string;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'oruk-outage-'));
    chmodSync(parent, 0o755); // run as root, PostgreSQL runs as the postgres user
    dir = join(parent, 'pg');
    port = await freePort();
    cluster = await startEmbeddedPostgres({ dir, port });
    const db = await createDataSource(cluster.url).initialize();
    try {
      await db.runMigrations({ transaction: 'each' });
      await seedDatabase(db, loadConfig().SEED_DIR);
    } finally {
      await db.destroy();
    }
    const config = loadConfig({
      MIGRATIONS_RUN: 'false',
      SEED_IF_EMPTY: 'false',
      LOG_LEVEL: 'silent', // its 503s are expected
      RATE_LIMIT_PER_MINUTE: '0',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config, cluster.url)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    configureApp(app, config);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);

  /** Asks, and measures how long the answer took. */
  async function timed(path: string) {
    const start = performance.now();
    const response = await get(path);
    return { response, ms: performance.now() - start };
  }

  function expectUnavailable(response: request.Response, path: string) {
    expect({ path, status: response.status }).toEqual({ path, status: 503 });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      statusCode: 503,
      message: expect.stringContaining('database unavailable'),
      error: 'Service Unavailable',
    });
    // Nothing of the driver's own message: no address, port, code or SQL.
    expect(response.text).not.toMatch(
      /ECONN|127\.0\.0\.1|\d{4,5}|SELECT|terminat|timeout exceeded/i,
    );
  }

  it('serves while PostgreSQL is up', async () => {
    const { body } = await get('/services?per_page=1').expect(200);
    serviceId = body.contents[0].id;
    await get(`/services/${serviceId}`).expect(200);
    await get('/health/ready').expect(200);
  });

  it('answers 503 at once while PostgreSQL is stopped; live, not ready', async () => {
    await cluster!.stop();
    cluster = undefined;
    const paths = ['/services', `/services/${serviceId}`, '/services?format=ndjson&full=true'];
    let slowest = 0;
    for (let round = 0; round < 3; round++) {
      for (const path of paths) {
        const { response, ms } = await timed(path);
        expectUnavailable(response, path);
        expect(response.headers['retry-after']).toBe('5');
        slowest = Math.max(slowest, ms);
      }
    }
    const ready = await get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringContaining('database'),
      checks: { database: { status: 'down' }, migrations: { status: 'unknown' } },
    });
    await get('/health/live').expect(200, { status: 'ok' });
    console.log(
      `database stopped (connection refused): slowest 503 of 9 took ${slowest.toFixed(0)} ms`,
    );
  });

  it('answers 503 within the connect timeout when PostgreSQL accepts connections but never answers', async () => {
    // What a frozen server or a half-open network path looks like from here.
    const held = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      held.add(socket);
      socket.resume(); // read (and ignore) what the client sends, so that its end is seen
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const answers = await Promise.all(
        ['/services', `/services/${serviceId}`, '/health/ready'].map(timed),
      );
      // A 503 at all is the proof that the API gave up waiting (else the request would hang).
      for (const { response } of answers) expect(response.status).toBe(503);
      expectUnavailable(answers[0].response, '/services');
      expectUnavailable(answers[1].response, `/services/${serviceId}`);
      console.log(
        `database silent: 503 after ${answers.map((a) => a.ms.toFixed(0)).join(', ')} ms ` +
          `(DB_CONNECT_TIMEOUT_MS=${CONNECT_TIMEOUT_MS}, readiness bound 2000 ms)`,
      );
      // The application gave up on those connections: none is left hanging (it closes
      // them as it gives up; wait for that, however long a busy machine takes).
      while (held.size) await sleep(50);
    } finally {
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('serves again once PostgreSQL comes back, without a restart', async () => {
    const start = performance.now();
    cluster = await startEmbeddedPostgres({ dir, port });
    const accepting = performance.now();
    // The pool finds its way back by itself: requests answer 503 until it has, then 200.
    let status = 0;
    let tries = 0;
    while (status !== 200) {
      status = (await get('/services?per_page=5')).status;
      expect([200, 503]).toContain(status);
      tries++;
      if (status !== 200) await sleep(50);
    }
    const recovered = performance.now();
    console.log(
      `database restarted in ${(accepting - start).toFixed(0)} ms; the API answered 200 ` +
        `${(recovered - accepting).toFixed(0)} ms (${tries} requests) after it accepted connections`,
    );
    await get(`/services/${serviceId}`).expect(200);
    const ndjson = await get('/services?format=ndjson').expect(200);
    expect(ndjson.text.trim().split('\n').length).toBeGreaterThan(100);
    await get('/health/ready').expect(200);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
