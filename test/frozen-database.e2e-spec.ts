import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import request from 'supertest';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { createTestApp, TestApp } from './support/app';

/**
 * PostgreSQL stops answering in the middle of a session (a frozen server, a network that
 * drops packets): statement_timeout cannot act, since the server is not running. The
 * application reaches PostgreSQL through a TCP relay that the test freezes (it stops
 * passing bytes either way, keeping the connections open); the request in flight must be
 * answered 503 by our own read timeout, and the abandoned connection never reused.
 */
class Relay {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  frozen = false;
  /** Connections closed so far (by either end). */
  closed = 0;

  constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(target.port, target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const pass = (from: Socket, to: Socket) =>
        from.on('data', (chunk) => {
          // Frozen: what arrives is dropped, as a stopped server or a black hole would.
          if (!this.frozen) to.write(chunk);
        });
      pass(client, upstream);
      pass(upstream, client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        if (this.pairs.delete(pair)) this.closed++;
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () =>
        resolve((this.server.address() as AddressInfo).port),
      ),
    );
  }

  get connections(): number {
    return this.pairs.size;
  }

  close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('PostgreSQL stops answering mid-session', () => {
  let t: TestApp;
  let relay: Relay;

  beforeAll(async () => {
    t = await createTestApp(
      { DB_STATEMENT_TIMEOUT_MS: '500', LOG_LEVEL: 'silent' },
      async (database) => {
        const url = new URL(database.url);
        relay = new Relay({ host: url.hostname, port: Number(url.port || 5432) });
        url.port = String(await relay.listen());
        return url.toString();
      },
    );
  });
  afterAll(async () => {
    relay.frozen = false;
    await t?.close();
    await relay?.close();
  });

  it('answers 503 in JSON by our own timeout, discards the connection, and serves again', async () => {
    await request(t.http).get('/services?per_page=1').expect(200);
    const pool = (t.db.driver as PostgresDriver).master as Pool;

    relay.frozen = true;
    const frozen = await request(t.http).get('/services?full=true&per_page=50');
    expect(frozen.status).toBe(503);
    expect(frozen.body).toEqual({
      statusCode: 503,
      message: expect.stringContaining('database unavailable'),
      error: 'Service Unavailable',
    });
    // The connections that owed an answer are closed (the page's two statements: two).
    expect(relay.closed).toBeGreaterThanOrEqual(1);
    relay.frozen = false;

    const { body } = await request(t.http).get('/services?per_page=3').expect(200);
    expect(body.contents).toHaveLength(3);
    // The pool's, and the one that listens for data changes (src/database/data-version.ts).
    expect(relay.connections).toBe(pool.totalCount + 1);
  });
});
